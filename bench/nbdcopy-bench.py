#!/usr/bin/env python3
"""nbdcopy out of a sparse and a fully written volume, Roamstore against qemu-nbd on the same files.

  bench/nbdcopy-bench.py [--rounds 3] [--size 1G] [--written 10M] [--cache-mib 256]
                         [--connections 4] [--short] [--smoke]

One Roamstore unit (StandaloneStorage) serves two volumes of --size: "sparse", with --written bytes
written in 1 MiB pieces spread over it, and "full", written from end to end (fio, 1 MiB writes).
After a flush through NBD, qemu-nbd serves the very same volume files read-only (-r,
--cache=writeback), so both servers copy out identical bytes and holes. Each round copies each
volume from each server with `nbdcopy URI null:` (nbdcopy asks block status and skips holes where
the server gives it; null: discards, so only the server and the network are measured), the sides
in alternating order, each after a quiet disk (sync, caches dropped); before the rounds one copy of
each from each side is not measured (the Roamstore JVM has just started). Prints seconds and MiB/s
(of the volume size) per copy, the medians and the ratio of Roamstore's MiB/s to qemu-nbd's.
Needs Debian's libnbd-bin, qemu-utils and fio, java and mvn.
"""
import subprocess
import time

import harness as h


def copy_seconds(uri, connections):
    start = time.monotonic()
    subprocess.run(["nbdcopy", f"--connections={connections}", uri, "null:"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return time.monotonic() - start


def main(argv):
    parser = h.options(__doc__.splitlines()[0], runtime=0, size="1G", smoke_size="64M", short_size="1G")
    parser.add_argument("--written", default="10M", help="bytes written into the sparse volume (default 10M)")
    parser.add_argument("--cache-mib", type=int, default=256, help="Roamstore's cache (default 256)")
    parser.add_argument("--connections", type=int, default=4, help="nbdcopy --connections (default 4)")
    args = h.parse(parser, argv)
    size, written = h.size_bytes(args.size), h.size_bytes(args.written)
    if args.smoke:
        written = min(written, size // 8)
    h.ensure_packages(["libnbd-bin", "qemu-utils", "fio"], ["java", "mvn", "nbdcopy", "qemu-nbd", "qemu-io", "fio"])
    with h.Session("nbdcopy") as s:
        cp = h.engine_classpath(s.work)
        rs_port = h.free_port()
        data = s.path("roamstore")
        rs = s.start("roamstore", ["java", "-Xms512m", "-Xmx512m", "-XX:MaxDirectMemorySize=1g", "-cp", cp,
                                   "org.roamstore.storage.engine.StandaloneStorage", "bench-site", data,
                                   str(rs_port), str(args.cache_mib), "--volume", f"sparse:{args.size}",
                                   "--volume", f"full:{args.size}", "--export", "sparse:sparse",
                                   "--export", "full:full"])
        rs.wait_log("READY")
        rs_uri = {v: f"nbd://127.0.0.1:{rs_port}/{v}" for v in ("sparse", "full")}

        pieces = max(1, written // (1 << 20))
        stride = size // pieces
        h.log(f"writing {pieces} MiB into the sparse volume, one MiB every {stride >> 20} MiB...")
        writes = []
        for i in range(pieces):
            writes += ["-c", f"write -P {0x10 + i % 200} {i * stride} 1M"]
        subprocess.run(["qemu-io", "-f", "raw", rs_uri["sparse"], *writes, "-c", "flush"], check=True,
                       stdout=subprocess.DEVNULL)
        h.log(f"filling the full volume ({args.size})...")
        h.fio(s.work, rs_uri["full"], "write", "1M", 4, args.size, runtime=0, name="fill")
        subprocess.run(["qemu-io", "-f", "raw", rs_uri["full"], "-c", "flush"], check=True,
                       stdout=subprocess.DEVNULL)

        qn_uri = {}
        for volume in ("sparse", "full"):
            port = h.free_port()
            qn = s.start(f"qemu-nbd-{volume}", ["qemu-nbd", "-r", "-f", "raw", "--cache=writeback", "-t",
                                                "-p", str(port), "-b", "127.0.0.1", "-x", volume,
                                                s.path("roamstore", "volumes", f"{volume}.vol")])
            h.wait_port(port, qn)
            qn_uri[volume] = f"nbd://127.0.0.1:{port}/{volume}"

        sides = [h.Side("qemu-nbd", None, reference=True), h.Side("Roamstore", None)]
        uris = {"qemu-nbd": qn_uri, "Roamstore": rs_uri}
        cases = [("sparse", f"{args.size} volume, {pieces} MiB written"), ("full", f"{args.size} volume, all written")]
        seconds = {(c, side.name): [] for c, _ in cases for side in sides}
        if not args.smoke:
            h.log("warming up: one copy of each volume from each side, not measured...")
            for case, _label in cases:
                for side in sides:
                    copy_seconds(uris[side.name][case], args.connections)
        for r in range(args.rounds):
            for case, _label in cases:
                for side in h.order(r, sides):
                    quiet = h.quiet_disk(args.quiet_wait, hold=args.quiet_hold)
                    t = copy_seconds(uris[side.name][case], args.connections)
                    seconds[(case, side.name)].append(t)
                    h.log(f"round {r + 1} {case} {side.name}: {t:.3f} s, {size / t / (1 << 20):,.0f} MiB/s ({quiet})")

    rows = []
    for case, label in cases:
        ref = h.median(seconds[(case, "qemu-nbd")])
        for side in sides:
            runs = seconds[(case, side.name)]
            m = h.median(runs)
            rows.append([label, side.name, " / ".join(f"{t:.3f}" for t in runs), f"{m:.3f}",
                         f"{size / m / (1 << 20):,.0f}",
                         "ref" if side.reference else f"{ref / m:.2f}"])
    print(f"nbdcopy --connections={args.connections} URI null:, Roamstore (cache {args.cache_mib} MiB) against "
          f"qemu-nbd -r --cache=writeback on the same volume files; one unmeasured copy each first; {args.rounds} round(s), the sides in reversed "
          f"order every other round, each copy after sync and dropped caches; MiB/s of the volume size; "
          f"ratio: qemu-nbd's median seconds / Roamstore's (above 1: Roamstore faster)\n")
    print(h.markdown(["copy", "side", "seconds per round", "median s", "MiB/s", "ratio"], rows,
                     right=range(2, 6)))


if __name__ == "__main__":
    h.run(main)
