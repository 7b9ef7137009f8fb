#!/usr/bin/env bash
# Does a SYNC volume keep its rate while an ASYNC volume of the same primary writes at full speed?
# fio 4 KiB random writes QD16 on a SYNC volume alone, then again with a second fio writing an ASYNC
# volume of the same primary beside it (ASYNC_RW/ASYNC_BS/ASYNC_DEPTH, default 1 MiB sequential
# QD4), ROUNDS times each, all in one run; prints SYNC IOPS, p50/p99 completion latency and the
# ratio beside/alone per round.
#   bench/sync-beside-async-bench.sh   (RUNTIME=10 s, ROUNDS=2, SIZE=1G, WARMUP=5, CACHE_MIB=256;
#   SKIP_BUILD=1 uses the classes already built)
# Three StandaloneStorage processes (seattle primary, portland, sanfrancisco) and one site broker
# (BrokerMain), as bench/remote-copy-bench.sh starts them. Needs java, mvn, fio, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNTIME=${RUNTIME:-10}
ROUNDS=${ROUNDS:-2}
SIZE=${SIZE:-1G}
WARMUP=${WARMUP:-5}
CACHE_MIB=${CACHE_MIB:-256}
ASYNC_RW=${ASYNC_RW:-write}
ASYNC_BS=${ASYNC_BS:-1M}
ASYNC_DEPTH=${ASYNC_DEPTH:-4}
API=$ROOT/storage-connector/storage-api
ENGINE=$ROOT/storage-connector/storage-engine

for tool in java mvn fio python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

mkdir -p "$ROOT/bench/target"
WORK=$(mktemp -d "$ROOT/bench/target/sba.XXXXXX")
if [[ -z ${SKIP_BUILD:-} ]]; then
  echo "building storage-engine and its test class path (broker, Artemis client)..." >&2
  (cd "$ROOT" && mvn -q -pl payara-config/broker,storage-connector/storage-api,storage-connector/storage-engine \
      install -DskipTests)
