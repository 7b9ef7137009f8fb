#!/usr/bin/env python3
"""The NBD front end of one storage control unit against qemu-nbd on the same filesystem.

  bench/nbd-bench.py [--rounds 3] [--runtime 10] [--size 1G] [--cache-mib 256] [--warmup 5]
                     [--tls] [--short] [--smoke]

Both sides serve a raw volume of --size, filled once by a sequential write before the rounds (so
reads read data, not holes); qemu-nbd with --cache=writeback. Then, not measured, --warmup seconds
of each job on each side (the Roamstore JVM has just started; 0 = none; 2 with --short, none with
--smoke). fio (--ioengine=nbd) runs each job
on each side in every round. Needs Debian's fio and qemu-utils, java and mvn.

--tls adds two sides over TLS (certificates from the launcher's demo CA, made in the work
directory): Roamstore serving NBD with TLS optional, so one server answers nbd:// and nbds://, and
a second qemu-nbd with --object tls-creds-x509 (no client certificates on either; fio does not
verify the server's certificate, see below); the ratio of Roamstore with TLS is taken against
qemu-nbd with TLS.
"""
import os
import subprocess

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
    parser.add_argument("--tls", action="store_true", help="also both servers over TLS (nbds://)")
    args = h.parse(parser, argv)
    if args.smoke:
        args.warmup = 0
    elif args.short:
        args.warmup = 2
    h.ensure_packages(["fio", "qemu-utils"], ["java", "mvn", "fio", "qemu-nbd"])
    with h.Session("nbd") as s:
        cp = h.engine_classpath(s.work)
        rs_port, qn_port = h.free_port(), h.free_port()
        tls = demo_tls(s.work) if args.tls else None
        rs = s.start("roamstore", ["java", "-Xms512m", "-Xmx512m", "-XX:MaxDirectMemorySize=1g", "-cp", cp,
                                   "org.roamstore.storage.engine.StandaloneStorage", "bench-site",
                                   s.path("roamstore"), str(rs_port), str(args.cache_mib),
                                   "--volume", f"bench:{args.size}", "--export", "bench",
                                   *(["--nbd-tls", "optional", "--nbd-tls-dir", tls["server"]] if tls else [])])
        with open(s.path("qemu.img"), "wb") as f:
            f.truncate(h.size_bytes(args.size))
        qn = s.start("qemu-nbd", ["qemu-nbd", "-f", "raw", "--cache=writeback", "-t", "-p", str(qn_port),
                                  "-b", "127.0.0.1", "-x", "bench", s.path("qemu.img")])
        rs.wait_log("READY")
        h.wait_port(qn_port, qn)
        sides = [h.Side("qemu-nbd", f"nbd://127.0.0.1:{qn_port}/bench", reference=True),
                 h.Side("Roamstore", f"nbd://127.0.0.1:{rs_port}/bench")]
        if tls:
            qt_port = h.free_port()
            with open(s.path("qemu-tls.img"), "wb") as f:
                f.truncate(h.size_bytes(args.size))
            qt = s.start("qemu-nbd-tls", [
                "qemu-nbd", "-f", "raw", "--cache=writeback", "-t", "-p", str(qt_port), "-b", "127.0.0.1",
                "-x", "bench", "--object",
                f"tls-creds-x509,id=tls0,dir={tls['server']},endpoint=server,verify-peer=off",
                "--tls-creds", "tls0", s.path("qemu-tls.img")])
            h.wait_port(qt_port, qt)
            # fio's nbd engine refuses a certificate directory in the URI (libnbd's local file
            # access), so fio does not check the server's certificate: on loopback the encryption,
            # which is what is measured, costs the same.
            query = "?tls-verify-peer=false"
            sides += [h.Side("qemu-nbd TLS", f"nbds://127.0.0.1:{qt_port}/bench{query}", against="qemu-nbd"),
                      h.Side("Roamstore TLS", f"nbds://127.0.0.1:{rs_port}/bench{query}", against="qemu-nbd TLS")]
        for side in sides:
            if side.name == "Roamstore TLS":
                continue  # the same volume as Roamstore's, filled already
            h.log(f"filling {side.name}'s volume ({args.size})...")
            h.fio(s.work, side.uri, "write", "1M", 4, args.size, runtime=0, name="fill")
        if args.warmup:
            h.log(f"warming up: {args.warmup:g} s of each job on each side...")
            for side in sides:
                for _label, rw, bs, depth, _unit in JOBS:
                    h.fio(s.work, side.uri, rw, bs, depth, args.size, args.warmup, ramp=0, name="warmup")
        table = h.compare(args, s.work, JOBS, sides)
    print(f"NBD front end, one site (cache {args.cache_mib} MiB) against qemu-nbd --cache=writeback; "
          + ("with TLS (TLS 1.3, ECDSA P-256 demo certificates; Roamstore's TLS optional): each TLS side against "
             "its plain or TLS counterpart; " if args.tls else "")
          + f"warm-up {args.warmup:g} s per job and side; {h.describe(args)}\n")
    print(table)


def demo_tls(work):
    """The launcher's demo CA (bench/harness.py): a server folder with server-cert.pem,
    server-key.pem and ca-cert.pem, which qemu-nbd's server credentials want too."""
    tls = h.demo_certificates(work, ["bench"])
    server = os.path.join(tls, "bench")
    subprocess.run(["cp", os.path.join(tls, "ca", "ca-cert.pem"), server], check=True)
    return {"server": server}


if __name__ == "__main__":
    h.run(main)
