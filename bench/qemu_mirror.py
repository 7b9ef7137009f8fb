"""The peer of remote copy on one machine: QEMU's block mirror to one NBD target.

A qemu-storage-daemon serves a raw file over NBD (what fio writes to) and mirrors it with
`blockdev-mirror` to a qemu-nbd that serves another raw file (the copy), in one of QEMU's two copy
modes: `write-blocking` (active: a guest write completes once it is on both, QEMU's synchronous
mirror) or `background` (writes complete locally and the job copies dirty regions after them,
QEMU's asynchronous mirror). The job starts with `sync: full` and is ready (the copy whole) before
anything is measured, as an established mirror would be. After each job the bench waits until the
job has copied everything (its catch-up), as it waits for Roamstore's secondaries.
"""
import json
import socket
import time

import harness as h

PACKAGES = ["qemu-system-common"]  # Debian's qemu-storage-daemon
COMMANDS = ["qemu-storage-daemon", "qemu-nbd"]
MODES = {"active": "write-blocking", "background": "background"}


class Qmp:
    """A QMP connection over a Unix socket: commands in, answers out, events skipped."""

    def __init__(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise SystemExit(f"no QMP socket at {path} after {timeout} s")
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rw")
        self._answer()  # the greeting
        self.call("qmp_capabilities")

    def _answer(self):
        while True:
            line = self.file.readline()
            if not line:
                raise SystemExit("qemu-storage-daemon closed its QMP socket")
            message = json.loads(line)
            if "event" not in message:
                return message

    def call(self, command, **arguments):
        self.file.write(json.dumps({"execute": command, "arguments": arguments}) + "\n")
        self.file.flush()
        answer = self._answer()
        if "error" in answer:
            raise SystemExit(f"QMP {command}: {answer['error'].get('desc', answer['error'])}")
        return answer.get("return")

    def close(self):
        self.file.close()
        self.sock.close()


class QemuMirror:
    """One mirror (mode: 'active' or 'background') of a --size raw file, started in session s."""

    def __init__(self, s, size, mode):
        self.s, self.mode = s, mode
        name = f"mirror-{mode}"
        for image in ("source", "copy"):
            with open(s.path(f"{name}-{image}.img"), "wb") as f:
                f.truncate(h.size_bytes(size))
        copy_port, self.port = h.free_port(), h.free_port()
        copy = s.start(f"{name}-copy", ["qemu-nbd", "-f", "raw", "--cache=writeback", "-t", "-p", str(copy_port),
                                        "-b", "127.0.0.1", "-x", "copy", s.path(f"{name}-copy.img")])
        h.wait_port(copy_port, copy)
        qmp_path = s.path(f"{name}.qmp")
        # The source as qemu-nbd serves the reference: a raw file through the page cache.
        self.daemon = s.start(name, [
            "qemu-storage-daemon",
            "--blockdev", f"driver=file,node-name=file0,filename={s.path(name + '-source.img')},cache.direct=off",
            "--blockdev", "driver=raw,node-name=source,file=file0",
            "--blockdev", f"driver=nbd,node-name=copy,server.type=inet,server.host=127.0.0.1,"
                          f"server.port={copy_port},export=copy",
            "--nbd-server", f"addr.type=inet,addr.host=127.0.0.1,addr.port={self.port}",
            "--export", "type=nbd,id=bench,node-name=source,name=bench,writable=on",
            "--chardev", f"socket,path={qmp_path},server=on,wait=off,id=qmp",
            "--monitor", "chardev=qmp"])
        h.wait_port(self.port, self.daemon)
        self.qmp = Qmp(qmp_path)
        s.on_exit.append(self.qmp.close)
        self.qmp.call("blockdev-mirror", **{"job-id": "mirror", "device": "source", "target": "copy",
                                            "sync": "full", "copy-mode": MODES[mode]})
        self.catch_up()

    def uri(self):
        return f"nbd://127.0.0.1:{self.port}/bench"

    def catch_up(self, timeout=3600):
        """Waits until the job is ready and has copied every dirty region; returns the seconds."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            jobs = self.qmp.call("query-block-jobs")
            if not jobs:
                raise SystemExit(f"the {self.mode} mirror job ended:\n{self.daemon.tail()}")
            job = jobs[0]
            if job["ready"] and job["offset"] == job["len"] and not job["busy"]:
                return time.monotonic() - t0
            time.sleep(0.05)
        raise SystemExit(f"the {self.mode} mirror did not catch up in {timeout} s")

    def side(self):
        def after(_label, _res):
            return {"catch-up s": f"{self.catch_up():.1f}"}

        return h.Side(f"qemu mirror, {self.mode}", self.uri(), after=after)
