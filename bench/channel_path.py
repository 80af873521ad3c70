"""Benchmark: a guideline question through each channel's edge, and through a raw handler.

Usage: python bench/channel_path.py [--turns 300] [--warmup 30]

One process, one SQLite database in a temporary folder with the sample content, loopback
fakes for Teams' Bot Connector and Slack's Web API. Each variant gets the same guideline
questions one at a time, from a few people, and a turn is timed from sending the question
until its answer reached the fake service:

- `teams`: POST /api/messages (botbuilder edge, dev mode), the answer posted back to the
  fake Bot Connector within the request;
- `slack`: POST /slack/events with Slack's signature, acknowledged at once; the answer is
  posted afterwards to the fake Web API (chat.postMessage);
- `raw`: a bare aiohttp handler doing the same JSON in, router, JSON out.

Prints a line per variant (`channel_path: variant=V turns=N per_second=S p50_ms=P p95_ms=Q`)
and ends with `channel_path: teams=T slack=S raw=R` (turns per second).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from teams_sdk import QUESTIONS, USERS, question, raw_app  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.channels import built_in_registry  # noqa: E402
from bot.composition import open_services  # noqa: E402
from fakes.bot_connector import FakeBotConnector  # noqa: E402
from fakes.slack_api import TEAM_ID, FakeSlackApi, SlackCall  # noqa: E402
from ground.channel_settings import SlackSettings  # noqa: E402
from ground.settings import Settings  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

BOT_TOKEN = "xoxb-bench-0000000000-0000000000-bench"
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"


def slack_event(number: int) -> bytes:
    """A DM with the app (message.im), as Slack sends it."""
    user = f"U{number % USERS:08d}"
    event = {
        "type": "message",
        "user": user,
        "text": QUESTIONS[number % len(QUESTIONS)],
        "ts": f"{1_741_079_700 + number}.000100",
        "team": TEAM_ID,
        "channel": f"D{number % USERS:08d}",
        "channel_type": "im",
    }
    body = {
        "type": "event_callback",
        "team_id": TEAM_ID,
        "api_app_id": "A0KOMPAS1",
        "event": event,
        "event_id": f"Ev{number:010d}",
        "event_time": int(time.time()),
    }
    return json.dumps(body).encode()


def signed(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def measure(
    name: str, turn: Callable[[int], Awaitable[None]], turns: int, warmup: int
) -> float:
    """Run warm-up turns, then `turns` timed ones; print the variant's line."""
    for number in range(warmup):
        await turn(number)
    latencies = []
    started = time.perf_counter()
    for number in range(warmup, warmup + turns):
        began = time.perf_counter()
        await turn(number)
        latencies.append(time.perf_counter() - began)
    per_second = turns / (time.perf_counter() - started)
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    print(
        f"channel_path: variant={name} turns={turns} per_second={per_second:.1f} "
        f"p50_ms={p50:.1f} p95_ms={p95:.1f}",
        flush=True,
    )
    return per_second


async def run(turns: int, warmup: int, folder: Path) -> None:
    database_url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(database_url)
    async with FakeBotConnector() as connector, FakeSlackApi(token=BOT_TOKEN) as slack_api:
        slack = SlackSettings(
            bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=slack_api.url
        )
        settings = Settings(database_url=database_url, slack=slack)
        registry = built_in_registry(settings, dev=True)
        services = await open_services(settings, registry)
        app = create_app(
            settings, services, deliver_outbox=False, run_scheduler=False, registry=registry
        )
        kompas, kompas_url = await serve(app)
        raw, raw_url = await serve(raw_app(services))
        results: dict[str, float] = {}
        try:
            async with aiohttp.ClientSession() as client:

                async def teams_turn(number: int) -> None:
                    activity: dict[str, Any] = question(connector.url, number)
                    async with client.post(f"{kompas_url}/api/messages", json=activity) as answer:
                        assert answer.status == 200, await answer.text()

                async def slack_turn(number: int) -> None:
                    body = slack_event(number)
                    start = len(slack_api.calls)
                    url = f"{kompas_url}/slack/events"
                    async with client.post(url, data=body, headers=signed(body)) as answer:
                        assert answer.status == 200, await answer.text()

                    def answered(calls: list[SlackCall]) -> bool:  # the answer, not its thread
                        return any(
                            c.method == "chat.postMessage" and "thread_ts" not in c.body
                            for c in calls[start:]
                        )

                    await slack_api.wait_until(answered, timeout=30)

                async def raw_turn(number: int) -> None:
                    activity = question(connector.url, number)
                    async with client.post(f"{raw_url}/api/messages", json=activity) as answer:
                        assert answer.status == 200, await answer.text()

                for name, turn in (("teams", teams_turn), ("slack", slack_turn), ("raw", raw_turn)):
                    results[name] = await measure(name, turn, turns, warmup)
        finally:
            await kompas.cleanup()
            await raw.cleanup()
            await services.close()
    print(
        f"channel_path: teams={results['teams']:.1f} slack={results['slack']:.1f} "
        f"raw={results['raw']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300, help="timed questions per variant")
    parser.add_argument("--warmup", type=int, default=30, help="questions before timing")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # dev mode warns once per channel
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.turns, args.warmup, Path(folder)))


if __name__ == "__main__":
    main()
