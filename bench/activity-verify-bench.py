#!/usr/bin/env python3
"""Activity log cost and online verify rate: the same writes with and without the log, in one run.

  bench/activity-verify-bench.py [--rounds 3] [--runtime 10] [--size 1G] [--drain 1G] [--warmup 5]
                                 [--modes async,sync] [--short] [--smoke]

The remote copy bench's setup (three StandaloneStorage processes, seattle primary, and one site
broker), with four volumes at seattle: async and sync, whose writes the activity log records, and
async-nolog and sync-nolog, whose writes it does not (-Droamstore.activity.offFor, a knob that
exists only for this measurement). Per mode, 4 KiB random writes at QD16 on both volumes in
alternating rounds, each after a quiet disk and a catch-up of both secondaries; the ratio is the
logged volume's median over the unlogged one's. Then the online verify rate: the async volume is
written whole, then verified against both secondaries without a rate limit (MiB/s per secondary
from the verify's own start and end), beside the drain rate of an ASYNC backlog to the same two
secondaries. Needs Debian's fio and qemu-utils, java and mvn.
"""
import datetime
import importlib.util
import os
import re
import time

import harness as h

_spec = importlib.util.spec_from_file_location(
    "remote_copy_bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "remote-copy-bench.py"))
rcb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rcb)

JOBS = [("4k randwrite QD16", "randwrite", "4k", 16, "iops")]
UNLOGGED = ("async-nolog", "sync-nolog")


class ActivityBench(rcb.RemoteCopy):
    def __init__(self, s, args, cp):
        args.java_extra = (args.java_extra + " -Droamstore.activity.offFor=" + ",".join(UNLOGGED)).strip()
        super().__init__(s, args, cp)
        drain = args.drain if h.size_bytes(args.drain) else "1M"
        self.site_args = [str(args.cache_mib)]
        groups = (("async", "ASYNC", args.size), ("async-nolog", "ASYNC", args.size),
                  ("sync", "SYNC", args.size), ("sync-nolog", "SYNC", args.size), ("drain", "ASYNC", drain))
        for name, _mode, size in groups:
            self.site_args += ["--volume", f"{name}:{size}"]
        for name, mode, _size in groups:
            self.site_args += ["--group", f"{name}:{mode}:1:seattle/{name}*,portland/{name},sanfrancisco/{name}"]
        self.exports = [name for name, _mode, _size in groups]

    def verify_rate(self, volume):
        """Verifies the volume against both secondaries without a rate limit; MiB/s per secondary."""
        reply = self.command(f"verify {volume} 4096", "VERIFYING")
        if not reply.startswith("VERIFYING"):
            raise SystemExit(f"verify of {volume} failed: {reply}")
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            status = self.command(f"status {volume}", "STATUS")
            if "outcome=RUNNING" not in status:
                break
            time.sleep(0.5)
        rates = {}
        for m in re.finditer(r"storageSystem=(\w+).*?VerifyStatus\[outcome=(\w+), startedAt=([^,]+), "
                             r"finishedAt=([^,]+), bytesVerified=(\d+)", status):
            site, outcome, started, finished, verified = m.groups()
            seconds = (parse_instant(finished) - parse_instant(started)).total_seconds()
            rates[site] = (outcome, int(verified) / 1048576 / max(seconds, 1e-3))
        return rates


def parse_instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def main(argv):
    args = rcb.parse_args(__doc__, argv, jobs_option=False)
    modes = [m for m in args.modes.split(",") if m]
    h.ensure_packages(["fio", "qemu-utils"], ["java", "mvn", "fio"])
    with h.Session("activity-verify") as s:
        bench = ActivityBench(s, args, h.engine_classpath(s.work))
        bench.start_broker()
        for proc in [bench.start_site(site) for site in (*rcb.SITES, "seattle")]:
            proc.wait_log("READY")
        if args.warmup:
            bench.warm_up(args.warmup)
        tables = []
        for mode in modes:
            sides = [bench.side(f"{mode}-nolog", f"{mode.upper()} without the log"),
                     bench.side(mode, f"{mode.upper()} with the log")]
            sides[0].reference = True
            tables.append(h.compare(args, s.work, JOBS, sides, note_columns=("dropped", "catch-up s")))
        h.log("writing the async volume whole, then verifying it...")
        h.fio(s.work, bench.uri("async"), "write", "1M", 4, args.size, runtime=0, name="fill")
        bench.catch_up("async")
        rates = bench.verify_rate("async")
        drain = bench.drain() if h.size_bytes(args.drain) else ""
    print(f"Activity log cost, 3 copies (seattle primary, portland, sanfrancisco; one broker; cache "
          f"{args.cache_mib} MiB each): the same job on a volume whose writes the activity log records "
          f"and on one whose writes it does not, in one run; {h.describe(args, ratio='with the log over without')}\n")
    for table in tables:
        print(table + "\n")
    print("Online verify of the whole async volume (" + args.size + "), no rate limit, both secondaries at once: "
          + ", ".join(f"{site} {rate:.0f} MiB/s ({outcome})" for site, (outcome, rate) in rates.items()) + ".")
    if drain:
        print(drain)


if __name__ == "__main__":
    h.run(main)
