#!/usr/bin/env python3
"""Initial copy: a copy added to a volume in use, against nbdcopy of the same data between two qemu-nbd.

  bench/initial-copy-bench.py [--rounds 3] [--size 1G] [--written 100M] [--cache-mib 256]
                              [--connections 4] [--short] [--smoke]

Three StandaloneStorage processes (seattle primary, portland its secondary, sanfrancisco the copy
being added) and one site broker (BrokerMain) on this machine. Per round two fresh volumes of
--size: "sparse", --written bytes written in 1 MiB pieces spread over it, and "full", written from
end to end (fio, 1 MiB writes), both through seattle's NBD export and caught up at portland. Then
the measured step: seattle is told (at the same epoch, as the directory's add does) that
sanfrancisco joined the copy group, and the clock stops when seattle reports sanfrancisco in sync
with nothing pending: every region holding data copied over the broker and applied there.
Alternating with it, the peer: nbdcopy --destination-is-zero from a qemu-nbd serving the primary's
volume file (read-only, --cache=writeback) to a qemu-nbd serving an empty file of the same size,
which copies the same bytes and skips the same holes. Each copy after a quiet disk. Prints seconds,
MiB/s of the bytes written and of the volume size, the medians and the ratio of Roamstore's rate
to nbdcopy's. No pacing (the connector's ResyncMibPerSecond, 0 by default). --short: 1 G.

Last, the primary's heap: one more fully written volume is copied while fio writes to it at full
speed (1 MiB random writes), so the new member lags behind a busy primary, the case that needs the
most heap (each secondary's stream may hold up to the connector's MaxBacklogBytes, 64 MiB, of write
data in 1 MiB batch buffers). Seattle logs its GCs; the table gives the largest heap left after a
collection (an upper bound of what was live) during the plain full copies and during the busy one,
beside the heap it was given.
Needs Debian's libnbd-bin, qemu-utils and fio, java and mvn.
"""
import re
import subprocess
import threading
import time

import harness as h

JAVA_OPTS = ["-Xms512m", "-Xmx512m", "-XX:MaxDirectMemorySize=1g", "-XX:+ExitOnOutOfMemoryError",
             "-XX:G1HeapRegionSize=8m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"]
CASES = ("sparse", "full")
BUSY = "busy"
AFTER_GC = re.compile(r"Pause .*?(\d+)M->(\d+)M\((\d+)M\)")


