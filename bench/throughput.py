"""Benchmark: guideline answers through /api/messages, at saturation and at a steady rate.

Usage: python bench/throughput.py [--in-flight 32] [--turns 2000] [--rate 20] [--seconds 15]
                                  [--users 1000]
                                  [--database-url postgresql://postgres@127.0.0.1:5432/test]
                                  [--sdk botbuilder|agents] [--own-process]

One `kompas serve`-like app (botbuilder edge, dev mode, the outbox not delivering), the
sample content, a loopback fake Bot Connector catching the replies, and a fresh database
(a temporary SQLite file by default; with --database-url a fresh schema on that server).
The questions come from `--users` people in their personal chats, each of whom has asked
once before the measuring starts (returning users). Each conversation gets Teams' pace (at
most 8 messages in 2 s), which Kompas keeps for its replies too, so a few people asking
back to back measure the pacing, not the server: 40 people cap a run at about 160/s.
First `--in-flight` clients send guideline questions as fast as they are answered; then
questions arrive at `--rate` a second (open loop: one every 1/rate seconds, whatever the
answers do). With --own-process Kompas runs in a process of its own, as in production, and
the clients and the fake connector in this one; otherwise all share one process (and its
one core). Prints

    first questions: users=U per_second=F   (each person's first question, before measuring)
    throughput: db=D sdk=K in_flight=N turns=T users=U per_second=S p95_ms=P [server=own_process]
    steady: db=D rate=R turns=T p95_ms=P max_ms=M
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import create_app  # noqa: E402
from bot.composition import open_services  # noqa: E402
from fakes.bot_connector import FakeBotConnector  # noqa: E402
from ground.settings import Settings  # noqa: E402
from storage.database import to_sync_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from teams_sdk import question  # noqa: E402

OWN_PROCESS = " server=own_process"


async def _post(client: aiohttp.ClientSession, url: str, activity: dict[str, Any]) -> float:
    began = time.perf_counter()
    async with client.post(url, json=activity) as response:
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}: {await response.text()}")
    return time.perf_counter() - began


async def saturate(
    url: str, service_url: str, in_flight: int, turns: int, users: int, first: int = 0
) -> tuple[float, float]:
    """Answers per second and p95 seconds with `in_flight` clients sending back to back
    questions number `first` to `first + turns - 1`."""
    latencies: list[float] = []
    numbers = iter(range(first, first + turns))

    async def client(session: aiohttp.ClientSession) -> None:
        for number in numbers:
            latencies.append(await _post(session, url, question(service_url, number, users)))

    connector = aiohttp.TCPConnector(limit=in_flight)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(in_flight)))
        seconds = time.perf_counter() - started
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    return turns / seconds, p95


async def steady(
    url: str, service_url: str, rate: float, seconds: float, users: int
) -> list[float]:
    """Latencies of questions sent every 1/rate seconds for `seconds`."""
    turns = int(rate * seconds)
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        tasks = []
        for number in range(turns):
            delay = started + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            activity = question(service_url, number, users)
            tasks.append(asyncio.create_task(_post(session, url, activity)))
        return list(await asyncio.gather(*tasks))


async def start_kompas(args: argparse.Namespace, database_url: str) -> tuple[Any, Any, int]:
    """The app on a free loopback port: (runner, services, port)."""
    settings = Settings(database_url=database_url)
    settings = replace(settings, teams=replace(settings.teams, sdk=args.sdk))
    services = await open_services(settings)
    app = create_app(settings, services, deliver_outbox=False, run_scheduler=False)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, services, int(runner.addresses[0][1])


def serve_alone(args: argparse.Namespace, database_url: str, ports: Any, stop: Any) -> None:
    """The child of --own-process: serve until `stop` is set; the port goes to `ports`."""
    logging.basicConfig(level=logging.ERROR)

    async def serve() -> None:
        runner, services, port = await start_kompas(args, database_url)
        ports.put(port)
        try:
            while not stop.is_set():
                await asyncio.sleep(0.2)
        finally:
            await runner.cleanup()
            await services.close()

    asyncio.run(serve())


async def measure(args: argparse.Namespace, url: str, label: str, where: str) -> None:
    async with FakeBotConnector() as fake:
        first_rate, _ = await saturate(url, fake.url, args.in_flight, args.users, args.users)
        print(f"first questions: users={args.users} per_second={first_rate:.1f}{where}", flush=True)
        per_second, p95 = await saturate(
            url, fake.url, args.in_flight, args.turns, args.users, first=args.users
        )
        print(
            f"throughput: db={label} sdk={args.sdk} in_flight={args.in_flight} "
            f"turns={args.turns} users={args.users} "
            f"per_second={per_second:.1f} p95_ms={p95 * 1000:.1f}{where}",
            flush=True,
        )
        latencies = await steady(url, fake.url, args.rate, args.seconds, args.users)
        print(
            f"steady: db={label} rate={args.rate:g} turns={len(latencies)} "
            f"p95_ms={statistics.quantiles(latencies, n=20)[-1] * 1000:.1f} "
            f"max_ms={max(latencies) * 1000:.1f}{where}",
            flush=True,
        )


async def run(args: argparse.Namespace, database_url: str, label: str) -> None:
    upgrade(database_url)
    if args.own_process:
        context = multiprocessing.get_context("spawn")
        ports, stop = context.Queue(), context.Event()
        child = context.Process(target=serve_alone, args=(args, database_url, ports, stop))
        child.start()
        try:
            port = await asyncio.to_thread(ports.get, True, 120)
            await measure(args, f"http://127.0.0.1:{port}/api/messages", label, OWN_PROCESS)
        finally:
            stop.set()
            child.join(30)
        return
    runner, services, port = await start_kompas(args, database_url)
    try:
        await measure(args, f"http://127.0.0.1:{port}/api/messages", label, "")
    finally:
        await runner.cleanup()
        await services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in-flight", type=int, default=32, help="concurrent clients")
    parser.add_argument("--turns", type=int, default=2000, help="questions at saturation")
    parser.add_argument("--rate", type=float, default=20.0, help="questions a second, steady")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the steady run")
    parser.add_argument("--users", type=int, default=1000, help="people asking (min 1)")
    parser.add_argument("--database-url", default="", help="PostgreSQL server (default SQLite)")
    parser.add_argument("--sdk", default="botbuilder", choices=("botbuilder", "agents"))
    parser.add_argument(
        "--own-process", action="store_true", help="Kompas in its own process, as in production"
    )
    args = parser.parse_args()
    if args.users < 1:
        parser.error("--users must be at least 1")
    logging.basicConfig(level=logging.ERROR)
    if not args.database_url:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(run(args, f"sqlite:///{folder}/bench.db", "sqlite"))
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(to_sync_url(args.database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(args.database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        asyncio.run(run(args, url.render_as_string(hide_password=False), "postgresql"))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
