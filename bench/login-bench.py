#!/usr/bin/env python3
"""Logins per second and login latency over REST, without and with a change of primary.

  bench/login-bench.py [--rounds 3] [--logins 2000] [--threads 8] [--warmup 60000] [--short] [--smoke]
                       [--only noswitch|switch|switch1] [--url http://H:P/ [--pids P1,P2]]

Starts a Roamstore of its own (`payara-config/roamstore run`, data under bench/target, free ports;
the runtime is built with -am when missing), or uses a running one with --url (its demo admin must
exist; --pids names its processes for the CPU column). Before any figure it warms the server up
(rounds of 2000 logins without and 500 with a switch, until two rounds in a row are no faster than
the best before, at most --warmup logins: the figures are of a server that has been running). Then,
in each round, three scenarios: no switch (the nearest site is primary), a switch of primary at
every login (8 threads), and a switch with one client thread (what one user waits for; --logins/8
logins, at least 100). There is no reference side: the table gives each round's logins/s, the
median and spread, latency percentiles over all rounds, and the server's CPU per login (Payara
Micro and the broker). --short: 200 logins per scenario, one warm-up round (2500 logins). Needs java and mvn (first build), python3.
"""
import base64
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
import uuid

import harness as h


class KeptAlive:
    """The logins' HTTP/1.1 client: one kept-alive socket, requests as prepared bytes, a response
    read by its length. http.client parses every response's headers with the email package: at 500
    logins/s that took a quarter of a CPU, from the two this machine shares with the server."""

    def __init__(self, u):
        self.u, self.sock, self.buf = u, None, b""

    def _connect(self):
        self.sock = socket.create_connection((self.u.hostname, self.u.port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def request(self, path, body):
        data = json.dumps(body).encode()
        return (f"POST {path} HTTP/1.1\r\nHost: {self.u.hostname}\r\nContent-Type: application/json\r\n"
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
        if b"\r\nconnection: close" in headers:  # the server ends a kept-alive connection so
            self.sock.close()
            self.sock = None
        return status, body

    def close(self):
        if self.sock:
            self.sock.close()


class LoginBench:
    ADMIN = "Basic " + base64.b64encode(b"admin:roamstore-admin").decode()

    def __init__(self, url, pids, threads):
        self.u = urllib.parse.urlparse(url)
        self.pids, self.threads = pids, threads
        self.user = "bench-" + uuid.uuid4().hex[:6]
        status, body = self.admin("POST", "/api/admin/users", {"name": self.user, "password": "bench-password"})
        assert status == 201, body

    def admin(self, method, path, body):
        # A connection per call: a kept-alive one goes stale (the server closes it) during a scenario.
        conn = http.client.HTTPConnection(self.u.hostname, self.u.port, timeout=60)
        try:
            conn.request(method, path, body=json.dumps(body),
                         headers={"Content-Type": "application/json", "Authorization": self.ADMIN})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def cpu_seconds(self):
        total = 0
        for pid in self.pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def volume(self):
        name = "bench-" + uuid.uuid4().hex[:8]
        status, body = self.admin("POST", "/api/admin/volumes", {
            "name": name, "owner": self.user, "sizeBytes": 16 << 20, "transferType": "SYNC",
            "sites": ["seattle", "portland", "sanfrancisco"], "minimumStaySeconds": 0})
        assert status == 201, body
        return name

    def scenario(self, interfaces, expect, logins, threads=None):
        """Returns logins/s, the latencies in seconds, CPU ms per login (or None) and the errors."""
        threads = threads or self.threads
        # One volume per thread: logins for different volumes never wait for each other's row lock.
        vols = [self.volume() for _ in range(threads)]
        per_thread = max(1, logins // threads)
        latencies, errors, lock = [], [], threading.Lock()

        def worker(i):
            conn = KeptAlive(self.u)
            requests = [conn.request("/api/login", {"user": self.user, "password": "bench-password",
                                                    "volume": vols[i], "networkInterface": via})
                        for via in interfaces]
            expected = [b'"outcome":"%s"' % e.encode() for e in expect]
            mine = []
            try:
                for n in range(per_thread):
                    t0 = time.perf_counter()
                    status, body = conn.send(requests[n % len(requests)])
                    mine.append(time.perf_counter() - t0)
                    if status != 200 or not any(e in body for e in expected):
                        errors.append(body[:200])
            finally:
                conn.close()
                with lock:
                    latencies.extend(mine)

        first = KeptAlive(self.u)  # the first logins of a fresh volume, not measured
        for n in range(20):
            first.send(first.request("/api/login", {"user": self.user, "password": "bench-password",
                                                    "volume": vols[0],
                                                    "networkInterface": interfaces[n % len(interfaces)]}))
        first.close()
        cpu0 = self.cpu_seconds() if self.pids else 0
        start = time.perf_counter()
        ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        wall = time.perf_counter() - start
        cpu = (self.cpu_seconds() - cpu0) * 1000 / len(latencies) if self.pids else None
        return len(latencies) / wall, latencies, cpu, errors

    def warm_up(self, limit):
        """Rounds of 2000 logins without a switch and 500 with one, until two rounds in a row are no
        faster, in either, than the best before them by more than 5 % or `limit` logins are spent. On
        two CPUs the same server went from 130 to 850 logins/s over its first 30,000."""
        done, best, best_switch, flat = 0, 0.0, 0.0, 0
        while done < limit and flat < 2:
            rate = self.scenario(["seattle"], {"AT_PRIMARY"}, 2000)[0]
            switch = self.scenario(["eugene", "seattle"], {"SWITCH"}, 500)[0]
            done += 2500
            h.log(f"  warm-up: {done} logins, {rate:.0f}/s without a switch, {switch:.0f}/s with one")
            flat = flat + 1 if rate < best * 1.05 and switch < best_switch * 1.05 else 0
            best, best_switch = max(best, rate), max(best_switch, switch)
        return done


SCENARIOS = [  # key, title, interfaces, expected outcome, threads (None: --threads), share of --logins
    ("noswitch", "no switch (nearest is primary)", ["seattle"], {"AT_PRIMARY"}, None, 1),
    ("switch", "switch every login (sea <-> pdx)", ["eugene", "seattle"], {"SWITCH"}, None, 1),
    ("switch1", "switch, 1 client thread", ["eugene", "seattle"], {"SWITCH"}, 1, 8),
]


def start_roamstore(s, args):
    h.runtime_dist()
    port = h.free_port()
    data = s.path("data")
    s.keep.append((os.path.join(data, "logs"), "roamstore-logs"))
    launcher = s.start("roamstore-run", [os.path.join(h.ROOT, "payara-config", "roamstore"), "run", "--data", data,
                                         "--port", str(port), "--broker-port", str(h.free_port()),
                                         "--nbd-port", "0"], env=h.launcher_env(args))
    h.log("starting Roamstore (payara-config/roamstore run)...")
    launcher.wait_log("Roamstore is running", timeout=600)
    pids = []
    for name in ("payara.pid", "broker.pid"):
        with open(os.path.join(data, name)) as f:
            pids.append(int(f.read()))
    return f"http://127.0.0.1:{port}/", pids


def main(argv):
    parser = h.options(__doc__.splitlines()[0], runtime=0, size="0")
    parser.add_argument("--url", help="use a running Roamstore")
    parser.add_argument("--pids", default="", help="with --url: its processes, for the CPU column")
    parser.add_argument("--logins", type=int, default=2000, help="logins per scenario and round (default 2000)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--warmup", type=int, default=60000, help="at most this many logins of warm-up")
    parser.add_argument("--only", choices=[k for k, *_ in SCENARIOS], help="one scenario")
    args = h.parse(parser, argv)
    if args.smoke:
        args.logins, args.threads, args.warmup = 40, 2, 0
    elif args.short:
        args.logins, args.warmup = 200, 2500
    h.ensure_packages([], ["java", "mvn"] if not args.url else [])
    results = {k: [] for k, *_ in SCENARIOS}
    with h.Session("login") as s:
        url, pids = (args.url, [int(p) for p in args.pids.split(",") if p]) if args.url else start_roamstore(s, args)
        bench = LoginBench(url, pids, args.threads)
        warmed = bench.warm_up(args.warmup) if args.warmup > 0 else 0
        for r in range(args.rounds):
            for key, _title, interfaces, expect, threads, share in SCENARIOS:
                if args.only and key != args.only:
                    continue
                logins = max(100, args.logins // 8) if share == 8 and not args.smoke else args.logins // share
                res = bench.scenario(interfaces, expect, max(logins, 1), threads)
                results[key].append(res)
                rate, lat, cpu, errors = res
                lat = sorted(lat)
                h.log(f"round {r + 1} {key}: {rate:.0f} logins/s, p50 {pct(lat, 0.5):.1f} ms, "
                      f"{len(errors)} errors{': ' + repr(errors[0]) if errors else ''}")
    rows = []
    for key, title, *_ in SCENARIOS:
        runs = results[key]
        if not runs:
            continue
        rates = [r[0] for r in runs]
        lat = sorted(x for r in runs for x in r[1])
        cpus = [r[2] for r in runs if r[2] is not None]
        rows.append([title, sum(len(r[1]) for r in runs), " / ".join(h.num(x) for x in rates), h.num(h.median(rates)),
                     f"{h.num(min(rates))}-{h.num(max(rates))}", f"{pct(lat, 0.5):.1f}", f"{pct(lat, 0.99):.1f}",
                     f"{pct(lat, 0.999):.1f}", f"{h.median(cpus):.1f}" if cpus else "-",
                     sum(len(r[3]) for r in runs)])
    print(f"Login over REST ({url}): {args.threads} client threads, {args.logins} logins per scenario and "
          f"round, {args.rounds} round(s), after {warmed} logins of warm-up; latency over all rounds; CPU: "
          f"Payara Micro and the broker, ms per login (median of the rounds)\n")
    print(h.markdown(["scenario", "logins", "logins/s per round", "median", "spread", "p50 ms", "p99 ms",
                      "p99.9 ms", "CPU ms", "errors"], rows))
    if any(r[-1] for r in rows):
        raise SystemExit("some logins failed (errors column)")


def pct(sorted_seconds, q):
    if not sorted_seconds:
        return 0
    return sorted_seconds[min(len(sorted_seconds) - 1, int(q * len(sorted_seconds)))] * 1000


if __name__ == "__main__":
    h.run(main)