class Sites:
    """The broker and the three storage units, each unit answering commands on its stdin."""

    def __init__(self, s, args, cp):
        self.s, self.args, self.cp = s, args, cp
        self.java = ["java", *(JAVA_OPTS if not args.smoke else [o.replace("512m", "256m") for o in JAVA_OPTS])]
        self.broker_port, self.nbd_port = h.free_port(), h.free_port()
        self.broker_url = (f"tcp://127.0.0.1:{self.broker_port}?minLargeMessageSize=4194304"
                           "&consumerWindowSize=8388608&producerWindowSize=8388608")
        self.volumes = [f"{case}{r}" for r in range(args.rounds) for case in CASES] + [BUSY]
        self.gc_log = s.path("seattle-gc.log")
        self.units = {}

    def start(self):
        broker = self.s.start("broker", [*self.java, "-cp", self.cp, "org.roamstore.broker.BrokerMain",
                                         "--data", self.s.path("broker"), "--port", str(self.broker_port)])
        broker.wait_log("listening")
        for site in ("seattle", "portland", "sanfrancisco"):
            gc = [f"-Xlog:gc:file={self.gc_log}"] if site == "seattle" else []
            argv = [*self.java, *gc, "-cp", self.cp, "org.roamstore.storage.engine.StandaloneStorage", site,
                    self.s.path(site), str(self.nbd_port if site == "seattle" else -1),
                    str(self.args.cache_mib), "--broker", self.broker_url]
            for v in self.volumes:
                # The new member and portland know the three-member group from the start (the
                # directory defines it at them first); seattle, the primary, learns it last.
                members = f"seattle/{v}*,portland/{v}" + ("" if site == "seattle" else f",sanfrancisco/{v}")
                argv += ["--volume", f"{v}:{self.args.size}", "--group", f"{v}:ASYNC:1:{members}"]
                if site == "seattle":
                    argv += ["--export", v]
            proc = self.s.start(site, argv, stdin=subprocess.PIPE)
            proc.wait_log("READY")
            self.units[site] = proc

    def command(self, site, line, reply, timeout=600):
        """A command on a unit's stdin; returns its reply line, or exits if it is FAILED."""
        answer = self.units[site].command(line, reply, timeout, poll=0.01)
        if answer.startswith("FAILED"):
            raise SystemExit(f"{site}: '{line}' failed: {answer}")
        return answer

    def uri(self, volume):
        return f"nbd://127.0.0.1:{self.nbd_port}/{volume}"

    def add_copy_seconds(self, volume, writer_runs=False):
        """Seattle told that sanfrancisco joined; seconds until it reports it in sync (with nothing
        pending, unless a writer runs), and of those the seconds until its resync started (the new
        member's first answer came back)."""
        spec = f"{volume}:ASYNC:1:seattle/{volume}*,portland/{volume},sanfrancisco/{volume}"
        start = time.monotonic()
        self.command("seattle", f"define {spec}", "DEFINED")
        state = re.compile(r"storageSystem=sanfrancisco, state=(\w+), lagWrites=(\d+),")
        resyncing = None
        while True:
            m = state.search(self.command("seattle", f"status {volume}", "STATUS"))
            now = time.monotonic()
            if m and m.group(1) != "OUT_OF_SYNC" and resyncing is None:
                resyncing = now - start
            if m and m.group(1) == "IN_SYNC" and (writer_runs or m.group(2) == "0"):
                return now - start, resyncing
            if now - start > 3600:
                raise SystemExit(f"the copy of {volume} did not end in an hour")
            time.sleep(0.02)

    def heap_after_gc(self, since=0):
        """The largest heap after a collection in seattle's GC log from byte since, the heap's size
        (MiB), and the log's end."""
        with open(self.gc_log) as f:
            f.seek(since)
            text = f.read()
            end = f.tell()
        sizes = [(int(m.group(2)), int(m.group(3))) for m in AFTER_GC.finditer(text)]
        return max((a for a, _ in sizes), default=0), max((t for _, t in sizes), default=0), end

    def busy_copy(self, size, seconds):
        """A fully written volume copied to sanfrancisco while fio writes to it for about the
        seconds a plain full copy took (at least 10; 1 in a smoke run): seconds of the copy, and
        fio's MiB/s."""
        uri = self.uri(BUSY)
        write_volume(self.s, uri, "full", size, size)
        self.command("seattle", f"sync {BUSY} portland", "SYNCED")
        written = {}
        writer = threading.Thread(target=lambda: written.update(
            h.fio(self.s.work, uri, "randwrite", "1M", 4, size, runtime=max(1.0 if self.args.smoke else 10.0, seconds),
                  ramp=0, name="busy")))
        writer.start()
        t, _ = self.add_copy_seconds(BUSY, writer_runs=True)
        writer.join()
        return t, written.get("mib_s", 0)


