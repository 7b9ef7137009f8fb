"""The benchmarks' shared harness (Python 3 standard library only).

A bench script describes its jobs; this module does the rest: the common options (--rounds,
--runtime, --size, --smoke), the Debian packages and the build a bench needs, starting and stopping
its processes, free ports, a quiet disk before each side, fio runs with completion latency
percentiles, reference and Roamstore in alternating rounds, and the Markdown table.

Everything a bench keeps while it runs is in one work directory under bench/target/, removed on
every way out (normal end, error, Ctrl-C, SIGTERM), after every process it started has been
stopped; the processes' logs of the last run are copied to bench/target/<bench>-last-logs/.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
TARGET = os.path.join(BENCH, "target")
WORK_PREFIX = "work-"


def log(*words):
    print(*words, file=sys.stderr, flush=True)


def options(description, runtime, size, smoke_size="16M", short_size="256M", rounds=3):
    """The options every bench takes; the bench adds its own to the returned parser."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=rounds,
                        help=f"rounds, each side once per round, in alternating order (default {rounds})")
    parser.add_argument("--runtime", type=float, default=runtime,
                        help=f"seconds per measured fio job, after --ramp (default {runtime})")
    parser.add_argument("--ramp", type=float, default=2, help="seconds of ramp per fio job (default 2)")
    parser.add_argument("--size", default=size, help=f"volume size (default {size})")
    parser.add_argument("--quiet-wait", type=float, default=60,
                        help="at most this many seconds of waiting for a quiet disk before each side (default 60)")
    parser.add_argument("--smoke", action="store_true",
                        help=f"a seconds-long check that the bench works: one round, 1 s jobs, {smoke_size}")
    parser.add_argument("--short", action="store_true",
                        help=f"a few minutes: 3 s jobs after 1 s of ramp, {short_size}, 3 rounds unless --rounds")
    parser.set_defaults(smoke_size=smoke_size, short_size=short_size)
    return parser


def parse(parser, argv=None):
    args = parser.parse_args(argv)
    # A smoke run measures nothing: a disk under the bound once is enough (the test command runs
    # some thirty smoke jobs, each of which would wait a second more).
    args.quiet_hold = 0 if args.smoke else 1
    if args.smoke:
        args.rounds, args.runtime, args.ramp, args.size = 1, 1, 0, parser.get_default("smoke_size")
        args.quiet_wait = min(args.quiet_wait, 5)
    elif args.short:
        args.runtime, args.ramp, args.size = 3, 1, parser.get_default("short_size")
        args.quiet_wait = min(args.quiet_wait, 20)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        size_bytes(args.size)
    except (ValueError, IndexError):
        parser.error(f"--size {args.size}: a number of bytes, or with K, M, G or T")
    return args


# ---------------------------------------------------------------------------------------------
# Packages and build

def ensure_packages(packages, commands=()):
    """Debian packages through the test command's own list and installer
    (`payara-config/roamstore packages ...`: apt-get as root, otherwise it names them)."""
    if packages:
        subprocess.run([os.path.join(ROOT, "payara-config", "roamstore"), "packages", *packages],
                       check=True, stdout=sys.stderr)
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        raise SystemExit(f"missing commands: {' '.join(missing)}")


def mvn(*args):
    # Only what the bench needs and its reactor dependencies (-am): a fresh clone has nothing in
    # the local repository, and nothing here installs into it.
    cmd = ["mvn", "-B", "-q", "-ntp", "-DskipTests", *args]
    log("building:", " ".join(cmd))
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=sys.stderr)


def engine_classpath(work):
    """Compiles storage-engine (with -am) and returns its test class path: the engine, the API,
    this tree's broker and the Artemis client, all from this tree's target/ folders."""
    out = os.path.join(work, "classpath.txt")
    mvn("-pl", "storage-connector/storage-engine", "-am", "compile", "dependency:build-classpath",
        "-Dmdep.includeScope=test", f"-Dmdep.outputFile={out}")
    with open(out) as f:
        rest = f.read().strip()
    engine = os.path.join(ROOT, "storage-connector", "storage-engine", "target", "classes")
    return engine + os.pathsep + rest


