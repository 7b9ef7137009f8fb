#!/usr/bin/env python3
"""A TCP proxy that delays every chunk by a fixed one-way time, in both directions: a user-space
stand-in for `tc qdisc ... netem delay` where the kernel has no sch_netem (bench/wan-bench.sh).

  bench/delay-proxy.py --map LISTEN_PORT=HOST:PORT [--map ...] [--delay-ms MS] [--delay-file FILE]
                       [--bind ADDR]

Each --map listens on ADDR:LISTEN_PORT (default 127.0.0.1) and connects every accepted connection
to HOST:PORT. Whatever one side sends is written to the other side DELAY ms after it was read, in
order, so a request/answer pair across the proxy takes 2 x DELAY more than without it (the round
trip of a WAN whose one-way delay is DELAY). Bandwidth is not limited and nothing is dropped.

--delay-file FILE: the delay is read from FILE (milliseconds, a number) at start and again every
50 ms when it changes, so a benchmark can change the delay without breaking open connections.
Data already queued keeps the delay it was read under; order is kept when the delay shrinks.
Prints "listening ..." once every port listens. Python 3.8+ standard library only.
"""

import argparse
import asyncio
import os
import signal
import sys

CHUNK = 256 * 1024
HIGH_WATER = 1 << 20  # bytes written but not yet sent before the sender waits (drain)


class Delay:
    def __init__(self, ms, path):
        self.seconds = ms / 1000.0
        self.path = path
        self.mtime = None
        if path:
            self.reload()

    def reload(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return
        if st.st_mtime_ns == self.mtime:
            return
        self.mtime = st.st_mtime_ns
        try:
            with open(self.path) as f:
                text = f.read().strip()
            ms = float(text)
        except (OSError, ValueError):
            print("delay-proxy: ignoring %s: not a number of milliseconds" % self.path,
                  file=sys.stderr, flush=True)
            return
        if ms < 0:
            return
        if ms / 1000.0 != self.seconds:
            print("delay-proxy: one-way delay %g ms" % ms, flush=True)
        self.seconds = ms / 1000.0

    async def watch(self):
        while True:
            await asyncio.sleep(0.05)
            self.reload()


async def pump(reader, writer, delay):
    """Copies reader to writer, each chunk DELAY after it was read; then half-closes writer."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            if writer.transport.get_write_buffer_size() > HIGH_WATER:
                await writer.drain()

    sender = asyncio.ensure_future(send())
    try:
        while True:
            data = await reader.read(CHUNK)
            queue.put_nowait((loop.time() + delay.seconds, data or None))
            if not data:
                break
        await sender
    finally:
        if not sender.done():
            sender.cancel()


UNREACHABLE = set()  # targets whose last connection failed (said once, not at every retry)


async def connection(client_reader, client_writer, host, port, delay):
    try:
        server_reader, server_writer = await asyncio.open_connection(host, port)
    except OSError as e:
        if (host, port) not in UNREACHABLE:
            UNREACHABLE.add((host, port))
            print("delay-proxy: cannot reach %s:%d (%s); closing connections to it until it answers"
                  % (host, port, e.strerror or e), file=sys.stderr, flush=True)
        client_writer.close()
        return
    if (host, port) in UNREACHABLE:
        UNREACHABLE.discard((host, port))
        print("delay-proxy: %s:%d answers" % (host, port), flush=True)
    both = [asyncio.ensure_future(pump(client_reader, server_writer, delay)),
            asyncio.ensure_future(pump(server_reader, client_writer, delay))]
    try:
        # A reset on either side ends both directions; a clean EOF waits for the other side.
        done, pending = await asyncio.wait(both, return_when=asyncio.FIRST_EXCEPTION)
        for task in pending:
            task.cancel()
        for task in both:
            if task.done() and not task.cancelled():
                task.exception()  # consumed: a reset is a normal end here
    finally:
        for w in (client_writer, server_writer):
            w.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--map", action="append", required=True, metavar="LISTEN_PORT=HOST:PORT")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--delay-file")
    parser.add_argument("--bind", default="127.0.0.1")
    args = parser.parse_args()

    delay = Delay(args.delay_ms, args.delay_file)
    servers = []
    for m in args.map:
        listen, _, target = m.partition("=")
        host, _, port = target.rpartition(":")
        if not listen.isdigit() or not host or not port.isdigit():
            parser.error("--map wants LISTEN_PORT=HOST:PORT, got " + m)

        def handler(r, w, host=host, port=int(port)):
            return connection(r, w, host, port, delay)

        servers.append(await asyncio.start_server(handler, args.bind, int(listen)))
    print("listening: %s, one-way delay %g ms" % (", ".join(args.map), delay.seconds * 1000),
          flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watcher = asyncio.ensure_future(delay.watch()) if args.delay_file else None
    await stop.wait()
    if watcher:
        watcher.cancel()
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