def write_volume(s, uri, case, size, written):
    if case == "full":
        h.fio(s.work, uri, "write", "1M", 4, size, runtime=0, name="fill")
        return size
    pieces = max(1, written // (1 << 20))
    stride = size // pieces >> 20 << 20  # MiB-aligned, as a file system writes
    writes = []
    for i in range(pieces):
        writes += ["-c", f"write -P {0x10 + i % 200} {i * stride} 1M"]
    subprocess.run(["qemu-io", "-f", "raw", uri, *writes, "-c", "flush"], check=True, stdout=subprocess.DEVNULL)
    return pieces << 20


def nbdcopy_seconds(s, source_file, size, connections, name):
    """nbdcopy between two qemu-nbd: the source file read-only, into an empty file."""
    target = s.path(f"{name}.target.raw")
    with open(target, "wb") as f:
        f.truncate(size)
    ports = h.free_port(), h.free_port()
    procs = [s.start(f"qemu-nbd-{name}-src", ["qemu-nbd", "-r", "-f", "raw", "--cache=writeback", "-t", "-p",
                                              str(ports[0]), "-b", "127.0.0.1", "-x", "src", source_file]),
             s.start(f"qemu-nbd-{name}-dst", ["qemu-nbd", "-f", "raw", "--cache=writeback", "-t", "-p",
                                              str(ports[1]), "-b", "127.0.0.1", "-x", "dst", target])]
    for port, proc in zip(ports, procs):
        h.wait_port(port, proc)
    start = time.monotonic()
    subprocess.run(["nbdcopy", f"--connections={connections}", "--destination-is-zero",
                    f"nbd://127.0.0.1:{ports[0]}/src", f"nbd://127.0.0.1:{ports[1]}/dst"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - start
    h.stop_together(procs)
    for proc in procs:
        s.forget(proc)
    return seconds


def main(argv):
    parser = h.options(__doc__.splitlines()[0], runtime=0, size="1G", smoke_size="64M", short_size="1G")
    parser.add_argument("--written", default="100M", help="bytes written into the sparse volume (default 100M)")
    parser.add_argument("--cache-mib", type=int, default=256, help="each unit's cache (default 256)")
    parser.add_argument("--connections", type=int, default=4, help="nbdcopy --connections (default 4)")
    args = h.parse(parser, argv)
    size, written = h.size_bytes(args.size), h.size_bytes(args.written)
    if args.smoke:
        written = min(written, size // 8)
    h.ensure_packages(["libnbd-bin", "qemu-utils", "fio"], ["java", "mvn", "nbdcopy", "qemu-nbd", "qemu-io", "fio"])
    seconds = {(case, side): [] for case in CASES for side in ("nbdcopy", "Roamstore")}
    first_answer = {case: [] for case in CASES}
    data = {}
    peak_full = 0
    with h.Session("initial-copy") as s:
        cp = h.engine_classpath(s.work)
        sites = Sites(s, args, cp)
        sites.start()
        for r in range(args.rounds):
            for case in CASES:
                volume = f"{case}{r}"
                h.log(f"round {r + 1}: writing the {case} volume...")
                data[case] = write_volume(s, sites.uri(volume), case, size, written)
                sites.command("seattle", f"sync {volume} portland", "SYNCED")
                sites.command("seattle", f"flush {volume}", "FLUSHED")
                source = s.path("seattle", "volumes", f"{volume}.vol")
                for side in ("nbdcopy", "Roamstore") if r % 2 == 0 else ("Roamstore", "nbdcopy"):
                    quiet = h.quiet_disk(args.quiet_wait, hold=args.quiet_hold)
                    if side == "Roamstore":
                        gc_from = sites.heap_after_gc()[2]
                        t, answered = sites.add_copy_seconds(volume)
                        first_answer[case].append(answered)
                        if case == "full":
                            peak_full = max(peak_full, sites.heap_after_gc(gc_from)[0])
                    else:
                        t = nbdcopy_seconds(s, source, size, args.connections, f"{volume}")
                    seconds[(case, side)].append(t)
                    h.log(f"round {r + 1} {case} {side}: {t:.3f} s, {data[case] / t / (1 << 20):,.0f} MiB/s "
                          f"of data ({quiet})")
        h.log("the primary's heap: a full copy beside a writer...")
        gc_from = sites.heap_after_gc()[2]
        busy_seconds, busy_mib_s = sites.busy_copy(size, h.median(seconds[("full", "Roamstore")]))
        peak_busy, heap_size, _ = sites.heap_after_gc(gc_from)

    rows = []
    for case in CASES:
        label = (f"{args.size} volume, {data[case] >> 20} MiB written" if case == "sparse"
                 else f"{args.size} volume, all written")
        ref = h.median(seconds[(case, "nbdcopy")])
        for side in ("nbdcopy", "Roamstore"):
            runs = seconds[(case, side)]
            m = h.median(runs)
            answered = "" if side == "nbdcopy" else f"{h.median(first_answer[case]):.3f}"
            rows.append([label, "nbdcopy between two qemu-nbd" if side == "nbdcopy" else "Roamstore: copy added",
                         " / ".join(f"{t:.3f}" for t in runs), f"{m:.3f}", answered,
                         f"{data[case] / m / (1 << 20):,.0f}", f"{size / m / (1 << 20):,.0f}",
                         "ref" if side == "nbdcopy" else f"{ref / m:.2f}"])
    print(f"Initial copy of a volume in use to a new member (seattle -> sanfrancisco over one broker, ASYNC, "
          f"cache {args.cache_mib} MiB, no pacing; the clock from the primary told of the new member to its "
          f"report of it in sync) against nbdcopy --connections={args.connections} --destination-is-zero "
          f"between two qemu-nbd (--cache=writeback) of the same file; {args.rounds} round(s), the sides in "
          f"reversed order every other round, each after a quiet disk; resync from: median seconds until the "
          f"primary's resync to it started (its first answer came back); ratio: nbdcopy's median seconds / "
          f"Roamstore's (above 1: Roamstore faster)\n")
    print(h.markdown(["copy", "side", "seconds per round", "median s", "resync from s", "MiB/s of data",
                      "MiB/s of volume", "ratio"], rows, right=range(2, 8)))
    print(f"\nThe primary's heap (seattle, -Xmx {heap_size} MiB, G1): largest heap left after a collection "
          f"(an upper bound of the live data)\n")
    print(h.markdown(["copy", "seconds", "writer MiB/s", "heap after GC, largest (MiB)"], [
        [f"{args.size} volume, all written (the rounds above)", "", "", f"{peak_full}"],
        [f"{args.size} volume, all written, fio randwrite 1M beside it", f"{busy_seconds:.3f}",
         f"{busy_mib_s:,.0f}", f"{peak_busy}"]], right=range(1, 4)))


if __name__ == "__main__":
    h.run(main)
