#!/usr/bin/env bash
# Benchmarks remote copy: fio through NBD on a 3-copy volume (ASYNC and SYNC) side by side with a
# plain qemu-nbd in the same run, the drain rate of an ASYNC backlog, and how long a synchronize
# cache takes on an empty backlog (the drain before a change of primary).
#   bench/remote-copy-bench.sh     (RUNTIME=10 s per test, SIZE=1G, DRAIN=1G, CACHE_MIB=256)
# JOBS=4k or JOBS=1M runs only the tests whose label starts so (a profile of one job), JOBS=none
# none of them; WARMUP=5 (seconds per job in each warm-up round, 0 = no warm-up; see below); MODES=async or MODES=sync runs only that mode's jobs (0 for the other); DRAIN=0
# skips the drain.
# JAVA_EXTRA="..." adds options to every JVM, e.g. -XX:StartFlightRecording=filename=/tmp/rc-%p.jfr
# (%p becomes the process's role here, broker or a site name, and the second of the run it started
# in: Java 17 does not expand it, and the four JVMs would write one file)
# Three StandaloneStorage processes (seattle primary, portland, sanfrancisco) and one site broker
# (BrokerMain), all on this machine. Needs java, mvn, fio, qemu-nbd, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNTIME=${RUNTIME:-10}
SIZE=${SIZE:-1G}
DRAIN=${DRAIN:-1G}
JOBS=${JOBS:-}
MODES=${MODES:-async sync}
WARMUP=${WARMUP:-5}
CACHE_MIB=${CACHE_MIB:-256}
API=$ROOT/storage-connector/storage-api
ENGINE=$ROOT/storage-connector/storage-engine

for tool in java mvn fio qemu-nbd python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