def runtime_dist():
    """The Payara Micro runtime that `payara-config/roamstore run` starts, built when missing."""
    dist = os.path.join(ROOT, "payara-config", "runtime", "target", "roamstore")
    if not (os.path.isfile(os.path.join(dist, "payara-micro.jar"))
            and os.path.isfile(os.path.join(dist, "web-gateway.war"))):
        mvn("-pl", "payara-config/runtime", "-am", "package")
    return dist


def demo_certificates(work, names, host="127.0.0.1"):
    """The launcher's demo CA in work/tls, made by the runtime's configuration step (with the JDK's
    keytool): per name a folder work/tls/NAME with server-cert.pem and server-key.pem (for serverAuth
    and clientAuth, valid for localhost and host), the CA in work/tls/ca. Returns work/tls."""
    out = os.path.join(work, "tls")
    dist = runtime_dist()
    subprocess.run(["java", "-cp", os.path.join(dist, "config", "*"), "org.roamstore.runtime.config.RoamstoreConfig",
                    "demo-certificates", "--dist", dist, "--dir", out, "--host", host, *names],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def launcher_env(args, **variables):
    """The environment for `payara-config/roamstore run`, with variables added. A smoke run measures
    nothing: its servers and brokers run with the JIT's first tier only, which on 2 CPUs starts them
    sooner than with the second tier's compilations beside them."""
    env = {**os.environ, **variables}
    if args.smoke:
        for var in ("ROAMSTORE_JAVA_OPTS", "ROAMSTORE_BROKER_JAVA_OPTS"):
            env[var] = f"{env.get(var, '')} -XX:TieredStopAtLevel=1".strip()
    return env


# ---------------------------------------------------------------------------------------------
# Processes

class Proc:
    def __init__(self, name, popen, log_path, offset=0):
        self.name, self.popen, self.log, self.offset = name, popen, log_path, offset
        self.terminated = False

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def text(self):
        """What this process wrote (a restart under the same name appends to the same log)."""
        try:
            with open(self.log, "rb") as f:
                f.seek(self.offset)
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, lines=30):
        return "\n".join(self.text().splitlines()[-lines:])

    def wait_log(self, text, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.text():
                return
            if not self.alive():
                raise SystemExit(f"{self.name} exited ({self.popen.returncode}) before '{text}':\n{self.tail()}")
            time.sleep(0.1)
        raise SystemExit(f"no '{text}' from {self.name} in {timeout} s:\n{self.tail()}")

    def command(self, line, reply, timeout=3600, poll=0.05):
        """A command on the process's stdin (started with stdin=PIPE), one line, answered by one line
        starting with reply or FAILED (StandaloneStorage's commands); returns that line."""
        pattern = re.compile(rf"^({reply}|FAILED).*$", re.M)
        before = len(pattern.findall(self.text()))
        self.popen.stdin.write((line + "\n").encode())
        self.popen.stdin.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m.group(0) for m in pattern.finditer(self.text())]
            if len(found) > before:
                return found[-1]
            if not self.alive():
                raise SystemExit(f"{self.name} exited:\n{self.tail()}")
            time.sleep(poll)
        raise SystemExit(f"no reply from {self.name} to '{line}' in {timeout} s")

    def terminate(self):
        """SIGTERM to the process, once: a second one would cut a launcher's own shutdown short."""
        if self.popen.poll() is None and not self.terminated:
            self.popen.terminate()
            self.terminated = True

    def stop(self, grace=30):
        """SIGTERM to the process (a launcher stops its children on it), then to its process group,
        then SIGKILL to the group."""
        if self.popen.poll() is None:
            self.terminate()
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.popen.pid, sig)
            except (ProcessLookupError, PermissionError):
                break
            end = time.monotonic() + wait
            while time.monotonic() < end:
                try:
                    os.killpg(self.popen.pid, 0)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.1)
        if self.popen.poll() is None:
            self.popen.wait(5)


