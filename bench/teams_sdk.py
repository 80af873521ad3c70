"""Teams SDK benchmark: guideline questions through each SDK's edge and a raw aiohttp handler.

Usage: python bench/teams_sdk.py [--turns 400] [--warmup 40]

One process, one SQLite database in a temporary folder with the sample content, one
loopback fake Bot Connector. Each variant serves POST /api/messages on loopback and gets
the same guideline questions one at a time (dev mode: no JWT to check): `botbuilder` and
`agents` are Kompas's Teams edge on each SDK (the SDK parses and authenticates; replies go
over Kompas's own aiohttp session); `raw` is a bare aiohttp handler calling the same router
and posting the replies with one aiohttp session (what any edge has to do). Each variant
prints turns per second, the p95 latency and the process CPU per turn (client and fake
connector included, the same for all). Ends with one line:
`teams_sdk: botbuilder=B agents=A raw=R` (turns per second).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import create_app  # noqa: E402
from bot.composition import open_services  # noqa: E402
from bot.teams.activities import to_incoming  # noqa: E402
from bot.teams.cards import to_activity  # noqa: E402
from dialogs.services import Services  # noqa: E402
from fakes.bot_connector import FakeBotConnector  # noqa: E402
from ground.settings import Settings  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

QUESTIONS = (
    "Må jeg bruge ChatGPT til en borgers sag?",
    "må jeg skrive cpr-numre i copilot",
    "Hvem kan jeg spørge om AI i min afdeling?",
    "Må jeg bruge AI til at skrive et referat af et møde?",
    "hvordan kommer jeg i gang med copilot",
)
USERS = 40


def question(service_url: str, number: int, users: int = USERS) -> dict[str, Any]:
    """A guideline question in a personal chat, from one of `users` people."""
    user = number % users
    return {
        "type": "message",
        "id": f"activity-{number}",
        "timestamp": "2026-12-04T09:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:bench-{user}", "name": f"Bench {user}", "aadObjectId": f"aad-{user}"},
        "conversation": {
            "conversationType": "personal",
            "tenantId": "bench-tenant",
            "id": f"a:bench-chat-{user}",
        },
        "recipient": {"id": "28:kompas-bench", "name": "Kompas"},
        "channelData": {"tenant": {"id": "bench-tenant"}},
        "text": QUESTIONS[number % len(QUESTIONS)],
        "textFormat": "plain",
    }


@dataclass(frozen=True)
class Figures:
    """One variant's run."""

    name: str
    turns: int
    per_second: float
    p95_ms: float
    cpu_ms: float

    def line(self) -> str:
        return (
            f"teams_sdk: variant={self.name} turns={self.turns} per_second={self.per_second:.1f} "
            f"p95_ms={self.p95_ms:.1f} cpu_ms_per_turn={self.cpu_ms:.2f}"
        )


def raw_app(services: Services) -> web.Application:
    """/api/messages without an SDK: JSON → Incoming → router → replies over one session."""
    sessions: list[aiohttp.ClientSession] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        if not sessions:
            sessions.append(aiohttp.ClientSession())
        for incoming in to_incoming(body):
            for reply in await services.router.handle(incoming):
                url = (
                    f"{body['serviceUrl'].rstrip('/')}/v3/conversations/"
                    f"{quote(incoming.conversation_id, safe='')}/activities/{body['id']}"
                )
                activity = to_activity(reply) | {"replyToId": body["id"]}
                async with sessions[0].post(url, json=activity) as response:
                    response.raise_for_status()
        return web.Response(status=200)

    async def close(app: web.Application) -> None:
        for session in sessions:
            await session.close()

    app = web.Application()
    app.router.add_post("/api/messages", handle)
    app.on_cleanup.append(close)
    return app


async def measure(
    name: str,
    app: web.Application,
    fake: FakeBotConnector,
    turns: int,
    warmup: int,
) -> Figures:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
    latencies: list[float] = []
    try:
        async with aiohttp.ClientSession() as client:
            for number in range(warmup):
                await _post(client, url, question(fake.url, number))
            before = fake.delivered_count
            cpu, started = time.process_time(), time.perf_counter()
            for number in range(warmup, warmup + turns):
                began = time.perf_counter()
                await _post(client, url, question(fake.url, number))
                latencies.append(time.perf_counter() - began)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
        if fake.delivered_count - before < turns:
            raise SystemExit(f"{name}: {fake.delivered_count - before} replies for {turns} turns")
    finally:
        await runner.cleanup()
    p95 = statistics.quantiles(latencies, n=20)[-1]
    figures = Figures(name, turns, turns / seconds, p95 * 1000, cpu / turns * 1000)
    print(figures.line(), flush=True)
    return figures


async def _post(client: aiohttp.ClientSession, url: str, activity: dict[str, Any]) -> None:
    async with client.post(url, json=activity) as response:
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}: {await response.text()}")


async def run(turns: int, warmup: int, folder: Path) -> None:
    database_url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(database_url)
    settings = Settings(database_url=database_url)
    services = await open_services(settings)
    results: dict[str, Figures] = {}
    variants: list[tuple[str, Callable[[], web.Application]]] = [
        ("raw", lambda: raw_app(services)),
        ("botbuilder", lambda: _kompas(settings, services, "botbuilder")),
        ("agents", lambda: _kompas(settings, services, "agents")),
    ]
    try:
        async with FakeBotConnector() as fake:
            for name, make in variants:
                results[name] = await measure(name, make(), fake, turns, warmup)
    finally:
        await services.close()
    print(
        f"teams_sdk: botbuilder={results['botbuilder'].per_second:.1f} "
        f"agents={results['agents'].per_second:.1f} raw={results['raw'].per_second:.1f}"
    )


def _kompas(settings: Settings, services: Services, sdk: str) -> web.Application:
    chosen = replace(settings, teams=replace(settings.teams, sdk=sdk))
    return create_app(chosen, services, deliver_outbox=False, run_scheduler=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=400, help="measured turns per variant")
    parser.add_argument("--warmup", type=int, default=40, help="turns before measuring")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # dev mode warns once per variant
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.turns, args.warmup, Path(folder)))


if __name__ == "__main__":
    main()
