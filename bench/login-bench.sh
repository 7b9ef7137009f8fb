#!/usr/bin/env bash
# Logins per second and latency (p50/p99) over REST, without and with a change of primary.
#   bench/login-bench.sh                      starts a Roamstore of its own (temporary data, free ports)
#   bench/login-bench.sh --url http://H:P/    uses a running one (its demo admin must exist)
# Options: --logins N (per scenario, default 2000), --threads T (default 8),
#          --warmup N (at most N logins before any figure, not measured, in rounds of 2000 without
#          and 500 with a switch until two in a row are no faster than the best before; default 60000:
#          the figures are of a server that has been running, not of one whose JIT is still cold),
#          --only switch|noswitch|switch1 (one scenario),
#          --pids P1,P2 (with --url: the server's processes, to report their CPU per login).
# The last row, "switch, 1 client thread", is what one user waits for a login that moves the primary
# while nobody else logs in (N/8 logins, at least 100): the latency of a switch itself, not of a
# queue of them on a busy CPU.
# The CPU column is what the server's processes (Payara Micro and the broker) spent per login: on a
# machine shared with other work it moves less than logins/s does.
# Prints a table; it asserts nothing (figures vary with the machine and its load).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
URL="" LOGINS=2000 THREADS=8 ONLY="" PIDS="" WARMUP=60000
while [ $# -gt 0 ]; do
  case "$1" in
    --url) URL=$2; shift 2 ;;
    --logins) LOGINS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --pids) PIDS=$2; shift 2 ;;
    *) echo "login-bench: unknown option $1" >&2; exit 1 ;;
  esac
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

