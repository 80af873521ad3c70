"""Fan-out benchmark: N recipients through the outbox to a rate-limited fake Bot Connector.

Usage: python bench/fanout.py [--recipients 10000] [--rate 30] [--kill-at F]
                              [--concurrency 8] [--database-url URL] [--channel teams|slack]

With `--channel slack` the recipients are Slack people and the fake is Slack's Web API,
posting at most `--rate` messages a second (above it: 429 with Retry-After), with the
sender's KOMPAS_SLACK_RATE set to the same rate.

Stores N personal Teams conversations and one queued message each, then runs
`kompas outbox drain --until-empty` as a subprocess against a loopback fake Bot Connector
that enforces Teams' limits itself (per conversation 7/1 s, 8/2 s, 60/30 s, 1800/h, and
`--rate` sends per second overall), answering 429 with Retry-After when they are exceeded.
The floor is N / rate seconds. With `--kill-at F` the sender is killed with SIGKILL after
a fraction F of the messages was delivered and started again (its in-doubt messages wait
for their lease, `--lease` seconds). Prints messages lost, duplicates and peak memory, and
ends with one line: `fanout: recipients=N seconds=S floor=F lost=L duplicates=D`, where S
runs from the fake's first answer to its last successful delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from delivery.api import OutgoingMessage  # noqa: E402
from delivery.outbox import Outbox, OutboxState  # noqa: E402
from fakes.bot_connector import ConnectorLimits, FakeBotConnector  # noqa: E402
from fakes.slack_api import FakeSlackApi  # noqa: E402
from ground.messages import Action, Card, Choice, ChoiceInput, Reply, Section, TextInput  # noqa: E402
from storage.database import Database, to_sync_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import ConversationReferenceRow, UserRow  # noqa: E402

TENANT = "tenant-bench"


def conversation_of(number: int) -> str:
    return f"a:bench-{number}"


def prompt(number: int) -> Reply:
    """A card of the size of the monthly prompt."""
    return Reply(
        card=Card(
            title="AI-erfaringer i december",
            sections=(Section("Fortæl kort, hvad du har brugt AI til i denne måned."),),
            actions=(
                Action("Send", "experience.submit", {"campaign": "2026-12", "n": number}),
                Action("Intet at dele", "experience.nothing", with_inputs=False),
            ),
            inputs=(
                TextInput("used_for", "Hvad brugte du AI til?", multiline=True),
                ChoiceInput(
                    "gain",
                    "Gevinst",
                    tuple(Choice(t, t.lower()) for t in ("Tid", "Kvalitet", "Service", "Ingen")),
                ),
            ),
        )
    )


async def seed(database: Database, service_url: str, count: int) -> float:
    """Store `count` conversations and enqueue one message each; seconds spent enqueueing."""
    now = datetime.now(UTC)
    users = [
        {
            "channel": "teams",
            "channel_user_id": f"29:bench-{n}",
            "display_name": f"Bruger {n}",
            "tenant_id": TENANT,
            "created_at": now,
            "last_seen_at": now,
        }
        for n in range(1, count + 1)
    ]
    references = [
        {
            "user_id": n,
            "user_key": f"29:bench-{n}",
            "channel": "teams",
            "conversation_id": conversation_of(n),
            "conversation_type": "personal",
            "service_url": service_url,
            "tenant_id": TENANT,
            "reference": {
                "bot": {"id": "28:kompas"},
                "user": {"id": f"29:bench-{n}"},
                "channelId": "msteams",
                "conversation": {"id": conversation_of(n), "tenantId": TENANT},
                "serviceUrl": service_url,
            },
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(1, count + 1)
    ]
    async with database.transaction() as connection:
        await connection.execute(insert(UserRow), users)
        await connection.execute(insert(ConversationReferenceRow), references)
    return await enqueue_prompts(database, "teams", conversation_of, count)


SLACK_TEAM = "T0BENCH01"
SLACK_TOKEN = "xoxb-bench-0000000000-0000000000-fanout"


def slack_user(number: int) -> str:
    return f"U{number:09d}"


async def seed_slack(database: Database, count: int) -> float:
    """Store `count` Slack people with their DM and enqueue one message each."""
    now = datetime.now(UTC)
    users = [
        {"channel": "slack", "channel_user_id": slack_user(n), "display_name": f"Bruger {n}",
         "tenant_id": SLACK_TEAM, "created_at": now, "last_seen_at": now}
        for n in range(1, count + 1)
    ]  # fmt: skip
    references = [
        {"user_id": n, "user_key": slack_user(n), "channel": "slack",
         "conversation_id": slack_dm(n), "conversation_type": "personal", "service_url": None,
         "tenant_id": SLACK_TEAM,
         "reference": {"team": SLACK_TEAM, "user": slack_user(n), "channel": slack_dm(n)},
         "active": True, "created_at": now, "updated_at": now}
        for n in range(1, count + 1)
    ]  # fmt: skip
    async with database.transaction() as connection:
        await connection.execute(insert(UserRow), users)
        await connection.execute(insert(ConversationReferenceRow), references)
    return await enqueue_prompts(database, "slack", slack_dm, count)


def slack_dm(number: int) -> str:
    return f"D{number:09d}"


async def enqueue_prompts(
    database: Database, channel: str, conversation: Callable[[int], str], count: int
) -> float:
    """Enqueue the monthly prompt for people 1..count in `channel`; the seconds it took."""
    messages = [
        OutgoingMessage(
            key=f"campaign:2026-12:user:{n}",
            channel=channel,
            conversation_id=conversation(n),
            reply=prompt(n),
            user_id=n,
        )
        for n in range(1, count + 1)
    ]
    started = time.perf_counter()
    stored = await Outbox(database).enqueue(messages)
    assert stored == count, f"enqueued {stored} of {count}"
    return time.perf_counter() - started


@asynccontextmanager
async def benchmark_database(url: str | None, folder: Path) -> AsyncIterator[str]:
    """A fresh migrated database: a SQLite file in `folder`, or a new PostgreSQL schema."""
    if url is None or url.startswith("sqlite"):
        path = folder / "fanout.db"
        fresh = f"sqlite:///{path}"
        upgrade(fresh)
        yield fresh
        return
    schema = f"fanout_{uuid.uuid4().hex[:10]}"
    admin = create_engine(to_sync_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    in_schema = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    fresh = in_schema.render_as_string(hide_password=False)
    try:
        upgrade(fresh)
        yield fresh
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


async def start_sender(
    args: argparse.Namespace, url: str, folder: Path, run: int, slack_api: str = ""
) -> asyncio.subprocess.Process:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("KOMPAS_", "MICROSOFT_", "SLACK_"))
    }
    if slack_api:
        env.update(
            SLACK_BOT_TOKEN=SLACK_TOKEN,
            SLACK_SIGNING_SECRET="bench-signing-secret",
            KOMPAS_SLACK_API_URL=slack_api,
            KOMPAS_SLACK_RATE=str(args.rate),
        )
    env.update(
        DATABASE_URL=url,
        KOMPAS_OUTBOX_RATE=str(args.rate),
        KOMPAS_OUTBOX_CONCURRENCY=str(args.concurrency),
        KOMPAS_OUTBOX_LEASE_SECONDS=str(args.lease),
        KOMPAS_SCHEDULER="off",
        KOMPAS_LOG_LEVEL="WARNING",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        PYTHONPATH=str(ROOT),
    )
    log = (folder / f"sender-{run}.log").open("wb")
    try:
        profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *profile,
            "-m",
            "bot.main",
            "outbox",
            "drain",
            "--until-empty",
            cwd=folder,
            env=env,
            stdout=log,
            stderr=log,
        )
    finally:
        log.close()


class PeakMemory:
    """The sender's peak resident memory, from /proc/<pid>/status (VmHWM) while it runs.

    getrusage(RUSAGE_CHILDREN) is no use here: a child's ru_maxrss includes the forked
    copy of this process from before the exec.
    """

    def __init__(self) -> None:
        self.peak_kb = 0

    async def watch(self, process: asyncio.subprocess.Process) -> None:
        status = Path(f"/proc/{process.pid}/status")
        while process.returncode is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except (OSError, ValueError):
                pass
            await asyncio.sleep(0.2)


async def run_slack(args: argparse.Namespace, folder: Path) -> int:
    """The same fan-out to Slack people through the fake Web API."""
    async with (
        benchmark_database(args.database_url, folder) as url,
        FakeSlackApi(token=SLACK_TOKEN, posts_per_second=args.rate) as fake,
    ):
        database = await Database.connect(url)
        try:
            enqueue_seconds = await seed_slack(database, args.recipients)
            print(f"enqueued {args.recipients} messages in {enqueue_seconds:.2f} s")
            sender = await start_sender(args, url, folder, 1, fake.url)
            in_flight_at_kill = None
            if args.kill_at is not None:
                target = max(1, int(args.recipients * args.kill_at))
                await fake.wait_for(target, timeout=args.recipients / args.rate * 3 + 60)
                sender.kill()
                await sender.wait()
                in_flight_at_kill = (await Outbox(database).status()).counts[OutboxState.SENDING]
                print(f"killed the sender; {in_flight_at_kill} messages were unsettled")
                sender = await start_sender(args, url, folder, 2, fake.url)
            code = await sender.wait()
        finally:
            await database.dispose()
    posts = [c for c in fake.calls if c.method == "chat.postMessage"]
    delivered: dict[str, int] = {}
    for call in posts:
        if call.ok:
            delivered[call.channel] = delivered.get(call.channel, 0) + 1
    lost = sum(1 for n in range(1, args.recipients + 1) if slack_user(n) not in delivered)
    duplicates = sum(count - 1 for count in delivered.values() if count > 1)
    ok = [c.answered_at for c in posts if c.ok]
    seconds = max(ok) - min(c.answered_at for c in posts) if ok else 0.0
    floor = args.recipients / args.rate
    print(
        f"delivered {sum(delivered.values())} in {seconds:.1f} s (floor {floor:.1f} s); "
        f"answered 429 {sum(1 for c in posts if c.status == 429)}"
    )
    if in_flight_at_kill is not None:
        print(f"duplicates {duplicates} <= claimed at the kill {in_flight_at_kill}")
    print(
        f"fanout: recipients={args.recipients} seconds={seconds:.1f} floor={floor:.1f} "
        f"lost={lost} duplicates={duplicates}"
    )
    return 0 if code == 0 and lost == 0 else 1


async def run(args: argparse.Namespace, folder: Path) -> int:
    limits = ConnectorLimits(overall_per_second=args.rate)
    async with (
        benchmark_database(args.database_url, folder) as url,
        FakeBotConnector(limits=limits) as fake,
    ):
        database = await Database.connect(url)
        try:
            enqueue_seconds = await seed(database, fake.url, args.recipients)
            print(f"enqueued {args.recipients} messages in {enqueue_seconds:.2f} s")
            started = time.monotonic()
            memory = PeakMemory()
            sender = await start_sender(args, url, folder, 1)
            watching = [asyncio.create_task(memory.watch(sender))]
            in_flight_at_kill = None
            if args.kill_at is not None:
                target = max(1, int(args.recipients * args.kill_at))
                await fake.wait_for(target, timeout=args.recipients / args.rate * 3 + 60)
                sender.kill()
                await sender.wait()
                status = await Outbox(database).status()
                in_flight_at_kill = status.counts[OutboxState.SENDING]
                print(
                    f"killed the sender after {fake.delivered_count} deliveries; "
                    f"{in_flight_at_kill} messages were claimed and unsettled"
                )
                sender = await start_sender(args, url, folder, 2)
                watching.append(asyncio.create_task(memory.watch(sender)))
            code = await sender.wait()
            await asyncio.gather(*watching)
            wall = time.monotonic() - started
            final = await Outbox(database).status()
        finally:
            await database.dispose()
        if code != 0:
            print(f"the sender exited with {code}; see {folder}/sender-*.log", file=sys.stderr)
        delivered = fake.delivered_per_conversation()
        lost = sum(1 for n in range(1, args.recipients + 1) if not delivered[conversation_of(n)])
        duplicates = sum(count - 1 for count in delivered.values() if count > 1)
        ok = [r.answered_at for r in fake.requests if r.ok]
        seconds = max(ok) - min(r.answered_at for r in fake.requests) if ok else 0.0
        floor = args.recipients / args.rate
        throttled = len(fake.throttled)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        child_mb = memory.peak_kb / 1024
        child_cpu = children.ru_utime + children.ru_stime
        own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"delivered {sum(delivered.values())} in {seconds:.1f} s "
            f"({sum(delivered.values()) / max(seconds, 1e-9):.1f}/s; floor {floor:.1f} s, "
            f"{(seconds / floor - 1) * 100:+.1f} %); wall clock with start-up {wall:.1f} s"
        )
        print(
            f"requests {len(fake.requests)}, answered 429 {throttled}; outbox: "
            + ", ".join(f"{state.value} {final.counts[state]}" for state in OutboxState)
        )
        print(
            f"peak memory: sender {child_mb:.0f} MB (VmHWM), "
            f"benchmark + fake connector {own_mb:.0f} MB (ru_maxrss)"
        )
        per_request_ms = child_cpu / max(1, len(fake.requests)) * 1000
        print(
            f"sender CPU: {child_cpu:.1f} s ({per_request_ms:.2f} ms per request, "
            "start-up included)"
        )
        if in_flight_at_kill is not None:
            print(f"duplicates {duplicates} <= claimed at the kill {in_flight_at_kill}")
        print(
            f"fanout: recipients={args.recipients} seconds={seconds:.1f} floor={floor:.1f} "
            f"lost={lost} duplicates={duplicates}"
        )
        return 0 if code == 0 and lost == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0, help="overall sends per second")
    parser.add_argument("--kill-at", type=float, help="SIGKILL the sender after this fraction")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--lease", type=int, default=5, help="lease seconds (in-doubt wait)")
    parser.add_argument(
        "--database-url", help="default: a new SQLite file; PostgreSQL: a new schema"
    )
    parser.add_argument("--profile", help="write the sender's cProfile statistics to this file")
    parser.add_argument("--channel", choices=("teams", "slack"), default="teams")
    args = parser.parse_args()
    backend = make_url(args.database_url).get_backend_name() if args.database_url else "sqlite"
    print(
        f"fan-out: {args.recipients} recipients at {args.rate:g}/s, concurrency "
        f"{args.concurrency}, Python {platform.python_version()} on {os.cpu_count()} cores, "
        f"database {backend}, channel {args.channel}"
    )
    chosen = run_slack if args.channel == "slack" else run
    with tempfile.TemporaryDirectory(prefix="fanout-") as folder:
        return asyncio.run(chosen(args, Path(folder)))


if __name__ == "__main__":
    sys.exit(main())
