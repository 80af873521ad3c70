"""Slow-client benchmark: N connections dribbling headers at a real `kompas serve --dev`.

Usage: python bench/slow_clients.py [--connections 1100] [--seconds 30] [--max-connections M]
                                    [--header-timeout S] [--dribble 1.0] [--server-files 1024]

Starts `kompas serve --dev` on a free loopback port (its own SQLite database in a temporary
folder, the server's limits from the options or their defaults), opens N connections that
each send a request line and then one header line per `--dribble` seconds, never finishing
(a client the server cuts off connects again after a short pause), and probes /healthz on a
new connection every 100 ms for `--seconds`. `--server-files` gives the server a hard limit
of open files (`ulimit -n`), as on a host where 1,100 connections exhaust them. Everything
is on 127.0.0.1 and stops by itself.
Prints how the slow clients ended, how much the server logged, and one line:
`slow_clients: connections=N healthz_ok=K p95_ms=P` (K of the probes answered 200 within
2 s; P is the 95th percentile of their latency).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE_INTERVAL = 0.1
PROBE_TIMEOUT = 2.0
RECONNECT_PAUSE = 0.5
START_TIMEOUT = 90.0
STOP_TIMEOUT = 40.0


@dataclass
class Tally:
    """What happened to the slow clients and the probes."""

    opened: int = 0
    cut_off: int = 0
    refused: int = 0
    connect_failures: int = 0
    probes: list[float | None] = field(default_factory=list)  # ms, None when failed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def raise_own_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def slow_client(port: int, deadline: float, dribble: float, tally: Tally) -> None:
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port), PROBE_TIMEOUT
            )
        except (OSError, TimeoutError):
            tally.connect_failures += 1
            await asyncio.sleep(RECONNECT_PAUSE)
            continue
        tally.opened += 1
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: kompas\r\n")
            while time.monotonic() < deadline:
                await writer.drain()
                try:
                    data = await asyncio.wait_for(reader.read(1024), dribble)
                except TimeoutError:
                    writer.write(b"X-Slow: a\r\n")
                    continue
                if data.startswith(b"HTTP/1.1 503"):
                    tally.refused += 1
                else:
                    tally.cut_off += 1
                break
        except OSError:
            tally.cut_off += 1
        finally:
            writer.close()
        await asyncio.sleep(RECONNECT_PAUSE)


async def probe(port: int) -> float | None:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: kompas\r\nConnection: close\r\n\r\n")
            answer = await reader.read()
            writer.close()
    except (OSError, TimeoutError):
        return None
    if not answer.startswith(b"HTTP/1.1 200"):
        return None
    return (time.perf_counter() - started) * 1000


async def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kompas serve exited with {server.returncode}")
        if await probe(port) is not None:
            return
        await asyncio.sleep(0.5)
    raise SystemExit("kompas serve did not answer /healthz in time")


async def run(args: argparse.Namespace, port: int, tally: Tally) -> None:
    deadline = time.monotonic() + args.seconds
    clients = [
        asyncio.create_task(slow_client(port, deadline, args.dribble, tally))
        for _ in range(args.connections)
    ]
    await asyncio.sleep(min(2.0, args.seconds / 4))  # let them all connect first
    while time.monotonic() < deadline:
        tally.probes.append(await probe(port))
        await asyncio.sleep(PROBE_INTERVAL)
    await asyncio.wait(clients, timeout=args.dribble + PROBE_TIMEOUT + 1)
    for client in clients:
        client.cancel()


def start_server(args: argparse.Namespace, folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "KOMPAS_"))}
    env.update({"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "KOMPAS_SCHEDULER": "off"})
    if args.max_connections:
        env["KOMPAS_MAX_CONNECTIONS"] = str(args.max_connections)
    if args.header_timeout:
        env["KOMPAS_HEADER_TIMEOUT"] = str(args.header_timeout)
    command = [sys.executable, "-m", "bot.main"]
    subprocess.run([*command, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (folder / "serve.log").open("wb")
    files = args.server_files

    def limit_files() -> None:
        if files:
            resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    return subprocess.Popen(
        [*command, "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=limit_files,
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def report(args: argparse.Namespace, tally: Tally, log_file: Path) -> None:
    text = log_file.read_text(errors="replace")
    lines = text.splitlines()
    ok = [ms for ms in tally.probes if ms is not None]
    p95 = statistics.quantiles(ok, n=20)[-1] if len(ok) >= 2 else (ok[0] if ok else 0.0)
    print(
        f"slow connections opened {tally.opened} (in {args.seconds:g} s), cut off by the server "
        f"{tally.cut_off}, refused with 503 {tally.refused}, connect failures "
        f"{tally.connect_failures}"
    )
    print(
        f"server log: {len(lines)} lines, {len(text.encode())} bytes, "
        f"{sum('ERROR' in line for line in lines)} ERROR lines, "
        f"{sum('Too many open files' in line for line in lines)} 'Too many open files', "
        f"{sum('Connection limit' in line for line in lines)} connection-limit lines"
    )
    print(f"healthz probes: {len(tally.probes)}, answered 200: {len(ok)}")
    print(f"slow_clients: connections={args.connections} healthz_ok={len(ok)} p95_ms={p95:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-connections", type=int, default=0, help="default: Kompas's")
    parser.add_argument("--header-timeout", type=float, default=0.0, help="default: Kompas's")
    parser.add_argument("--dribble", type=float, default=1.0, help="seconds between header lines")
    parser.add_argument("--server-files", type=int, default=0, help="the server's ulimit -n")
    args = parser.parse_args()
    if not 1 <= args.connections <= 5000 or not 1 <= args.seconds <= 300:
        raise SystemExit("use 1-5000 connections and 1-300 seconds")
    raise_own_file_limit()
    port = free_port()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="kompas-slow-") as name:
        folder = Path(name)
        server = start_server(args, folder, port)
        try:
            asyncio.run(wait_until_up(port, server))
            asyncio.run(run(args, port, tally))
        finally:
            stop_server(server)
        report(args, tally, folder / "serve.log")


if __name__ == "__main__":
    main()