RUN_PID="" DATA=""
cleanup() {
  if [ -n "$RUN_PID" ]; then
    kill "$RUN_PID" 2>/dev/null || true
    wait "$RUN_PID" 2>/dev/null || true
  fi
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT

if [ -z "$URL" ]; then
  DATA=$(mktemp -d "${TMPDIR:-/tmp}/roamstore-bench.XXXXXX")
  PORT=$(free_port)
  "$ROOT/payara-config/roamstore" run --data "$DATA" --port "$PORT" --broker-port "$(free_port)" \
    --nbd-port 0 > "$DATA/run.out" 2>&1 &
  RUN_PID=$!
  for _ in $(seq 1 480); do
    grep -q "Roamstore is running" "$DATA/run.out" 2>/dev/null && break
    kill -0 "$RUN_PID" 2>/dev/null || { cat "$DATA/run.out"; exit 1; }
    sleep 0.5
  done
  grep -q "Roamstore is running" "$DATA/run.out" || { cat "$DATA/run.out"; exit 1; }
  URL="http://127.0.0.1:$PORT/"
  PIDS=$(pgrep -d, -P "$RUN_PID" java || true)
fi

python3 - "$URL" "$LOGINS" "$THREADS" "$ONLY" "$PIDS" "$WARMUP" <<'PY'
import base64, http.client, json, os, socket, statistics, sys, threading, time, urllib.parse, uuid

url, logins, threads, only = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
warmup = int(sys.argv[6])
pids = [p for p in sys.argv[5].split(",") if p]

def server_cpu_seconds():
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")
u = urllib.parse.urlparse(url)
ADMIN = "Basic " + base64.b64encode(b"admin:roamstore-admin").decode()

def call(conn, method, path, body=None, auth=None):
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = auth
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, data

class KeptAlive:
    """The logins' HTTP/1.1 client: one kept-alive socket, requests as prepared bytes, a response
    read by its length. http.client parses every response's headers with the email package: at 500
    logins/s that took a quarter of a CPU, from the two this machine shares with the server it
    measures."""
    def __init__(self):
        self.sock = None

    def _connect(self):
        self.sock = socket.create_connection((u.hostname, u.port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    @staticmethod
    def request(path, body):
        data = json.dumps(body).encode()
        return (f"POST {path} HTTP/1.1\r\nHost: {u.hostname}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode() + data

    def _more(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def _take(self, n):
        while len(self.buf) < n:
            self._more()
        taken, self.buf = self.buf[:n], self.buf[n:]
        return taken

    def _line(self):
        while b"\r\n" not in self.buf:
            self._more()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def send(self, request):
        if self.sock is None:
            self._connect()
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        status = int(head[9:12])
        headers = head.lower()
        at = headers.find(b"\r\ncontent-length:")
        if at >= 0:
            body = self._take(int(headers[at + 17:].split(b"\r\n", 1)[0]))
        elif b"transfer-encoding: chunked" in headers:
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                body += self._take(size)
                self._line()  # the chunk's CRLF (after the last, empty one: the trailers' end)
                if size == 0:
                    break
        else:
            raise ValueError("a response without a length: " + head.decode(errors="replace"))
        # The server ends a kept-alive connection after so many requests, saying so.
        if b"\r\nconnection: close" in headers:
            self.sock.close()
            self.sock = None
        return status, body

def admin_call(method, path, body):
    # A connection per call: a kept-alive one goes stale (the server closes it) during a scenario.
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        return call(conn, method, path, body, ADMIN)
    finally:
        conn.close()

user = "bench-" + uuid.uuid4().hex[:6]
status, body = admin_call("POST", "/api/admin/users", {"name": user, "password": "bench-password"})
assert status == 201, body

def volume(min_stay):
    name = "bench-" + uuid.uuid4().hex[:8]
    status, body = admin_call("POST", "/api/admin/volumes", {
        "name": name, "owner": user, "sizeBytes": 16 << 20, "transferType": "SYNC",
        "sites": ["seattle", "portland", "sanfrancisco"], "minimumStaySeconds": min_stay})
    assert status == 201, body
    return name

def scenario(title, interfaces, expect, threads=threads, logins=logins, report=True):
    # One volume per thread: logins for different volumes never wait for each other's row lock.
    vols = [volume(0) for _ in range(threads)]
    per_thread = logins // threads
    latencies, errors = [], []
    lock = threading.Lock()

    def worker(i):
        conn = KeptAlive()
        requests = [KeptAlive.request("/api/login", {
            "user": user, "password": "bench-password", "volume": vols[i], "networkInterface": via})
            for via in interfaces]
        expected = [b'"outcome":"%s"' % e.encode() for e in expect]
        mine = []
        for n in range(per_thread):
            t0 = time.perf_counter()
            status, body = conn.send(requests[n % len(requests)])
            mine.append(time.perf_counter() - t0)
            if status != 200 or not any(e in body for e in expected):
                errors.append(body[:200])
        with lock:
            latencies.extend(mine)

    # the first logins of a fresh volume, not measured
    first = KeptAlive()
    for n in range(20):
        first.send(KeptAlive.request("/api/login", {
            "user": user, "password": "bench-password", "volume": vols[0],
            "networkInterface": interfaces[n % len(interfaces)]}))
    cpu0 = server_cpu_seconds() if pids else 0
    start = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    wall = time.perf_counter() - start
    if not report:
        if errors:
            print("  warm-up error:", errors[0])
        return len(latencies) / wall
    cpu = f"{(server_cpu_seconds() - cpu0) * 1000 / len(latencies):.1f}" if pids else "-"
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    print(f"| {title:<34} | {len(latencies):>6} | {len(latencies)/wall:>9.0f} | {p(0.50):>7.1f} | {p(0.99):>7.1f} | {cpu:>7} | {len(errors):>6} |")
    if errors:
        print("  first error:", errors[0])

def warm_up(limit):
    """Rounds of 2000 logins without a switch and 500 with one, until two rounds in a row are no
    faster, in either, than the best before them by more than 5 % (the JIT compilers have settled)
    or `limit` logins are spent. On two CPUs the C2 compiler was still at a sixth of them after 6000
    logins, the same server went from 130 to 850 logins/s over its first 30,000, and with 2400
    switches behind it a switching login still spent a third of its CPU compiling."""
    done, best, best_switch, flat = 0, 0.0, 0.0, 0
    while done < limit and flat < 2:
        rate = scenario("warm-up", ["seattle"], {"AT_PRIMARY"}, logins=2000, report=False)
        switch = scenario("warm-up", ["eugene", "seattle"], {"SWITCH"}, logins=500, report=False)
        done += 2500
        print(f"  warm-up: {done} logins, {rate:.0f}/s without a switch, {switch:.0f}/s with one",
              file=sys.stderr)
        flat = flat + 1 if rate < best * 1.05 and switch < best_switch * 1.05 else 0
        best, best_switch = max(best, rate), max(best_switch, switch)
    return done

warmed = warm_up(warmup) if warmup > 0 else 0
print(f"Roamstore login benchmark: {url}, {threads} threads, {logins} logins per scenario"
      f" ({max(100, logins // 8)} for the 1-thread row), after {warmed} logins of warm-up")
print("| scenario                           | logins | logins/s  | p50 ms  | p99 ms  | CPU ms  | errors |")
print("|------------------------------------|--------|-----------|---------|---------|---------|--------|")
if only in ("", "noswitch"):
    scenario("no switch (nearest is primary)", ["seattle"], {"AT_PRIMARY"})
if only in ("", "switch"):
    scenario("switch every login (sea <-> pdx)", ["eugene", "seattle"], {"SWITCH"})
if only in ("", "switch1"):
    scenario("switch, 1 client thread", ["eugene", "seattle"], {"SWITCH"},
             threads=1, logins=max(100, logins // 8))
PY
