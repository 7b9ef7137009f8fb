#!/usr/bin/env python3
"""Remote copy: fio through NBD on a 3-copy volume, ASYNC and SYNC, against a plain qemu-nbd.

  bench/remote-copy-bench.py [--rounds 3] [--runtime 10] [--size 1G] [--drain 1G] [--cache-mib 256]
                             [--warmup 5] [--jobs 4k|1M] [--modes async,sync] [--peers active,background]
                             [--java-extra ...] [--short] [--smoke]

Three StandaloneStorage processes (seattle primary, portland, sanfrancisco) and one site broker
(BrokerMain) on this machine, and qemu-nbd (--cache=writeback, raw file) beside them, and the peer on the same machine: QEMU's block mirror of a raw file to one qemu-nbd
(qemu-storage-daemon's blockdev-mirror, active and background copy mode; see qemu_mirror.py), its
ratio against the same qemu-nbd. After a
warm-up (rounds of --warmup s per job on each volume until the four JVMs' JIT compilers use under
2 % of the CPUs, at most 8 rounds: servers run for days), every job runs on every side in each
round, in alternating order, each side after a quiet disk. After each Roamstore job the bench waits
until both secondaries have it durable (catch-up) and counts secondaries marked out of sync during
it (dropped: then the figure is partly that of a volume without remote copy). Then: synchronize
cache on an empty backlog (9 times); SYNC beside ASYNC: the 4 KiB SYNC job alone, while the 1 MiB
ASYNC job writes to another volume of the same primary at full speed, while it writes to one the
primary does not pace, and while it writes to qemu-nbd (the machine's share alone), alternating, its ratio the SYNC figure beside ASYNC over the one alone; and the drain of a --drain ASYNC backlog written while
both secondaries were stopped; at the end, each JVM's resident memory (RSS). --short: 3 s jobs, 256M, 2 s warm-up rounds, 256M drain. Needs Debian's fio, qemu-utils and
qemu-system-common (qemu-storage-daemon, for the peer), java and mvn.
"""
import os
import re
import subprocess
import time

import harness as h
import qemu_mirror

JOBS = [
    ("4k randwrite QD16", "randwrite", "4k", 16, "iops"),
    ("1M seqwrite QD4", "write", "1M", 4, "mib_s"),
]
SITES = ("portland", "sanfrancisco")
# G1 regions of 8 MiB: with 1 MiB every message buffer of 512 KiB or more is "humongous" (10-16 s
# of G1 pauses per process in a 3-minute run); the heap committed and touched at start, as a
# long-running server's is (a young JVM's page faults took 17 % of both CPUs).
# Out of heap, a JVM exits (the bench fails) instead of lingering without answering. 512 MiB: the
# cache is direct memory (256 MiB per site), so with 768 MiB of heap, all of it touched, a storage JVM
# and the broker each ended the bench at 1.2 GiB resident; the target is at most 1 GiB each.
JAVA_OPTS = ["-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=1g", "-XX:+ExitOnOutOfMemoryError",
             "-XX:G1HeapRegionSize=8m", "-Dorg.slf4j.simpleLogger.log.org.apache.activemq.audit=off",
             "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"]


