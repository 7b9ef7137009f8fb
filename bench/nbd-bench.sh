#!/usr/bin/env bash
# Benchmarks the Roamstore NBD front end against qemu-nbd on the same filesystem, same run.
#   bench/nbd-bench.sh            (RUNTIME=12 seconds per test, SIZE=1G, CACHE_MIB=256)
# Prints: test | roamstore | qemu-nbd | ratio. Needs java, mvn, fio, qemu-nbd, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNTIME=${RUNTIME:-12}
SIZE=${SIZE:-1G}
CACHE_MIB=${CACHE_MIB:-256}
API=$ROOT/storage-connector/storage-api
ENGINE=$ROOT/storage-connector/storage-engine
MAIN_CLASS=$ENGINE/target/classes/org/roamstore/storage/engine/StandaloneStorage.class

for tool in java mvn fio qemu-nbd python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

# Build when the classes are missing or older than any source.
if [[ ! -f $MAIN_CLASS ]] || [[ -n $(find "$API/src/main" "$ENGINE/src/main" -newer "$MAIN_CLASS" -name '*.java' | head -1) ]]; then
  echo "building storage-engine..." >&2
  (cd "$ROOT" && mvn -q -pl storage-connector/storage-api,storage-connector/storage-engine -am install -DskipTests)
fi

mkdir -p "$ROOT/bench/target"
WORK=$(mktemp -d "$ROOT/bench/target/run.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

RS_PORT=$(free_port)
java -Xmx512m -XX:MaxDirectMemorySize=1g \
  -cp "$ENGINE/target/classes:$API/target/classes" org.roamstore.storage.engine.StandaloneStorage \
  bench-site "$WORK/roamstore" "$RS_PORT" "$CACHE_MIB" --volume "bench:$SIZE" --export bench \
  >"$WORK/roamstore.log" 2>&1 &
PIDS+=($!)

QN_PORT=$(free_port)
truncate -s "$SIZE" "$WORK/qemu.img"
qemu-nbd -f raw --cache=writeback -t -p "$QN_PORT" -b 127.0.0.1 -x bench "$WORK/qemu.img" \
  >"$WORK/qemu-nbd.log" 2>&1 &
PIDS+=($!)

wait_port "$RS_PORT" || { cat "$WORK/roamstore.log" >&2; exit 1; }
wait_port "$QN_PORT" || { cat "$WORK/qemu-nbd.log" >&2; exit 1; }

# run_fio URI RW BS IODEPTH -> prints IOPS (random) or MiB/s (sequential)
run_fio() {
  local uri=$1 rw=$2 bs=$3 depth=$4 json=$WORK/fio.json
  fio --name=bench --ioengine=nbd --uri="$uri" --rw="$rw" --bs="$bs" --iodepth="$depth" \
    --size="$SIZE" --time_based --runtime="$RUNTIME" --ramp_time=2 --randrepeat=1 \
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

RS_URI="nbd://127.0.0.1:$RS_PORT/bench"
QN_URI="nbd://127.0.0.1:$QN_PORT/bench"
rows=()
while read -r label rw bs depth unit; do
  echo "running $label ($RUNTIME s each)..." >&2
  rs=$(run_fio "$RS_URI" "$rw" "$bs" "$depth" "$unit")
  qn=$(run_fio "$QN_URI" "$rw" "$bs" "$depth" "$unit")
  rows+=("$label|$rs|$qn|$(python3 -c "print('%.2f' % ($rs / $qn))")")
done <<'TESTS'
4k-randwrite-qd16_IOPS randwrite 4k 16 iops
4k-randread-qd16_IOPS randread 4k 16 iops
1M-seqwrite-qd4_MiB/s write 1M 4 bw
TESTS

printf '%-26s | %10s | %10s | %5s\n' test roamstore qemu-nbd ratio
printf '%-26s-+-%10s-+-%10s-+-%5s\n' -------------------------- ---------- ---------- -----
for row in "${rows[@]}"; do
  IFS='|' read -r label rs qn ratio <<<"$row"
  printf '%-26s | %10s | %10s | %5s\n' "${label/_/ }" "$rs" "$qn" "$ratio"
done