mkdir -p "$ROOT/bench/target"
WORK=$(mktemp -d "$ROOT/bench/target/rc.XXXXXX")
echo "building storage-engine and its test class path (broker, Artemis client)..." >&2
(cd "$ROOT" && mvn -q -pl payara-config/broker,storage-connector/storage-api,storage-connector/storage-engine \
    install -DskipTests \
  && mvn -q -pl storage-connector/storage-engine dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$WORK/cp.txt")
# This tree's broker first: the local Maven repository may hold another tree's build of it.
CP="$ENGINE/target/classes:$API/target/classes:$ROOT/payara-config/broker/target/classes:$(cat "$WORK/cp.txt")"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # The processes' logs of the last run stay, for what a figure alone does not say.
  rm -rf "$ROOT/bench/target/rc-last-logs"
  mkdir -p "$ROOT/bench/target/rc-last-logs"
  cp "$WORK"/*.log "$ROOT/bench/target/rc-last-logs/" 2>/dev/null || true
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

# G1 regions of 8 MiB: with the default 1 MiB (a 768 MiB heap) every message buffer of 512 KiB or more
# (Artemis grows a 1 MiB batch's to 2 MiB, at the primary, the broker and the secondaries) is a
# "humongous" object, and JFR showed 10-16 s of G1 pauses per process in a 3-minute run.
# The heap committed and touched at start (-Xms = -Xmx, AlwaysPreTouch), as a long-running server's
# is: without, a young JVM faults in fresh heap pages for every region it first allocates or evacuates
# into, and perf showed page clearing at 17 % of both CPUs during the ASYNC 4k job (G1's pauses 2.5 s
# in 12 s at the primary, most of it faulting).
JAVA_OPTS=(-Xms768m -Xmx768m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=1g -XX:G1HeapRegionSize=8m
  -Dorg.slf4j.simpleLogger.log.org.apache.activemq.audit=off -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
java_extra() { # ROLE: JAVA_EXTRA with %p replaced by ROLE-SECONDS (a restarted site gets a new name)
  local extra=${JAVA_EXTRA:-}
  echo "${extra//%p/$1-$SECONDS}"
}
BROKER_PORT=$(free_port)
java "${JAVA_OPTS[@]}" $(java_extra broker) -cp "$CP" org.roamstore.broker.BrokerMain --data "$WORK/broker" --port "$BROKER_PORT" \
  >"$WORK/broker.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/broker.log" listening
# producerWindowSize: Artemis's default of 64 KiB of credits made every 1 MiB batch wait for the
# broker to grant more (JFR: the send process parked in ClientProducerCreditsImpl.actualAcquire).
BROKER="tcp://127.0.0.1:$BROKER_PORT?minLargeMessageSize=4194304&consumerWindowSize=8388608&producerWindowSize=8388608"

MEMBERS() { echo "seattle/$1*,portland/$1,sanfrancisco/$1"; }
GROUP_ARGS=(--group "async:ASYNC:1:$(MEMBERS async)" --group "sync:SYNC:1:$(MEMBERS sync)"
  --group "drain:ASYNC:1:$(MEMBERS drain)")
VOLUMES=(--volume "async:$SIZE" --volume "sync:$SIZE" --volume "drain:${DRAIN/#0/1M}")

# start_site NAME NBD_PORT: a storage control unit; seattle reads commands from a pipe.
start_site() {
  local site=$1 port=$2 log=$WORK/$1.log
  : >"$log"
  if [[ $site == seattle ]]; then
    mkfifo "$WORK/seattle.in"
    java "${JAVA_OPTS[@]}" $(java_extra "$site") -cp "$CP" org.roamstore.storage.engine.StandaloneStorage \
      "$site" "$WORK/$site" "$port" "$CACHE_MIB" "${VOLUMES[@]}" "${GROUP_ARGS[@]}" --broker "$BROKER" \
      --export async --export sync --export drain <"$WORK/seattle.in" >"$log" 2>&1 &
    PIDS+=($!)
    exec 3>"$WORK/seattle.in"
  else
    java "${JAVA_OPTS[@]}" $(java_extra "$site") -cp "$CP" org.roamstore.storage.engine.StandaloneStorage \
      "$site" "$WORK/$site" -1 "$CACHE_MIB" "${VOLUMES[@]}" "${GROUP_ARGS[@]}" --broker "$BROKER" \
      >"$log" 2>&1 &
    PIDS+=($!)
    eval "PID_$site=$!"
  fi
  wait_for "$log" READY
}

RS_PORT=$(free_port)
start_site portland -1
start_site sanfrancisco -1
start_site seattle "$RS_PORT"

QN_PORT=$(free_port)
truncate -s "$SIZE" "$WORK/qemu.img"
qemu-nbd -f raw --cache=writeback -t -p "$QN_PORT" -b 127.0.0.1 -x bench "$WORK/qemu.img" \
  >"$WORK/qemu-nbd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do (exec 4<>"/dev/tcp/127.0.0.1/$QN_PORT") 2>/dev/null && break; sleep 0.1; done

# seattle_command "sync VOLUME [SECONDARIES]" REPLY-PREFIX: prints the reply line.
seattle_command() {
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

run_fio() { # URI RW BS IODEPTH UNIT [SIZE]
  local json=$WORK/fio.json
  fio --name=bench --ioengine=nbd --uri="$1" --rw="$2" --bs="$3" --iodepth="$4" \
    --size="${6:-$SIZE}" --time_based --runtime="$RUNTIME" --ramp_time=2 --randrepeat=1 \
    --output-format=json --output="$json" >/dev/null
  python3 -c '
import json, sys
job = json.load(open(sys.argv[2]))["jobs"][0]
side = job["write"] if job["write"]["io_bytes"] > 0 else job["read"]
if job["error"]:
    sys.exit("fio error %d" % job["error"])
print("%.0f" % (side["iops"] if sys.argv[1] == "iops" else side["bw_bytes"] / 1048576))
' "$5" "$json"
}

ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }

cpu_seconds() { # PID: user + system CPU time so far, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"
}

# How often the primary marked a secondary of GROUP out of sync so far (GroupStream logs each time).
# A dropped secondary only gets bitmap bits for the rest of a job, so its figure would flatter.
drops() { grep -c "copy group $1: secondary .* is out of sync" "$WORK/seattle.log" || true; }

# run_job GROUP RW BS DEPTH UNIT: fio on the group's volume, then "FIGURE DROPS CATCHUP_S", where
# DROPS counts secondaries marked out of sync during the job and CATCHUP_S is how long the
# secondaries then took to have everything durable (what the job left in the broker and in flight).
run_job() {
  local before figure after start reply
  before=$(drops "$1")
  echo "$(date -u +%T) $1 $2 $3 starts (2 s ramp)" >&2 # for cutting a profile to the job
  figure=$(run_fio "nbd://127.0.0.1:$RS_PORT/$1" "$2" "$3" "$4" "$5")
  after=$(drops "$1")
  echo "after $1 $2 $3: $(seattle_command "status $1" STATUS)" >&2
  start=$(date +%s%N)
  reply=$(seattle_command "sync $1 portland,sanfrancisco" SYNCED)
  [[ $reply == SYNCED* ]] || { echo "catch-up of $1 failed: $reply" >&2; exit 1; }
  echo "$figure $((after - before)) $(python3 -c "print('%.1f' % (($(date +%s%N) - $start) / 1e9))")"
}

# Warm-up, not measured: the JVMs started seconds ago. In rounds of WARMUP s of each job on each
# remote copy volume, until their JIT compilers have settled: with 3 s per job the four JVMs' C2
# threads still took half a CPU during the SYNC job, and its IOPS were 0.6 of a warmed-up run's.
# A round ends the warm-up when the compiler threads of all four JVMs used under JIT_SETTLED % of
# the machine's CPU during it, or after WARMUP_ROUNDS rounds. Servers run for days; the figures are
# meant for those.
jit_seconds() { # CPU seconds of the C1/C2 compiler threads of the bench's JVMs so far
  local pid task total=0
  for pid in "${PIDS[@]}"; do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == java ]] || continue
    for task in /proc/"$pid"/task/*; do
      [[ $(cat "$task/comm" 2>/dev/null) == C[12]\ Compiler* ]] || continue
      total=$((total + $(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0)))
    done
  done
  python3 -c "print('%.1f' % ($total / $(getconf CLK_TCK)))"
}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-8}
JIT_SETTLED=${JIT_SETTLED:-2}
if [[ $WARMUP != 0 ]]; then
  echo "warming up in rounds of $WARMUP s per job (4k random and 1M sequential writes on each remote" \
    "copy volume) until the JIT compilers use under $JIT_SETTLED % of the CPUs, at most $WARMUP_ROUNDS rounds..." >&2
  for round in $(seq 1 "$WARMUP_ROUNDS"); do
    jit_before=$(jit_seconds)
    round_start=$(date +%s%N)
    for volume in async sync; do
      for job in "randwrite 4k 16" "write 1M 4"; do
        read -r rw bs depth <<<"$job"
        fio --name=warmup --ioengine=nbd --uri="nbd://127.0.0.1:$RS_PORT/$volume" --rw="$rw" --bs="$bs" \
          --iodepth="$depth" --size="$SIZE" --time_based --runtime="$WARMUP" --output=/dev/null
      done
      reply=$(seattle_command "sync $volume portland,sanfrancisco" SYNCED)
      [[ $reply == SYNCED* ]] || { echo "catch-up after the warm-up of $volume failed: $reply" >&2; exit 1; }
    done
    jit_share=$(python3 -c "print('%.1f' % (100 * ($(jit_seconds) - $jit_before) / (($(date +%s%N) - $round_start) / 1e9) / $(nproc)))")
    echo "  warm-up round $round: JIT compilers used $jit_share % of the CPUs" >&2
    python3 -c "import sys; sys.exit(0 if $jit_share < $JIT_SETTLED else 1)" && break
  done
fi

rows=()
while read -r label rw bs depth unit; do
  [[ -z $JOBS || $label == "$JOBS"* ]] || continue
  echo "running $label ($RUNTIME s each: qemu-nbd, ASYNC, SYNC)..." >&2
  qn=$(run_fio "nbd://127.0.0.1:$QN_PORT/bench" "$rw" "$bs" "$depth" "$unit")
  as=0 as_drops=0 as_catchup=0 sy=0 sy_drops=0
  [[ " $MODES " != *" async "* ]] || read -r as as_drops as_catchup < <(run_job async "$rw" "$bs" "$depth" "$unit")
  [[ " $MODES " != *" sync "* ]] || read -r sy sy_drops sy_catchup < <(run_job sync "$rw" "$bs" "$depth" "$unit")
  rows+=("$label|$qn|$as|$(ratio "$as" "$qn")|$as_drops|$as_catchup|$sy|$(ratio "$sy" "$qn")|$sy_drops")
done <<'TESTS'
4k-randwrite-qd16_IOPS randwrite 4k 16 iops
1M-seqwrite-qd4_MiB/s write 1M 4 bw
TESTS

echo "synchronize cache on an empty backlog, 9 times..." >&2
sync_ms=()
for _ in $(seq 1 9); do
  reply=$(seattle_command "sync async portland,sanfrancisco" SYNCED)
  sync_ms+=("${reply##* }")
done
sync_p50=$(printf '%s\n' "${sync_ms[@]}" | sort -n | sed -n 5p)

if [[ $DRAIN != 0 ]]; then
  echo "drain: stopping the secondaries, writing $DRAIN ASYNC, starting them again..." >&2
  kill "$PID_portland" "$PID_sanfrancisco"
  wait "$PID_portland" "$PID_sanfrancisco" 2>/dev/null || true
  fio --name=backlog --ioengine=nbd --uri="nbd://127.0.0.1:$RS_PORT/drain" --rw=write --bs=1M \
    --iodepth=4 --size="$DRAIN" --output-format=json --output="$WORK/backlog.json" >/dev/null
  DRAIN_BYTES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"][0]["write"]["io_bytes"])' "$WORK/backlog.json")
  start=$(date +%s%N)
  start_site portland -1
  start_site sanfrancisco -1
  ready=$(date +%s%N)
  # CPU time is a steadier measure than wall time on a shared machine.
  cpu_before=("$(cpu_seconds "${PIDS[0]}")" "$(cpu_seconds "$PID_portland")" "$(cpu_seconds "$PID_sanfrancisco")")
  drain_drops_before=$(drops drain)
  reply=$(seattle_command "sync drain portland,sanfrancisco" SYNCED)
  cpu_after=("$(cpu_seconds "${PIDS[0]}")" "$(cpu_seconds "$PID_portland")" "$(cpu_seconds "$PID_sanfrancisco")")
  end=$(date +%s%N)
  [[ $reply == SYNCED* ]] || { echo "drain failed: $reply" >&2; exit 1; }
  drain_mib=$(python3 -c "print('%.0f' % ($DRAIN_BYTES / 1048576 / (($end - $start) / 1e9)))")
  # Both JVMs started one after the other take seconds of the time above; portland drains meanwhile.
  ready_mib=$(python3 -c "print('%.0f' % ($DRAIN_BYTES / 1048576 / (($end - $ready) / 1e9)))")
fi

printf '\n%-24s | %9s | %9s | %5s | %7s | %9s | %9s | %5s | %7s\n' \
  test qemu-nbd ASYNC ratio dropped catch-up SYNC ratio dropped
printf '%-24s-+-%9s-+-%9s-+-%5s-+-%7s-+-%9s-+-%9s-+-%5s-+-%7s\n' ------------------------ \
  --------- --------- ----- ------- --------- --------- ----- -------
for row in "${rows[@]}"; do
  IFS='|' read -r label qn as ar ad ac sy sr sd <<<"$row"
  printf '%-24s | %9s | %9s | %5s | %7s | %8ss | %9s | %5s | %7s\n' \
    "${label/_/ }" "$qn" "$as" "$ar" "$ad" "$ac" "$sy" "$sr" "$sd"
done
echo "dropped: secondaries marked out of sync during the job (0 = the ratio is of replicated writes);" \
  "catch-up: seconds until both secondaries had the job's writes durable afterwards"
if [[ $DRAIN != 0 ]]; then
  printf '\ndrain of a %s MiB ASYNC backlog to 2 secondaries: %s MiB/s per secondary from their restart (JVM start included), %s MiB/s from both ready\n' \
    "$((DRAIN_BYTES / 1048576))" "$drain_mib" "$ready_mib"
  printf 'secondaries marked out of sync: %s while the backlog was written, %s during the drain\n' \
    "$drain_drops_before" "$(($(drops drain) - drain_drops_before))"
  printf 'CPU seconds during the drain (from ready): broker %s, portland %s, sanfrancisco %s\n' \
    "$(python3 -c "print('%.1f' % (${cpu_after[0]} - ${cpu_before[0]}))")" \
    "$(python3 -c "print('%.1f' % (${cpu_after[1]} - ${cpu_before[1]}))")" \
    "$(python3 -c "print('%.1f' % (${cpu_after[2]} - ${cpu_before[2]}))")"
fi
printf 'synchronize cache, empty backlog, 2 secondaries: p50 %s ms (all: %s)\n' "$sync_p50" "${sync_ms[*]}"
echo "targets: ASYNC >= 0.70, SYNC >= 0.30 of qemu-nbd; drain >= 100 MiB/s" >&2
