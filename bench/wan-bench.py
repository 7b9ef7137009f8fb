#!/usr/bin/env python3
"""Write latency of SYNC against ASYNC remote copy across an emulated WAN, on the multi-site deployment, with plain and TLS bridges.

  bench/wan-bench.py [--rounds 3] [--runtime 10] [--size 256M] [--delays 0,10,20] [--bridges plain,tls]
                     [--short] [--smoke]

Starts PostgreSQL (payara-config/postgres), a delay proxy in front of each site's broker
(bench/delay-proxy.py, at real-time priority when root) and the three sites at once (payara-config/roamstore
run --site ...; the directory's advisory locks let one of them make the schema and load the topology),
each site reaching the other sites' brokers through their proxies, so only the bridges between brokers
cross the "WAN"; fio talks NBD to Seattle directly. Provisions a 3-copy SYNC and a 3-copy ASYNC volume
(primary Seattle), logs in from the network interface "seattle" and runs 4 KiB random writes at QD1 and
QD16 on each, at every one-way delay, in rounds (the order of the delays reversed every other round,
so drift shows as spread). --bridges: the brokers' acceptors and bridges in clear (plain: --broker-tls
off) and over mutual TLS (tls: --broker-tls required with the demo CA's certificates); the sites are
restarted on the same data to change it, the order reversed every other round (so a round starts with
the transport the previous one ended with: one restart per round). Before each job: every secondary in
sync again, Seattle's broker quiet, and a quiet disk. The references: the same volume at 0 ms with the
same bridges, and the same job with the first of --bridges. The kernel here has no sch_netem, hence the
user-space proxy (README "WAN latency").
--short: 3 s jobs, 256M, delays 0 and 10 ms. --smoke: one round, 1 s jobs at QD16 only, delays 0 and
10 ms, plain bridges only unless --bridges (TLS would cost a restart of the three sites), the servers
with the JIT's first tier only. Needs Debian's fio and postgresql, java and mvn (first build).
"""
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import harness as h

SITES = ("seattle", "portland", "sanfrancisco")
USER, PASSWORD, ADMIN = "wanbench", "wanbench-pass", ("admin", "roamstore-admin")


def post(url, body, auth=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if auth:
        import base64
        req.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"POST {url}: HTTP {e.code} {e.read()[:300]!r}")


