#!/usr/bin/env bash
# Write latency of SYNC against ASYNC remote copy across an emulated WAN, on the multi-site
# deployment (one Payara Micro and one Artemis broker per data center, PostgreSQL directory).
#   bench/wan-bench.sh     (DELAYS="0 10 20 0" ms one way, the second 0 shows the run's drift;
#                           RUNTIME=10 s per fio job, SIZE=256M, WAN_PORT_BASE=42000,
#                           KEEP=1 keeps the work directory)
# Starts PostgreSQL (payara-config/postgres), a delay proxy in front of each site's broker
# (bench/delay-proxy.py) and the three sites (payara-config/roamstore run --site ...), each site
# reaching the other sites' brokers through their proxies, so only the bridges between brokers
# cross the "WAN"; each server talks to its own broker and fio talks NBD to Seattle directly.
# Provisions a 3-copy SYNC and a 3-copy ASYNC volume (primary Seattle), logs in from the network
# interface "seattle" and runs fio --ioengine=nbd on each: 4 KiB random write at QD1 (p50/p99
# completion latency) and at QD16 (IOPS), at every one-way delay (the proxies keep their
# connections; the delay changes through their delay file).
# The kernel here has no sch_netem, hence the user-space proxy; see README "WAN latency" for netem.
# Needs java, mvn (first build), python3, curl, fio (with its nbd engine) and Debian's postgresql.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DELAYS=${DELAYS:-"0 10 20 0"}
RUNTIME=${RUNTIME:-10}
SIZE=${SIZE:-256M}
BASE=${WAN_PORT_BASE:-42000}
SITES=(seattle portland sanfrancisco)
PG_PORT=$((BASE + 100))
http_port() { echo $((BASE + 110 + $1)); }
broker_port() { echo $((BASE + 120 + $1)); }
nbd_port() { echo $((BASE + 130 + $1)); }
proxy_port() { echo $((BASE + 140 + $1)); } # the "WAN" entry to site i's broker
USER_NAME=wanbench
USER_PASSWORD=wanbench-pass
ADMIN=admin:roamstore-admin

missing=()
for tool in java python3 curl fio; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "missing: ${missing[*]} (Debian: apt-get install fio curl python3 openjdk-17-jdk-headless;" \
    "fio's nbd engine comes with Debian's fio; qemu-utils is not needed here)" >&2
  exit 1
fi
fio --enghelp 2>/dev/null | grep -qw nbd \
  || { echo "this fio has no nbd engine: install Debian's fio (built with libnbd)" >&2; exit 1; }
