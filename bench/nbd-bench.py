#!/usr/bin/env python3
"""The NBD front end of one storage control unit against qemu-nbd on the same filesystem.

  bench/nbd-bench.py [--rounds 3] [--runtime 10] [--size 1G] [--cache-mib 256] [--warmup 5]
                     [--short] [--smoke]

Both sides serve a raw volume of --size, filled once by a sequential write before the rounds (so
reads read data, not holes); qemu-nbd with --cache=writeback. Then, not measured, --warmup seconds
of each job on each side (the Roamstore JVM has just started; 0 = none; 2 with --short, none with
--smoke). fio (--ioengine=nbd) runs each job
on each side in every round. Needs Debian's fio and qemu-utils, java and mvn.
"""
import harness as h

JOBS = [
    ("4k randwrite QD16", "randwrite", "4k", 16, "iops"),
    ("4k randread QD16", "randread", "4k", 16, "iops"),
    ("1M seqwrite QD4", "write", "1M", 4, "mib_s"),
]


def main(argv):
    parser = h.options(__doc__.splitlines()[0], runtime=10, size="1G")
    parser.add_argument("--cache-mib", type=int, default=256, help="Roamstore's cache (default 256)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of each job on each side first, not measured")
    args = h.parse(parser, argv)
    if args.smoke:
        args.warmup = 0
    elif args.short:
        args.warmup = 2
    h.ensure_packages(["fio", "qemu-utils"], ["java", "mvn", "fio", "qemu-nbd"])
    with h.Session("nbd") as s:
        cp = h.engine_classpath(s.work)
        rs_port, qn_port = h.free_port(), h.free_port()
        rs = s.start("roamstore", ["java", "-Xms512m", "-Xmx512m", "-XX:MaxDirectMemorySize=1g", "-cp", cp,
                                   "org.roamstore.storage.engine.StandaloneStorage", "bench-site",
                                   s.path("roamstore"), str(rs_port), str(args.cache_mib),
                                   "--volume", f"bench:{args.size}", "--export", "bench"])
        with open(s.path("qemu.img"), "wb") as f:
            f.truncate(h.size_bytes(args.size))
        qn = s.start("qemu-nbd", ["qemu-nbd", "-f", "raw", "--cache=writeback", "-t", "-p", str(qn_port),
                                  "-b", "127.0.0.1", "-x", "bench", s.path("qemu.img")])
        rs.wait_log("READY")
        h.wait_port(qn_port, qn)
        sides = [h.Side("qemu-nbd", f"nbd://127.0.0.1:{qn_port}/bench", reference=True),
                 h.Side("Roamstore", f"nbd://127.0.0.1:{rs_port}/bench")]
        for side in sides:
            h.log(f"filling {side.name}'s volume ({args.size})...")
            h.fio(s.work, side.uri, "write", "1M", 4, args.size, runtime=0, name="fill")
        if args.warmup:
            h.log(f"warming up: {args.warmup:g} s of each job on each side...")
            for side in sides:
                for _label, rw, bs, depth, _unit in JOBS:
                    h.fio(s.work, side.uri, rw, bs, depth, args.size, args.warmup, ramp=0, name="warmup")
        table = h.compare(args, s.work, JOBS, sides)
    print(f"NBD front end, one site (cache {args.cache_mib} MiB) against qemu-nbd --cache=writeback; "
          f"warm-up {args.warmup:g} s per job and side; {h.describe(args)}\n")
    print(table)


if __name__ == "__main__":
    h.run(main)