fi
(cd "$ROOT" && mvn -q -pl storage-connector/storage-engine dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$WORK/cp.txt")
CP="$ENGINE/target/classes:$API/target/classes:$ROOT/payara-config/broker/target/classes:$(cat "$WORK/cp.txt")"

PIDS=()
cleanup() {
  exec 3>&- 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$ROOT/bench/target/sba-last-logs"
  mkdir -p "$ROOT/bench/target/sba-last-logs"
  cp "$WORK"/*.log "$ROOT/bench/target/sba-last-logs/" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() { # FILE TEXT
  for _ in $(seq 1 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no '$2' in $1:" >&2; tail -n 30 "$1" >&2
  return 1
}

# The JVM options and broker URL of bench/remote-copy-bench.sh (see there why).
JAVA_OPTS=(-Xms768m -Xmx768m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=1g -XX:G1HeapRegionSize=8m
  -Dorg.slf4j.simpleLogger.log.org.apache.activemq.audit=off -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
BROKER_PORT=$(free_port)
java "${JAVA_OPTS[@]}" -cp "$CP" org.roamstore.broker.BrokerMain --data "$WORK/broker" --port "$BROKER_PORT" \
  >"$WORK/broker.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/broker.log" listening
BROKER="tcp://127.0.0.1:$BROKER_PORT?minLargeMessageSize=4194304&consumerWindowSize=8388608&producerWindowSize=8388608"

MEMBERS() { echo "seattle/$1*,portland/$1,sanfrancisco/$1"; }
GROUP_ARGS=(--group "async:ASYNC:1:$(MEMBERS async)" --group "sync:SYNC:1:$(MEMBERS sync)")
VOLUMES=(--volume "async:$SIZE" --volume "sync:$SIZE")

start_site() { # NAME NBD_PORT
  local site=$1 port=$2 log=$WORK/$1.log
  : >"$log"
  if [[ $site == seattle ]]; then
    mkfifo "$WORK/seattle.in"
    java "${JAVA_OPTS[@]}" -cp "$CP" org.roamstore.storage.engine.StandaloneStorage \
      "$site" "$WORK/$site" "$port" "$CACHE_MIB" "${VOLUMES[@]}" "${GROUP_ARGS[@]}" --broker "$BROKER" \
      --export async --export sync <"$WORK/seattle.in" >"$log" 2>&1 &
    PIDS+=($!)
    exec 3>"$WORK/seattle.in"
  else
    java "${JAVA_OPTS[@]}" -cp "$CP" org.roamstore.storage.engine.StandaloneStorage \
      "$site" "$WORK/$site" -1 "$CACHE_MIB" "${VOLUMES[@]}" "${GROUP_ARGS[@]}" --broker "$BROKER" \
      >"$log" 2>&1 &
    PIDS+=($!)
  fi
  wait_for "$log" READY
}

RS_PORT=$(free_port)
start_site portland -1
start_site sanfrancisco -1
start_site seattle "$RS_PORT"

seattle_command() { # "COMMAND" REPLY-PREFIX: prints the reply line
  local before
  before=$(grep -c "^$2" "$WORK/seattle.log" || true)
  echo "$1" >&3
  for _ in $(seq 1 36000); do
    if [[ $(grep -c "^$2\|^FAILED" "$WORK/seattle.log" || true) -gt $before ]]; then
      grep "^$2\|^FAILED" "$WORK/seattle.log" | tail -n 1
      return 0
    fi
    sleep 0.1
  done
  return 1
}

catch_up() { # GROUP: waits until both secondaries have the group's writes durable
  local reply
  reply=$(seattle_command "sync $1 portland,sanfrancisco" SYNCED)
  [[ $reply == SYNCED* ]] || { echo "catch-up of $1 failed: $reply" >&2; exit 1; }
}

fio_start() { # VOLUME RW BS DEPTH JSON: fio in the background
  fio --name="$1" --ioengine=nbd --uri="nbd://127.0.0.1:$RS_PORT/$1" --rw="$2" --bs="$3" --iodepth="$4" \
    --size="$SIZE" --time_based --runtime="$RUNTIME" --ramp_time=2 --randrepeat=1 \
    --output-format=json --output="$5" >/dev/null &
  FIO_PID=$!
}

# figures JSON: "IOPS MiB/s p50_ms p99_ms" of the job's writes
figures() {
  python3 -c '
import json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]
if job["error"]:
    sys.exit("fio error %d" % job["error"])
w = job["write"]
p = w["clat_ns"]["percentile"]
print("%.0f %.0f %.2f %.2f" % (w["iops"], w["bw_bytes"] / 1048576, p["50.000000"] / 1e6, p["99.000000"] / 1e6))
' "$1"
}

drops() { grep -c "copy group $1: secondary .* is out of sync" "$WORK/seattle.log" || true; }

if [[ $WARMUP != 0 ]]; then
  echo "warming up ($WARMUP s per volume and job, twice)..." >&2
  for _ in 1 2; do
    for job in "sync randwrite 4k 16" "async randwrite 4k 16" "async write 1M 4" "sync write 1M 4"; do
      read -r volume rw bs depth <<<"$job"
      fio --name=warmup --ioengine=nbd --uri="nbd://127.0.0.1:$RS_PORT/$volume" --rw="$rw" --bs="$bs" \
        --iodepth="$depth" --size="$SIZE" --time_based --runtime="$WARMUP" --output=/dev/null
      catch_up "$volume"
    done
  done
fi

rows=()
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round: SYNC alone ($RUNTIME s)..." >&2
  fio_start sync randwrite 4k 16 "$WORK/alone.json"
  wait "$FIO_PID"
  read -r a_iops _ a_p50 a_p99 < <(figures "$WORK/alone.json")
  catch_up sync
  echo "round $round: SYNC beside ASYNC $ASYNC_RW $ASYNC_BS QD$ASYNC_DEPTH ($RUNTIME s)..." >&2
  drops_before=$(($(drops sync) + $(drops async)))
  fio_start async "$ASYNC_RW" "$ASYNC_BS" "$ASYNC_DEPTH" "$WORK/async.json"
  async_pid=$FIO_PID
  fio_start sync randwrite 4k 16 "$WORK/beside.json"
  wait "$FIO_PID"
  wait "$async_pid"
  read -r b_iops _ b_p50 b_p99 < <(figures "$WORK/beside.json")
  read -r _ as_mib _ _ < <(figures "$WORK/async.json")
  dropped=$(($(drops sync) + $(drops async) - drops_before))
  echo "  status: $(seattle_command "status async" STATUS)" >&2
  catch_up sync
  catch_up async
  rows+=("$round|$a_iops|$a_p50|$a_p99|$b_iops|$b_p50|$b_p99|$(python3 -c "print('%.2f' % ($b_iops / $a_iops))")|$as_mib|$dropped")
done

printf '\nSYNC 4k randwrite QD16, alone and beside ASYNC %s %s QD%s on the same primary (%s s each)\n' \
  "$ASYNC_RW" "$ASYNC_BS" "$ASYNC_DEPTH" "$RUNTIME"
printf '%5s | %10s | %8s | %8s | %11s | %8s | %8s | %5s | %10s | %7s\n' round "alone IOPS" p50_ms p99_ms \
  "beside IOPS" p50_ms p99_ms ratio "ASYNC MiB/s" dropped
for row in "${rows[@]}"; do
  IFS='|' read -r r ai ap50 ap99 bi bp50 bp99 ratio asm dr <<<"$row"
  printf '%5s | %10s | %8s | %8s | %11s | %8s | %8s | %5s | %10s | %7s\n' \
    "$r" "$ai" "$ap50" "$ap99" "$bi" "$bp50" "$bp99" "$ratio" "$asm" "$dr"
done
echo "ratio: SYNC IOPS beside ASYNC / alone; dropped: secondaries marked out of sync while both ran"