class RemoteCopy:
    def __init__(self, s, args, cp):
        self.s, self.args, self.cp = s, args, cp
        self.java = ["java", *(JAVA_OPTS if not args.smoke else
                               [o.replace("512m", "256m") for o in JAVA_OPTS if o != "-XX:+AlwaysPreTouch"]),
                     *args.java_extra.split()]
        self.broker_port, self.nbd_port = h.free_port(), h.free_port()
        # producerWindowSize: with Artemis's 64 KiB default every 1 MiB batch waited for credits.
        self.broker_url = (f"tcp://127.0.0.1:{self.broker_port}?minLargeMessageSize=4194304"
                           "&consumerWindowSize=8388608&producerWindowSize=8388608")
        drain = args.drain if h.size_bytes(args.drain) else "1M"
        self.site_args = [str(args.cache_mib), "--volume", f"async:{args.size}", "--volume", f"sync:{args.size}",
                          "--volume", f"drain:{drain}", "--volume", f"unpaced:{args.size}"]
        for group, mode in (("async", "ASYNC"), ("sync", "SYNC"), ("drain", "ASYNC"), ("unpaced", "ASYNC")):
            self.site_args += ["--group", f"{group}:{mode}:1:seattle/{group}*,portland/{group},sanfrancisco/{group}"]
        self.sites = {}
        self.exports = ["async", "sync", "drain", "unpaced"]  # the volumes seattle serves over NBD

    def jvm(self, name):
        """The java command of one JVM: --java-extra may name it as {name} (one JFR file each)."""
        return [part.replace("{name}", name) for part in self.java]

    def start_broker(self):
        self.broker = self.s.start("broker", [*self.jvm("broker"), "-cp", self.cp, "org.roamstore.broker.BrokerMain",
                                              "--data", self.s.path("broker"), "--port", str(self.broker_port)])
        self.broker.wait_log("listening")

    def start_site(self, site):
        primary = site == "seattle"
        # The ASYNC volume 'unpaced' is not held back beside SYNC writes (see sync_beside_async).
        argv = [*self.jvm(site), "-Droamstore.remoteCopy.unpacedVolumes=unpaced", "-cp", self.cp,
                "org.roamstore.storage.engine.StandaloneStorage", site,
                self.s.path(site), str(self.nbd_port if primary else -1), *self.site_args,
                "--broker", self.broker_url]
        if primary:
            for volume in self.exports:
                argv += ["--export", volume]
        proc = self.s.start(site, argv, stdin=subprocess.PIPE if primary else subprocess.DEVNULL)
        self.sites[site] = proc
        return proc

    def command(self, line, reply, timeout=3600):
        """A command to seattle on its stdin; returns its reply line (REPLY... or FAILED...)."""
        return self.sites["seattle"].command(line, reply, timeout)

    def catch_up(self, volume):
        reply = self.command(f"sync {volume} portland,sanfrancisco", "SYNCED")
        if not reply.startswith("SYNCED"):
            raise SystemExit(f"catch-up of {volume} failed: {reply}")
        return reply

    def drops(self, volume):
        return len(re.findall(rf"copy group {volume}: secondary .* is out of sync", self.sites["seattle"].text()))

    def uri(self, volume):
        return f"nbd://127.0.0.1:{self.nbd_port}/{volume}"

    def jit_seconds(self):
        total = 0
        for proc in [self.broker, *self.sites.values()]:
            for task in os.listdir(f"/proc/{proc.pid}/task") if proc.alive() else []:
                try:
                    with open(f"/proc/{proc.pid}/task/{task}/comm") as f:
                        if not re.match(r"C[12] Compiler", f.read()):
                            continue
                    with open(f"/proc/{proc.pid}/task/{task}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    total += int(fields[11]) + int(fields[12])
                except OSError:
                    pass
        return total / os.sysconf("SC_CLK_TCK")

    def warm_up(self, seconds, rounds=8, settled=2.0):
        h.log(f"warming up in rounds of {seconds} s per job until the JIT compilers use under {settled} % of the CPUs...")
        for r in range(rounds):
            jit0, t0 = self.jit_seconds(), time.monotonic()
            for volume in ("async", "sync"):
                for _label, rw, bs, depth, _unit in JOBS:
                    h.fio(self.s.work, self.uri(volume), rw, bs, depth, self.args.size, seconds, ramp=0, name="warmup")
                self.catch_up(volume)
            share = 100 * (self.jit_seconds() - jit0) / (time.monotonic() - t0) / os.cpu_count()
            h.log(f"  warm-up round {r + 1}: JIT compilers used {share:.1f} % of the CPUs")
            if share < settled:
                break

    def side(self, volume, name):
        state = {}

        def before(_label):
            state["drops"] = self.drops(volume)

        def after(_label, _res):
            t0 = time.monotonic()
            self.catch_up(volume)
            return {"dropped": self.drops(volume) - state["drops"], "catch-up s": f"{time.monotonic() - t0:.1f}"}

        return h.Side(name, self.uri(volume), before=before, after=after)

    def sync_cache_p50(self, times=9):
        ms = []
        for _ in range(times):
            reply = self.catch_up("async")
            ms.append(float(reply.split()[-1]))
        return h.median(ms), ms

    def resident_mib(self):
        """Each JVM's resident memory now, in MiB (the target: at most 1 GiB each after the bench)."""
        rss = {}
        for name, proc in {"broker": self.broker, **self.sites}.items():
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
                rss[name] = kib / 1024
            except (OSError, StopIteration):
                rss[name] = None
        return rss

    def drain(self):
        h.log(f"drain: stopping the secondaries, writing {self.args.drain} ASYNC, starting them again...")
        for site in SITES:
            self.sites[site].stop()
        res = h.fio(self.s.work, self.uri("drain"), "write", "1M", 4, self.args.drain, runtime=0, name="backlog")
        drops_before = self.drops("drain")
        start = time.monotonic()
        for site in SITES:
            self.s.forget(self.sites[site])
            os.rename(self.sites[site].log, self.sites[site].log + ".before-drain")
        for proc in [self.start_site(site) for site in SITES]:
            proc.wait_log("READY")
        ready = time.monotonic()
        procs = {"broker": self.broker, **self.sites}
        cpu0 = {n: cpu_seconds(p.pid) for n, p in procs.items()}
        self.catch_up("drain")
        end = time.monotonic()
        cpu = {n: cpu_seconds(p.pid) - cpu0[n] for n, p in procs.items()}
        mib = res["bytes"] / 1048576
        return (f"Drain of a {mib:.0f} MiB ASYNC backlog to 2 secondaries: {mib / (end - start):.0f} MiB/s per "
                f"secondary from their restart (both JVMs started at once, their start included), {mib / (end - ready):.0f} MiB/s from both "
                f"ready; secondaries marked out of sync while it was written: {drops_before}, during the "
                f"drain: {self.drops('drain') - drops_before}; CPU seconds during the drain (from ready): "
                + ", ".join(f"{n} {c:.1f}" for n, c in cpu.items()) + ".")


def cpu_busy():
    """The machine's CPU time so far: (busy, total) in clock ticks, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def sync_beside_async(rc, args, reference_uri):
    """The SYNC 4 KiB job alone and beside the ASYNC 1 MiB job on the same primary, in alternating
    rounds; returns a Markdown table (each round's figures, medians, ratio beside/alone). One more
    case runs the same 1 MiB job against qemu-nbd instead: the cost of sharing the machine's CPUs and
    disk with a heavy writer, which no pacing inside Roamstore can take away."""
    import threading
    _label, rw, bs, depth, _unit = JOBS[0]
    _l, arw, abs_, adepth, _u = JOBS[1]
    beside_dir = rc.s.path("beside")
    os.makedirs(beside_dir, exist_ok=True)
    # The primary paces ASYNC writes while they slow SYNC ones (SyncFirstPacer); 'unpaced' is an
    # ASYNC volume it leaves alone, to show what the pacing changes.
    background = {"beside ASYNC": "async", "beside ASYNC, unpaced": "unpaced",
                  "beside qemu-nbd writer": None}
    runs = {"alone": [], **{case: [] for case in background}}
    busy = {case: [] for case in runs}
    async_mib = {case: [] for case in background}
    for r in range(args.rounds):
        for case in h.order(r, list(runs)):
            quiet = h.quiet_disk(args.quiet_wait, hold=args.quiet_hold)
            if case == "alone":
                cpu0 = cpu_busy()
                res = h.fio(rc.s.work, rc.uri("sync"), rw, bs, depth, args.size, args.runtime, args.ramp)
            else:
                result = {}
                volume = background[case]

                # At full speed for the whole SYNC job; a smoke run writes its small volume once
                # (the time-based job filled its JVMs' small heaps: see bench/RESULTS.md).
                async_runtime = 0 if args.smoke else args.runtime + args.ramp + 2

                def write_async():
                    uri = rc.uri(volume) if volume else reference_uri
                    result["res"] = h.fio(beside_dir, uri, arw, abs_, adepth, args.size,
                                          async_runtime, ramp=0, name="async")

                t = threading.Thread(target=write_async)
                t.start()
                time.sleep(1)  # the ASYNC job at full speed before the SYNC job starts
                cpu0 = cpu_busy()
                res = h.fio(rc.s.work, rc.uri("sync"), rw, bs, depth, args.size, args.runtime, args.ramp)
                cpu1 = cpu_busy()
                t.join()
                async_mib[case].append(result["res"]["mib_s"])
                if volume:
                    rc.catch_up(volume)
            if case == "alone":
                cpu1 = cpu_busy()
            rc.catch_up("sync")
            runs[case].append(res)
            busy[case].append(100 * (cpu1[0] - cpu0[0]) / max(1, cpu1[1] - cpu0[1]))
            h.log(f"round {r + 1} SYNC {bs} {case}: {h.num(res['iops'])} IOPS, clat p50 {h.lat(res['p50'])} ms,"
                  f" p99 {h.lat(res['p99'])} ms, CPUs {busy[case][-1]:.0f} % busy" + (f"; ASYNC {h.num(async_mib[case][-1], 1)} MiB/s" if case != "alone" else "")
                  + f" ({quiet})")
    alone = h.median([x["iops"] for x in runs["alone"]])
    rows = []
    for case, results in runs.items():
        m = h.median([x["iops"] for x in results])
        rows.append([case, " / ".join(h.num(x["iops"]) for x in results), h.num(m),
                     h.lat(h.median([x["p50"] for x in results])), h.lat(h.median([x["p99"] for x in results])),
                     f"{h.median(busy[case]):.0f}",
                     h.num(h.median(async_mib[case]), 1) if case != "alone" else "-",
                     "ref" if case == "alone" else (f"{m / alone:.2f}" if alone else "-")])
    return h.markdown(["SYNC 4k randwrite QD16", "rounds (IOPS)", "median", "p50 ms", "p99 ms",
                       "CPUs busy %", "ASYNC 1M MiB/s", "ratio"], rows)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parse_args(doc, argv, jobs_option=True):
    """The options of a bench on three storage JVMs and a broker (this one and the activity-verify one)."""
    parser = h.options(doc.splitlines()[0], runtime=10, size="1G")
    parser.add_argument("--drain", help="ASYNC backlog for the drain, 0 = no drain (default 1G; --short 256M)")
    parser.add_argument("--cache-mib", type=int, default=256, help="each site's cache (default 256)")
    parser.add_argument("--warmup", type=int, help="seconds per job in each warm-up round, 0 = none (default 5; "
                        "--short 2)")
    if jobs_option:
        parser.add_argument("--jobs", default="", help="only the jobs whose label starts so (4k or 1M)")
    parser.add_argument("--modes", default="async,sync", help="remote copy modes to run (default async,sync)")
    parser.add_argument("--peers", default="active,background",
                        help="QEMU mirror modes to run as the peer, '' for none (default active,background)")
    parser.add_argument("--java-extra", default="", help="more options for every JVM, {name} its name (e.g. "
                        "--java-extra=-XX:StartFlightRecording=filename=/some/dir/{name}.jfr)")
    args = h.parse(parser, argv)
    # What a mode implies, unless given: a smoke run is seconds long whatever else is asked.
    drain, warmup = ("8M", 0) if args.smoke else ("256M", 2) if args.short else ("1G", 5)
    args.drain = drain if args.smoke or args.drain is None else args.drain
    args.warmup = warmup if args.smoke or args.warmup is None else args.warmup
    return args


def main(argv):
    args = parse_args(__doc__, argv)
    jobs = [j for j in JOBS if j[0].startswith(args.jobs)]
    modes = [m for m in args.modes.split(",") if m]
    peers = [p for p in args.peers.split(",") if p]
    unknown = [p for p in peers if p not in qemu_mirror.MODES]
    if unknown:
        raise SystemExit(f"--peers: unknown mirror mode {', '.join(unknown)} (active, background)")
    h.ensure_packages(["fio", "qemu-utils", *(qemu_mirror.PACKAGES if peers else [])],
                      ["java", "mvn", "fio", "qemu-nbd", *(qemu_mirror.COMMANDS if peers else [])])
    with h.Session("remote-copy") as s:
        rc = RemoteCopy(s, args, h.engine_classpath(s.work))
        rc.start_broker()
        for proc in [rc.start_site(site) for site in (*SITES, "seattle")]:
            proc.wait_log("READY")
        qn_port = h.free_port()
        with open(s.path("qemu.img"), "wb") as f:
            f.truncate(h.size_bytes(args.size))
        qn = s.start("qemu-nbd", ["qemu-nbd", "-f", "raw", "--cache=writeback", "-t", "-p", str(qn_port),
                                  "-b", "127.0.0.1", "-x", "bench", s.path("qemu.img")])
        h.wait_port(qn_port, qn)
        if args.warmup:
            rc.warm_up(args.warmup)
        sides = [h.Side("qemu-nbd", f"nbd://127.0.0.1:{qn_port}/bench", reference=True)]
        sides += [rc.side(m, m.upper()) for m in modes]
        sides += [qemu_mirror.QemuMirror(s, args.size, p).side() for p in peers]
        table = h.compare(args, s.work, jobs, sides, note_columns=("dropped", "catch-up s"))
        p50, all_ms = rc.sync_cache_p50()
        beside = (sync_beside_async(rc, args, f"nbd://127.0.0.1:{qn_port}/bench")
                  if {"async", "sync"} <= set(modes) else "")
        drain = rc.drain() if h.size_bytes(args.drain) else ""
        rss = rc.resident_mib()
    print(f"Remote copy, 3 copies (seattle primary, portland, sanfrancisco; one broker; cache "
          f"{args.cache_mib} MiB each) against qemu-nbd --cache=writeback; warm-up {args.warmup:g} s per job "
          f"and round; {h.describe(args)}; dropped: secondaries marked out of sync during the job; "
          f"catch-up: seconds until both secondaries had the job's writes durable\n")
    print(table)
    print(f"\nSynchronize cache on an empty backlog, 2 secondaries: p50 {p50:g} ms "
          f"(all: {' '.join(f'{m:g}' for m in all_ms)}).")
    if beside:
        print(f"\nSYNC beside ASYNC (same primary, same secondaries): the SYNC job alone and while the ASYNC "
              f"1 MiB job writes another volume, one the primary paces while it slows SYNC writes and one it "
              f"leaves unpaced, and (the machine's bound) while the same job writes to qemu-nbd; CPUs busy: "
              f"the machine's, while the SYNC job ran (median); "
              f"ratio: median beside over median alone\n")
        print(beside)
    if drain:
        print(drain)
    print("\nResident memory (RSS) at the end: " + ", ".join(
        f"{n} {'?' if m is None else f'{m:,.0f} MiB'}" for n, m in rss.items())
          + " (heap -Xmx512m each, direct memory at most 1 GiB).")


if __name__ == "__main__":
    h.run(main)