[[ -f $ROOT/payara-config/runtime/target/roamstore/payara-micro.jar ]] \
  || command -v mvn >/dev/null || { echo "missing mvn (the first run builds Roamstore)" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in $PG_PORT $(for i in 0 1 2; do http_port $i; broker_port $i; nbd_port $i; proxy_port $i; done); do
  ! port_open "$port" || { echo "port $port is in use; choose other ports with WAN_PORT_BASE" >&2; exit 1; }
done

mkdir -p "$ROOT/bench/target"
WORK=$(mktemp -d "$ROOT/bench/target/wan.XXXXXX")
chmod 755 "$WORK" # PostgreSQL runs as the OS user postgres when we are root: it must reach its dir

LAUNCHERS=()
PROXY_PID=""
PG_STARTED=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  echo "stopping the sites, the proxies and PostgreSQL..." >&2
  local pid f
  # Each launcher stops its Payara Micro and broker on TERM.
  for pid in ${LAUNCHERS[@]+"${LAUNCHERS[@]}"}; do kill "$pid" 2>/dev/null; done
  for pid in ${LAUNCHERS[@]+"${LAUNCHERS[@]}"}; do wait "$pid" 2>/dev/null; done
  # A launcher that died before its trap left its children: their pids are in the site's data dir.
  for f in "$WORK"/*/payara.pid "$WORK"/*/broker.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null
    fi
  done
  [[ -z $PG_STARTED ]] || "$ROOT/payara-config/postgres" stop --data "$WORK/postgres" >/dev/null 2>&1
  if [[ -n $PROXY_PID ]]; then kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; fi
  if [[ $status -ne 0 || -n ${KEEP:-} ]]; then
    echo "work directory (logs) kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "starting PostgreSQL on port $PG_PORT..." >&2
PG_STARTED=1
JDBC_URL=$("$ROOT/payara-config/postgres" start --data "$WORK/postgres" --port "$PG_PORT" | tail -n 1)
[[ $JDBC_URL == jdbc:postgresql:* ]] || { echo "PostgreSQL did not start" >&2; exit 1; }

# The WAN: one proxy process, a port per site in front of its broker, one delay for every link.
echo 0 >"$WORK/delay-ms"
maps=()
for i in "${!SITES[@]}"; do maps+=(--map "$(proxy_port "$i")=127.0.0.1:$(broker_port "$i")"); done
# Real-time priority when we may (root): the proxy stands for the network, which does not wait for
# the CPUs the sites share; without it the delays overshoot by the machine's scheduling latency.
prio=()
if [[ $(id -u) == 0 ]] && command -v chrt >/dev/null && chrt -f 10 true 2>/dev/null; then prio=(chrt -f 10); fi
${prio[@]+"${prio[@]}"} python3 "$ROOT/bench/delay-proxy.py" --delay-file "$WORK/delay-ms" "${maps[@]}" \
  >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/proxy.log" && break; sleep 0.1; done
grep -q listening "$WORK/proxy.log" || { cat "$WORK/proxy.log" >&2; exit 1; }

start_site() { # INDEX
  local i=$1 site=${SITES[$1]} j args=()
  for j in "${!SITES[@]}"; do
    [[ $j == "$i" ]] || args+=(--peer "${SITES[$j]}=127.0.0.1:$(proxy_port "$j")")
  done
  mkdir -p "$WORK/$site"
  touch "$WORK/$site/run.log"
  "$ROOT/payara-config/roamstore" run --site "$site" --data "$WORK/$site" --port "$(http_port "$i")" \
    --broker-port "$(broker_port "$i")" --nbd-port "$(nbd_port "$i")" "${args[@]}" \
    --jdbc-url "$JDBC_URL" --jdbc-user roamstore --jdbc-password roamstore >>"$WORK/$site/run.log" 2>&1 &
  LAUNCHERS+=($!)
  SITE_PID[$i]=$!
}

wait_site() { # INDEX: 0 when the site runs, 1 when its launcher gave up
  local i=$1 site=${SITES[$1]}
  for _ in $(seq 1 1800); do
    grep -q "is running" "$WORK/$site/run.log" && return 0
    kill -0 "${SITE_PID[$i]}" 2>/dev/null || { wait "${SITE_PID[$i]}" 2>/dev/null; return 1; }
    sleep 0.2
  done
  return 1
}

# One site at a time, the first alone (it makes the schema and loads the topology): on a loaded
# machine a Payara Micro can take more than the 120 s `roamstore run` waits for its gateway, and
# then that launcher gives up; starting them one by one, and again when one gives up, gets there.
declare -A SITE_PID
t0=$(date +%s)
for i in "${!SITES[@]}"; do
  for attempt in 1 2 3; do
    echo "starting ${SITES[$i]} (broker $(broker_port "$i"), HTTP $(http_port "$i"), NBD $(nbd_port "$i"))..." >&2
    start_site "$i"
    wait_site "$i" && break
    echo "  ${SITES[$i]} did not start (attempt $attempt; see $WORK/${SITES[$i]}/run.log):" >&2
    grep '^roamstore:' "$WORK/${SITES[$i]}/run.log" | tail -n 3 >&2
    [[ $attempt -lt 3 ]] || exit 1
  done
done
echo "three sites up in $(($(date +%s) - t0)) s" >&2

API="http://127.0.0.1:$(http_port 0)/api"
post() { # PATH JSON [BASIC]: prints the body; fails on a status other than 2xx
  local out
  out=$(curl -sS -w '\n%{http_code}' ${3:+-u "$3"} -H 'Content-Type: application/json' -d "$2" "$API/$1")
  local code=${out##*$'\n'} body=${out%$'\n'*}
  [[ $code == 2* ]] || { echo "POST /api/$1: HTTP $code $body" >&2; return 1; }
  printf '%s\n' "$body"
}
json_get() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"; }

SIZE_BYTES=$(numfmt --from=iec "$SIZE")
post admin/users "{\"name\":\"$USER_NAME\",\"password\":\"$USER_PASSWORD\"}" "$ADMIN" >/dev/null
declare -A URI
for mode in SYNC ASYNC; do
  volume="wan-${mode,,}"
  post admin/volumes "{\"name\":\"$volume\",\"owner\":\"$USER_NAME\",\"sizeBytes\":$SIZE_BYTES,\
\"transferType\":\"$mode\",\"sites\":[\"seattle\",\"portland\",\"sanfrancisco\"],\"primary\":\"seattle\",\
\"minimumStaySeconds\":0}" "$ADMIN" >/dev/null
  answer=$(post login "{\"user\":\"$USER_NAME\",\"password\":\"$USER_PASSWORD\",\"volume\":\"$volume\",\
\"networkInterface\":\"seattle\"}")
  [[ $(json_get dataCenter.name <<<"$answer") == seattle ]] || { echo "login did not land at seattle: $answer" >&2; exit 1; }
  URI[$mode]=$(json_get nbd.uri <<<"$answer")
  echo "$mode volume $volume: $(json_get outcome <<<"$answer") at seattle, ${URI[$mode]%/*}/..." >&2
done

# Seattle's server log: the primary says when a secondary falls out of sync (MARK_OUT_OF_SYNC:
# more ASYNC data waits than the broker takes) and when it is in sync again after a resync.
SEATTLE_LOG=$WORK/seattle/logs/payara.log
# How many secondaries are out of sync now: the last word on each (group, secondary) in the log.
out_of_sync() {
  { grep -o 'copy group [^ ]*: \(secondary \)\{0,1\}[a-z0-9]* is \(out of sync\|in sync again\)' \
    "$SEATTLE_LOG" || true; } | awk '{ site = ($4 == "secondary") ? $5 : $4; s[$3 site] = /out of sync/ }
      END { n = 0; for (k in s) n += s[k]; print n }'
}

# Waits until every secondary is in sync again and Seattle's broker is quiet (under 5% of a CPU
# for 2 s running; at most 120 s): the previous job's ASYNC backlog or resync is over.
BROKER_PID=$(cat "$WORK/seattle/broker.pid")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_quiet() {
  local hz quiet=0 a b
  hz=$(getconf CLK_TCK)
  for _ in $(seq 1 120); do
    if [[ $(out_of_sync) == 0 ]]; then
      a=$(cpu_ticks "$BROKER_PID"); sleep 1; b=$(cpu_ticks "$BROKER_PID")
      if (((b - a) * 100 < hz * 5)); then quiet=$((quiet + 1)); else quiet=0; fi
      ((quiet < 2)) || return 0
    else
      sleep 1
    fi
  done
  echo "  (still resynchronising or busy after 120 s)" >&2
}

# run_fio URI IODEPTH -> "p50_ms p99_ms iops dropped" of 4 KiB random writes: the latency from
# submission to completion as fio sees it (slat + clat); dropped: "-", or when (seconds into the
# job, ramp included) the primary marked its secondaries out of sync and went on without them.
run_fio() {
  local json=$WORK/fio.json before start dropped
  before=$(wc -l <"$SEATTLE_LOG")
  start=$(date +%s%3N)
  fio --name=wan --ioengine=nbd --uri="$1" --rw=randwrite --bs=4k --iodepth="$2" \
    --size="$SIZE" --time_based --runtime="$RUNTIME" --ramp_time=2 --randrepeat=1 \
    --lat_percentiles=1 --output-format=json --output="$json" >/dev/null
  dropped=$(tail -n +"$((before + 1))" "$SEATTLE_LOG" | grep 'is out of sync' \
    | grep -o 'timeMillis: [0-9]*' | head -n 1 | awk -v s="$start" '{printf "%.0fs", ($2 - s) / 1000}' || true)
  python3 -c '
import json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]
if job["error"]:
    sys.exit("fio error %d" % job["error"])
w = job["write"]
p = w["lat_ns"].get("percentile", {})
print("%.2f %.2f %.0f %s" % (p.get("50.000000", 0) / 1e6, p.get("99.000000", 0) / 1e6, w["iops"],
                            sys.argv[2] or "-"))
' "$json" "$dropped"
}

set_delay() {
  echo "$1" >"$WORK/delay-ms.new" && mv "$WORK/delay-ms.new" "$WORK/delay-ms"
  sleep 1 # the proxy polls its file every 50 ms; let data queued under the old delay go
}

rows=()
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for delay in $DELAYS; do
  set_delay "$delay"
  for mode in SYNC ASYNC; do
    wait_quiet
    echo "one-way delay $delay ms, $mode: QD1 then QD16 ($RUNTIME s each)..." >&2
    out=$(run_fio "${URI[$mode]}" 1)
    read -r p50 p99 qd1 drop1 <<<"$out"
    wait_quiet
    out=$(run_fio "${URI[$mode]}" 16)
    read -r _ _ qd16 drop16 <<<"$out"
    rows+=("$delay|$mode|$p50|$p99|$qd1|$drop1|$qd16|$drop16")
    echo "  QD1 p50 $p50 ms, p99 $p99 ms ($qd1 IOPS, out of sync: $drop1); QD16 $qd16 IOPS (out of sync: $drop16)" >&2
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

printf '\n%-13s | %-5s | %12s | %12s | %8s | %8s | %9s | %9s\n' "one-way delay" mode \
  "QD1 p50 (ms)" "QD1 p99 (ms)" "QD1 IOPS" "QD1 drop" "QD16 IOPS" "QD16 drop"
printf '%-13s-+-%-5s-+-%12s-+-%12s-+-%8s-+-%8s-+-%9s-+-%9s\n' ------------- ----- ------------ \
  ------------ -------- -------- --------- ---------
for row in "${rows[@]}"; do
  IFS='|' read -r delay mode p50 p99 qd1 drop1 qd16 drop16 <<<"$row"
  printf '%-13s | %-5s | %12s | %12s | %8s | %8s | %9s | %9s\n' "$delay ms" "$mode" "$p50" "$p99" \
    "$qd1" "$drop1" "$qd16" "$drop16"
done
cat <<EOF
4 KiB random writes through NBD at Seattle on 3-copy volumes (seattle primary, portland,
sanfrancisco), every link between the sites' brokers delayed by the one-way delay each way;
latency: submission to completion; $RUNTIME s per job after 2 s of ramp; volumes of $SIZE.
drop: when (seconds into the job) the primary marked its secondaries out of sync and wrote on
without them (more ASYNC data waiting than it keeps for the broker); "-": never.
load average: $LOAD_BEFORE before, $LOAD_AFTER after ($(nproc) CPUs).
EOF