class Wan:
    def __init__(self, s, args):
        self.s, self.args = s, args
        self.ports = {site: {k: h.free_port() for k in ("http", "broker", "nbd", "proxy")} for site in SITES}
        self.delay_file = s.path("delay-ms")
        self.set_delay(0, settle=0)
        self.tls_dir, self.launchers = None, {}
        self.seattle_log = s.path("seattle", "logs", "payara.log")
        for site in SITES:  # kept by name: a restart's launcher is a new process of the session
            s.keep += [(s.path(site, "logs"), f"{site}-logs"), (s.path(f"{site}-run.log"), f"{site}-run.log")]

    def start_postgres(self):
        pg = os.path.join(h.ROOT, "payara-config", "postgres")
        data = self.s.path("postgres")
        self.s.on_exit.append(lambda: subprocess.run([pg, "stop", "--data", data], stdout=subprocess.DEVNULL,
                                                     stderr=subprocess.DEVNULL))
        out = subprocess.run([pg, "start", "--data", data, "--port", str(h.free_port())], check=True,
                             stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()
        if not out or not out[-1].startswith("jdbc:postgresql:"):
            raise SystemExit("PostgreSQL did not start")
        self.jdbc = out[-1]

    def start_proxy(self):
        prio = []
        if os.getuid() == 0 and shutil.which("chrt") and subprocess.run(["chrt", "-f", "10", "true"]).returncode == 0:
            prio = ["chrt", "-f", "10"]  # the proxy stands for the network, which does not wait for the CPUs
        maps = [a for site in SITES for a in ("--map", f"{self.ports[site]['proxy']}=127.0.0.1:{self.ports[site]['broker']}")]
        proxy = self.s.start("proxy", [*prio, "python3", os.path.join(h.BENCH, "delay-proxy.py"),
                                       "--delay-file", self.delay_file, *maps])
        proxy.wait_log("listening", timeout=30)

    def launch(self, site, bridges):
        p = self.ports[site]
        peers = [a for other in SITES if other != site
                 for a in ("--peer", f"{other}=127.0.0.1:{self.ports[other]['proxy']}")]
        # NBD and the gateway in clear: this bench measures remote copy across the WAN (and its
        # plain HTTP calls provision and log in). The brokers' users share one secrets directory,
        # and their certificates one CA, as sites must.
        tls = (["--broker-tls", "required", "--broker-tls-dir", self.tls_dir] if bridges == "tls"
               else ["--broker-tls", "off"])
        h.log(f"starting {site} (HTTP {p['http']}, broker {p['broker']}, NBD {p['nbd']}, {bridges} bridges)...")
        return self.s.start(f"{site}-run", [
            os.path.join(h.ROOT, "payara-config", "roamstore"), "run", "--site", site,
            "--data", self.s.path(site), "--port", str(p["http"]), "--broker-port", str(p["broker"]),
            "--nbd-port", str(p["nbd"]), *peers, "--jdbc-url", self.jdbc, "--jdbc-user", "roamstore",
            "--nbd-tls", "off", "--https", "off", *tls, "--broker-secrets", self.s.path("secrets")],
            env=h.launcher_env(self.args, ROAMSTORE_JDBC_PASSWORD="roamstore"))

    def start_sites(self, bridges):
        """The three sites together (on 2 CPUs well under the time of one after the other); a site
        whose launcher gives up is started again (on a loaded machine Payara Micro can take longer
        than it waits)."""
        if bridges == "tls" and self.tls_dir is None:
            self.tls_dir = h.demo_certificates(self.s.work, SITES)
        t0 = time.monotonic()
        first = self.launch(SITES[0], bridges)
        # The sites share one secrets directory, whose passwords each launcher's configuration step
        # makes when missing: the others start once the first has made them (its broker.pid follows).
        pid_file = self.s.path(SITES[0], "broker.pid")
        deadline = time.monotonic() + 300
        while not os.path.exists(pid_file) and first.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.launchers = {SITES[0]: first, **{site: self.launch(site, bridges) for site in SITES[1:]}}
        for site in SITES:
            for attempt in (1, 2, 3):
                try:
                    self.launchers[site].wait_log("is running", timeout=900)
                    break
                except SystemExit as e:
                    h.log(f"  {site} did not start (attempt {attempt}): {str(e)[-400:]}")
                    self.launchers[site].stop()
                    self.s.forget(self.launchers[site])
                    if attempt == 3:
                        raise
                    self.launchers[site] = self.launch(site, bridges)
        self.await_marked_up()
        h.log(f"three sites up in {time.monotonic() - t0:.0f} s ({bridges} bridges)")
        with open(self.s.path("seattle", "broker.pid")) as f:
            self.broker_pid = int(f.read())

    def await_marked_up(self, timeout=120):
        """Until Seattle's directory has every site up: a site that started after the others was
        marked down by their site watches while it did not answer, and is marked up again at its
        first answer; a volume is made at every site or not at all."""
        url = f"http://127.0.0.1:{self.ports['seattle']['http']}/api/sites"
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    sites = json.loads(r.read())["dataCenters"]
                down = [d["name"] for d in sites if not d["up"]]
            except (OSError, ValueError, KeyError) as e:
                down = [str(e)]
            if not down:
                return
            if time.monotonic() > deadline:
                raise SystemExit(f"sites still marked down after {timeout} s: {down}")
            time.sleep(0.5)

    def stop_sites(self):
        """All three at once, each launcher stopping its server and broker."""
        h.stop_together(list(self.launchers.values()))
        for launcher in self.launchers.values():
            self.s.forget(launcher)
        self.launchers = {}

    def provision(self):
        api = f"http://127.0.0.1:{self.ports['seattle']['http']}/api"
        post(f"{api}/admin/users", {"name": USER, "password": PASSWORD}, ADMIN)
        for mode in ("SYNC", "ASYNC"):
            post(f"{api}/admin/volumes", {"name": f"wan-{mode.lower()}", "owner": USER,
                                          "sizeBytes": h.size_bytes(self.args.size), "transferType": mode,
                                          "sites": list(SITES), "primary": "seattle", "minimumStaySeconds": 0},
                 ADMIN)

    def login(self):
        """Logs in to both volumes from the interface seattle (again after each restart of the sites)."""
        api = f"http://127.0.0.1:{self.ports['seattle']['http']}/api"
        self.uri = {}
        for mode in ("SYNC", "ASYNC"):
            volume = f"wan-{mode.lower()}"
            answer = post(f"{api}/login", {"user": USER, "password": PASSWORD, "volume": volume,
                                           "networkInterface": "seattle"})
            if answer["dataCenter"]["name"] != "seattle":
                raise SystemExit(f"login did not land at seattle: {answer}")
            self.uri[mode] = answer["nbd"]["uri"]
            h.log(f"{mode} volume {volume}: {answer['outcome']} at seattle")

    def set_delay(self, ms, settle=1):
        with open(self.delay_file + ".new", "w") as f:
            f.write(f"{ms}\n")
        os.replace(self.delay_file + ".new", self.delay_file)
        time.sleep(settle)  # the proxy polls its file every 50 ms; let data queued under the old delay go

    def log_text(self):
        with open(self.seattle_log, errors="replace") as f:
            return f.read()

    def out_of_sync(self):
        """How many secondaries are out of sync now: the last word on each (group, secondary)."""
        state = {}
        for m in re.finditer(r"copy group (\S+): (?:secondary )?([a-z0-9]+) is (out of sync|in sync again)",
                             self.log_text()):
            state[(m.group(1), m.group(2))] = m.group(3) == "out of sync"
        return sum(state.values())

    def wait_quiet(self, limit=120):
        """Every secondary in sync again and Seattle's broker under 5 % of a CPU for 2 s running."""
        quiet, hz = 0, os.sysconf("SC_CLK_TCK")
        for _ in range(limit):
            if self.out_of_sync() == 0:
                a = cpu_ticks(self.broker_pid)
                time.sleep(1)
                quiet = quiet + 1 if (cpu_ticks(self.broker_pid) - a) * 100 < hz * 5 else 0
                if quiet >= 2:
                    break
            else:
                time.sleep(1)
        else:
            h.log(f"  (still resynchronising or busy after {limit} s)")
        return h.quiet_disk(self.args.quiet_wait, hold=self.args.quiet_hold)

    def job(self, mode, depth):
        before = len(self.log_text())
        start_ms = time.time() * 1000
        res = h.fio(self.s.work, self.uri[mode], "randwrite", "4k", depth, self.args.size, self.args.runtime,
                    self.args.ramp, name="wan")
        new = self.log_text()[before:]
        drop = "-"
        for line in new.splitlines():
            if "is out of sync" in line:
                m = re.search(r"timeMillis: (\d+)", line)
                drop = f"{(int(m.group(1)) - start_ms) / 1000:.0f}s" if m else "yes"
                break
        res["drop"] = drop
        return res


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


TRANSPORTS = ("plain", "tls")


def main(argv):
    parser = h.options(__doc__.splitlines()[0], runtime=10, size="256M")
    parser.add_argument("--delays", help="one-way delays in ms (default 0,10,20; --short and --smoke 0,10; 0 is the "
                                          "reference)")
    parser.add_argument("--bridges", help="the bridges' transports, comma-separated, the first the reference "
                                           "(default plain,tls; with --smoke plain)")
    args = h.parse(parser, argv)
    delays = [int(d) for d in (args.delays or ("0,10" if args.smoke or args.short else "0,10,20")).split(",")]
    if 0 not in delays:
        delays.insert(0, 0)
    # TLS bridges cost a smoke run a restart of the three sites, over a minute on 2 CPUs, which the
    # test command cannot spare; MultiSiteIT runs every broker and bridge on mutual TLS.
    skipped = "; TLS bridges not run in smoke mode (--bridges plain,tls runs them)" if not args.bridges and args.smoke else ""
    bridges = [b for b in (args.bridges or ("plain" if args.smoke else "plain,tls")).split(",") if b]
    if not bridges or any(b not in TRANSPORTS for b in bridges) or len(set(bridges)) < len(bridges):
        parser.error(f"--bridges {args.bridges}: plain, tls or both")
    # A smoke run checks that each job runs; QD1 runs the same code as QD16.
    depths = (16,) if args.smoke else (1, 16)
    h.ensure_packages(["fio", "postgresql"], ["java", "mvn", "fio"])
    if "nbd" not in subprocess.run(["fio", "--enghelp"], stdout=subprocess.PIPE, text=True).stdout.split():
        raise SystemExit("this fio has no nbd engine: install Debian's fio (built with libnbd)")
    h.runtime_dist()
    keys = [(d, m, q, b) for d in delays for m in ("SYNC", "ASYNC") for q in depths for b in bridges]
    results = {k: [] for k in keys}
    with h.Session("wan") as s:
        wan = Wan(s, args)
        h.log("starting PostgreSQL...")
        wan.start_postgres()
        wan.start_proxy()
        load_before = open("/proc/loadavg").read().split()[:3]
        running = None
        for r in range(args.rounds):
            for transport in h.order(r, bridges):
                if transport != running:
                    if running:
                        wan.stop_sites()
                    wan.start_sites(transport)
                    if running is None:
                        wan.provision()
                    wan.login()
                    running = transport
                for delay in h.order(r, delays):
                    wan.set_delay(delay)
                    for mode in ("SYNC", "ASYNC"):
                        for depth in depths:
                            quiet = wan.wait_quiet()
                            res = wan.job(mode, depth)
                            results[(delay, mode, depth, transport)].append(res)
                            h.log(f"round {r + 1} {transport} {delay} ms {mode} QD{depth}: {h.num(res['iops'])} IOPS, "
                                  f"clat p50 {h.lat(res['p50'])} ms, p99 {h.lat(res['p99'])} ms, p99.9 "
                                  f"{h.lat(res['p99.9'])} ms, out of sync: {res['drop']} ({quiet})")
        load_after = open("/proc/loadavg").read().split()[:3]
        wan.stop_sites()
    rows = []
    for delay, mode, depth, transport in keys:
        runs = results[(delay, mode, depth, transport)]
        iops = [x["iops"] for x in runs]
        at_zero = h.median([x["iops"] for x in results[(0, mode, depth, transport)]])
        plain = h.median([x["iops"] for x in results[(delay, mode, depth, bridges[0])]])
        rows.append([f"{delay} ms", mode, f"QD{depth}", transport, " / ".join(h.num(x) for x in iops),
                     h.num(h.median(iops)), f"{h.num(min(iops))}-{h.num(max(iops))}",
                     *(h.lat(h.median([x[p] for x in runs])) for p in ("p50", "p99", "p99.9")),
                     "ref" if delay == 0 else (f"{h.median(iops) / at_zero:.2f}" if at_zero else "-"),
                     *(["ref" if transport == bridges[0] else (f"{h.median(iops) / plain:.2f}" if plain else "-")]
                       if len(bridges) > 1 else []),
                     " / ".join(x["drop"] for x in runs)])
    ratios = "'vs 0 ms', median IOPS against the same volume, depth and bridges at 0 ms" + (
        f"; 'vs {bridges[0]}', against the same job with {bridges[0]} bridges" if len(bridges) > 1 else "")
    print(f"4 KiB random writes through NBD at Seattle on 3-copy volumes (seattle primary, portland, sanfrancisco), "
          f"every link between the sites' brokers delayed by the one-way delay each way; bridges: "
          f"{' and '.join(TRANSPORT_TEXT[b] for b in bridges)}{', the sites restarted to change them' if len(bridges) > 1 else ''}{skipped}; "
          f"{h.describe(args, 'the delays and the bridges', ratios)}; "
          f"out of sync: when (s into the job) the primary marked its secondaries out of sync, '-' never; "
          f"load average {' '.join(load_before)} before, {' '.join(load_after)} after ({os.cpu_count()} CPUs)\n")
    print(h.markdown(["one-way delay", "mode", "depth", "bridges", "IOPS per round", "median", "spread", "p50 ms",
                      "p99 ms", "p99.9 ms", "vs 0 ms", *([f"vs {bridges[0]}"] if len(bridges) > 1 else []), "out of sync"],
                     rows, right=range(4, 11 + (len(bridges) > 1))))


TRANSPORT_TEXT = {"plain": "plain TCP (--broker-tls off)",
                  "tls": "mutual TLS on every broker's acceptor and bridge (--broker-tls required, demo CA)"}


if __name__ == "__main__":
    h.run(main)