def stop_together(procs, grace=30):
    """Stops several processes at once (e.g. servers whose shutdowns take seconds each): SIGTERM to
    every one first, then each one's stop()."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.stop(grace)


class _Stop(BaseException):
    """Raised in the main thread by SIGTERM/SIGHUP, so every `finally` runs."""


class Session:
    """A bench run: its work directory and processes, cleaned up on every way out.

        with Session("nbd") as s:
            p = s.start("qemu-nbd", [...])
    """

    def __init__(self, name):
        self.name = name
        self.procs = []
        self.on_exit = []
        self.keep = []  # more logs (files or folders) to keep in <bench>-last-logs
        self.work = None

    def __enter__(self):
        def stop(signum, _frame):
            raise _Stop(signum)

        self._old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
        os.makedirs(TARGET, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{self.name}.", dir=TARGET)
        os.chmod(self.work, 0o755)  # PostgreSQL runs as the user postgres when we are root
        return self

    def __exit__(self, kind, value, _tb):
        # A second signal during the cleanup must not cut it short.
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        try:
            # The processes first, then what they used (e.g. the WAN bench's PostgreSQL).
            for proc in reversed(self.procs):
                proc.stop()
            for fn in reversed(self.on_exit):
                try:
                    fn()
                except Exception as e:  # noqa: BLE001 - go on stopping the rest
                    log(f"cleanup: {e}")
            logs = os.path.join(TARGET, f"{self.name}-last-logs")
            shutil.rmtree(logs, ignore_errors=True)
            os.makedirs(logs)
            for proc in self.procs:
                if os.path.exists(proc.log):
                    shutil.copy(proc.log, os.path.join(logs, os.path.basename(proc.log)))
            for path, name in self.keep:
                if os.path.isdir(path):
                    shutil.copytree(path, os.path.join(logs, name), dirs_exist_ok=True)
                elif os.path.exists(path):
                    shutil.copy(path, os.path.join(logs, name))
            shutil.rmtree(self.work, ignore_errors=True)
        finally:
            for sig, old in self._old.items():
                signal.signal(sig, old)
            signal.signal(signal.SIGINT, signal.default_int_handler)
        if kind is _Stop:
            log(f"{self.name}: stopped by signal {value.args[0]}; cleaned up")
            raise SystemExit(128 + value.args[0])
        if kind is KeyboardInterrupt:
            log(f"{self.name}: interrupted; cleaned up")
            raise SystemExit(130)
        return False

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def start(self, name, argv, stdin=subprocess.DEVNULL, env=None, cwd=None):
        """Starts argv in its own process group, stdout and stderr to WORK/NAME.log."""
        log_path = self.path(f"{name}.log")
        with open(log_path, "ab") as out:
            offset = out.tell()
            popen = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=subprocess.STDOUT,
                                     env=env, cwd=cwd, start_new_session=True)
        proc = Proc(name, popen, log_path, offset)
        self.procs.append(proc)
        return proc

    def forget(self, proc):
        """After proc.stop(): the slot is free for a restart of the same name."""
        self.procs.remove(proc)


_HANDED_OUT = set()


def _ephemeral_from():
    """The first port the kernel gives outgoing connections (32768 where it cannot say)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
        return low if low > 4096 else 32768
    except (OSError, ValueError, IndexError):
        return 32768


def free_port():
    """A free port below the kernel's ephemeral range, not handed out before in this run. A bench
    reserves ports before it starts what listens on them, sometimes a minute later: a port in that
    range may meanwhile be the local end of any outgoing connection, and the start then fails."""
    high = _ephemeral_from()
    low = max(1024, high - 12000)
    for _ in range(500):
        port = random.randrange(low, high)
        if port in _HANDED_OUT or port_open(port):
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise SystemExit(f"no free port in {low}-{high - 1}")


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_port(port, proc=None, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if proc is not None and not proc.alive():
            raise SystemExit(f"{proc.name} exited before listening on {port}:\n{proc.tail()}")
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port} after {timeout} s")


def size_bytes(size):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    size = size.strip().upper().rstrip("B").rstrip("I")
    return int(float(size[:-1]) * units[size[-1]]) if size[-1] in units else int(size)


# ---------------------------------------------------------------------------------------------
# A quiet disk

def dirty_mib():
    with open("/proc/meminfo") as f:
        kib = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in f)}
    return (kib.get("Dirty", 0) + kib.get("Writeback", 0)) / 1024


QUIET = {"jobs": 0, "not_quiet": 0}  # for the table's header: how many jobs began on a busy disk


def quiet_disk(max_wait=60, bound_mib=8, hold=1):
    """Before each side: written data on disk (sync), the page cache dropped where permitted (root,
    not in every container), and Dirty+Writeback under bound_mib for hold seconds, waiting at most
    max_wait seconds. Returns a short note of what happened."""
    start = time.monotonic()
    QUIET["jobs"] += 1
    os.sync()
    dropped = "caches dropped"
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    except OSError:
        dropped = "caches kept (not permitted)"
    below_since = None
    while True:
        dirty = dirty_mib()
        now = time.monotonic()
        if dirty < bound_mib:
            below_since = below_since or now
            if now - below_since >= hold:
                break
        else:
            below_since = None
        if now - start >= max_wait:
            log(f"  disk not quiet after {max_wait:.0f} s: {dirty:.0f} MiB dirty or in writeback")
            QUIET["not_quiet"] += 1
            break
        time.sleep(0.2)
    return f"{dropped}, {dirty:.1f} MiB dirty after {time.monotonic() - start:.1f} s"


# ---------------------------------------------------------------------------------------------
# fio

PERCENTILES = ("50.000000", "99.000000", "99.900000")


def fio(work, uri, rw, bs, iodepth, size, runtime, ramp=2, name="bench", extra=()):
    """One fio job through its nbd engine. Returns iops, mib_s and the completion latency
    (fio's clat) percentiles p50, p99 and p99.9 in microseconds, of the side that moved data."""
    out = os.path.join(work, "fio.json")
    cmd = ["fio", f"--name={name}", "--ioengine=nbd", f"--uri={uri}", f"--rw={rw}", f"--bs={bs}",
           f"--iodepth={iodepth}", f"--size={size}", "--randrepeat=1",
           "--percentile_list=50:99:99.9", "--output-format=json", f"--output={out}", *extra]
    if runtime:
        cmd += ["--time_based", f"--runtime={runtime:g}"]
        if ramp:
            cmd.append(f"--ramp_time={ramp:g}")
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"fio failed ({done.returncode}): {done.stderr.strip()}")
    with open(out) as f:
        text = f.read()
    job = json.loads(text[text.index("{"):])["jobs"][0]  # fio may print notes before the JSON
    if job["error"]:
        raise SystemExit(f"fio error {job['error']} on {uri}")
    side = job["write"] if job["write"]["io_bytes"] > 0 else job["read"]
    pct = side["clat_ns"].get("percentile", {})
    result = {"iops": side["iops"], "mib_s": side["bw_bytes"] / 1048576, "bytes": side["io_bytes"]}
    for key, label in zip(PERCENTILES, ("p50", "p99", "p99.9")):
        result[label] = pct.get(key, 0) / 1000
    return result


# ---------------------------------------------------------------------------------------------
# Rounds and the table

def median(values):
    return statistics.median(values) if values else 0


def order(round_index, sides):
    """Round 1 in the given order, round 2 reversed, and so on: neither side always goes first."""
    return list(sides) if round_index % 2 == 0 else list(reversed(sides))


def num(value, digits=0):
    if value is None:
        return "-"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def lat(us):
    """Microseconds as milliseconds, three significant digits or more."""
    ms = us / 1000
    return f"{ms:,.3f}" if ms < 1 else f"{ms:,.2f}" if ms < 10 else f"{ms:,.1f}"


def markdown(headers, rows, right=None):
    """A Markdown table; columns listed in right (by index) are right-aligned."""
    right = set(range(1, len(headers))) if right is None else set(right)
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h))
              for i, h in enumerate(headers)]
    def line(row):
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(row, widths))) + " |"
    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                         for i, w in enumerate(widths)) + "|"
    return "\n".join([line([str(h) for h in headers]), sep, *(line(r) for r in cells)])


class Side:
    """One side of a comparison: a name, its NBD URI, whether it is the reference, and an optional
    after(job, result) that runs after each of its jobs (e.g. the catch-up of remote copy) and
    returns a dict of notes for the table. against: the name of the side its ratio is taken
    against, when not the reference (e.g. Roamstore with TLS against qemu-nbd with TLS)."""

    def __init__(self, name, uri, reference=False, after=None, before=None, against=None):
        self.name, self.uri, self.reference, self.after, self.before = name, uri, reference, after, before
        self.against = against


def compare(args, work, jobs, sides, note_columns=()):
    """Runs every job on every side, args.rounds times, each side after a quiet disk, the sides in
    alternating order. jobs: (label, rw, bs, iodepth, unit), unit "iops" or "mib_s". Returns the
    Markdown table: each round's figure, the median, the spread (min-max), MiB/s, the medians of
    the completion latency percentiles and the ratio of medians against the reference side."""
    results = {(j[0], s.name): [] for j in jobs for s in sides}
    notes = {(j[0], s.name): [] for j in jobs for s in sides}
    for r in range(args.rounds):
        for label, rw, bs, depth, unit in jobs:
            for side in order(r, sides):
                if side.before:
                    side.before(label)
                quiet = quiet_disk(args.quiet_wait, hold=args.quiet_hold)
                if "read" in rw:
                    # The page cache was just dropped, a server's own cache was not: one sequential
                    # read of the volume first puts both sides' caches in the same, warm state.
                    fio(work, side.uri, "read", "1M", 4, args.size, runtime=0, name="warm")
                res = fio(work, side.uri, rw, bs, depth, args.size, args.runtime, args.ramp)
                note = side.after(label, res) if side.after else {}
                results[(label, side.name)].append(res)
                notes[(label, side.name)].append(note)
                log(f"round {r + 1} {label} {side.name}: {num(res['iops'])} IOPS, {num(res['mib_s'], 1)} MiB/s,"
                    f" clat p50 {lat(res['p50'])} ms, p99 {lat(res['p99'])} ms, p99.9 {lat(res['p99.9'])} ms"
                    f"{''.join(f', {k} {v}' for k, v in note.items())} ({quiet})")
    ref = next(s for s in sides if s.reference)
    headers = ["job", "side", "rounds", "median", "spread", "MiB/s", "p50 ms", "p99 ms",
               "p99.9 ms", "ratio", *note_columns]
    rows = []
    for label, _rw, _bs, _depth, unit in jobs:
        for side in sides:
            ref_median = median([x[unit] for x in results[(label, side.against or ref.name)]])
            runs = results[(label, side.name)]
            figures = [x[unit] for x in runs]
            digits = 0 if unit == "iops" else 1
            m = median(figures)
            rows.append([
                f"{label} ({'IOPS' if unit == 'iops' else 'MiB/s'})", side.name,
                " / ".join(num(v, digits) for v in figures), num(m, digits),
                f"{num(min(figures), digits)}-{num(max(figures), digits)}",
                num(median([x["mib_s"] for x in runs]), 1),
                lat(median([x["p50"] for x in runs])), lat(median([x["p99"] for x in runs])),
                lat(median([x["p99.9"] for x in runs])),
                "ref" if side.reference else
                (f"{m / ref_median:.2f}" if ref_median else "-") + (f" vs {side.against}" if side.against else ""),
                *[" / ".join(str(n.get(c, "-")) for n in notes[(label, side.name)]) for c in note_columns]])
    return markdown(headers, rows, right=range(2, len(headers)))


def describe(args, alternating="the sides", ratio="of medians against the reference"):
    return (f"{args.rounds} round(s), {args.runtime:g} s per job after {args.ramp:g} s of ramp, {args.size}; "
            f"before each job: sync, drop caches, Dirty+Writeback under 8 MiB (and a read job: one sequential read of "
            f"the volume); {alternating} in reversed order "
            f"every other round; p50/p99/p99.9: fio's completion latency (clat), median of the rounds; ratio: {ratio}"
            + (f"; {QUIET['not_quiet']} of {QUIET['jobs']} jobs began with more than 8 MiB dirty after "
               f"{args.quiet_wait:g} s of waiting (the page cache is the whole machine's)" if QUIET["not_quiet"] else ""))


def run(main):
    """Runs a bench's main(argv) and turns a SystemExit message into exit status 1."""
    try:
        main(sys.argv[1:])
    except subprocess.CalledProcessError as e:
        log(f"failed: {e}")
        sys.exit(1)
