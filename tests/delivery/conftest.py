"""Fixtures for delivery: a fake Bot Connector, stored Teams conversations, a manual clock."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.teams.transport import TeamsTransport
from delivery.api import OutgoingMessage
from delivery.limits import channel_limits
from delivery.outbox import Outbox
from delivery.sender import Backoff, OutboxSender
from fakes.bot_connector import FakeBotConnector
from ground.channel_descriptions import TEAMS
from ground.messages import (
    Action,
    Card,
    Choice,
    ChoiceInput,
    ConversationType,
    Fact,
    Incoming,
    IncomingKind,
    Person,
    Reply,
    Section,
    TextInput,
)
from ground.settings import DeliverySettings, Settings
from storage.conversation_store import Store
from storage.database import Database
from storage.models import ConversationReferenceRow, UserRow

ROOT = Path(__file__).resolve().parents[2]
BOT_ID = "28:kompas-bot"
TENANT = "tenant-1"


class ManualClock:
    """A clock that only moves when told: `now()` for the outbox, `monotonic()` for limits."""

    def __init__(self, start: datetime = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)) -> None:
        self._start = start
        self._elapsed = 0.0

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return 1000.0 + self._elapsed

    def advance(self, seconds: float) -> None:
        self._elapsed += seconds


def prompt_reply(number: int = 1) -> Reply:
    """A campaign-like card with every kind of element."""
    return Reply(
        text="",
        card=Card(
            title=f"AI-erfaringer i december ({number})",
            sections=(Section("Hvad har du brugt AI til?"),),
            facts=(Fact("Tid", "under to minutter"),),
            actions=(Action("Send", "experience.submit", {"campaign": "2026-12"}),),
            inputs=(
                TextInput("used_for", "Hvad brugte du AI til?", multiline=True),
                ChoiceInput(
                    "gain",
                    "Gevinst",
                    (Choice("Tid", "time"), Choice("Kvalitet", "quality")),
                ),
            ),
        ),
    )


def teams_person(number: int) -> Person:
    return Person("teams", f"29:user-{number}", f"Bruger {number}", tenant_id=TENANT)


def conversation_of(number: int) -> str:
    return f"a:personal-{number}"


def teams_reference(service_url: str, conversation_id: str, user_id: str) -> dict[str, object]:
    """A conversation reference as bot.teams.activities stores it."""
    return {
        "activityId": "1",
        "bot": {"id": BOT_ID, "name": "Kompas"},
        "channelId": "msteams",
        "conversation": {"id": conversation_id, "conversationType": "personal", "tenantId": TENANT},
        "serviceUrl": service_url,
        "user": {"id": user_id, "name": "Bruger"},
        "locale": "da-DK",
    }


async def add_conversation(store: Store, service_url: str, number: int) -> Person:
    """Store a personal Teams conversation the way an incoming message does."""
    person = teams_person(number)
    conversation_id = conversation_of(number)
    await store.save_reference(
        Incoming(
            kind=IncomingKind.MESSAGE,
            person=person,
            conversation_id=conversation_id,
            conversation_type=ConversationType.PERSONAL,
            text="hej",
            reference=teams_reference(service_url, conversation_id, person.user_id),
            endpoint=service_url,
        )
    )
    return person


async def seed_conversations(database: Database, service_url: str, count: int) -> None:
    """Store `count` personal conversations in one transaction (for the large runs).

    users.id of conversation n is n (the test database starts empty with fresh ids).
    """
    now = datetime.now(UTC)
    users = [
        {
            "channel": "teams",
            "channel_user_id": teams_person(n).user_id,
            "display_name": teams_person(n).name,
            "tenant_id": TENANT,
            "created_at": now,
            "last_seen_at": now,
        }
        for n in range(1, count + 1)
    ]
    references = [
        {
            "user_id": n,
            "user_key": teams_person(n).user_id,
            "channel": "teams",
            "conversation_id": conversation_of(n),
            "conversation_type": "personal",
            "service_url": service_url,
            "tenant_id": TENANT,
            "reference": teams_reference(service_url, conversation_of(n), teams_person(n).user_id),
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(1, count + 1)
    ]
    async with database.transaction() as connection:
        await connection.execute(insert(UserRow), users)
        await connection.execute(insert(ConversationReferenceRow), references)


def campaign_messages(
    numbers: range | list[int], campaign: str = "2026-12"
) -> list[OutgoingMessage]:
    """One campaign message per recipient number."""
    return [
        OutgoingMessage(
            key=f"campaign:{campaign}:user:{n}",
            channel="teams",
            conversation_id=conversation_of(n),
            reply=prompt_reply(n),
            user_id=n,
        )
        for n in numbers
    ]


@pytest.fixture
async def connector(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotConnector]:
    """A fake Bot Connector on loopback (no limits unless a test asks for them)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    async with FakeBotConnector() as fake:
        yield fake


@dataclass
class Delivery:
    """An outbox and a sender with a real Teams transport, wired to the test database."""

    outbox: Outbox
    sender: OutboxSender
    transport: TeamsTransport


@pytest.fixture
async def make_delivery(database: Database, store: Store) -> AsyncIterator[Callable[..., Delivery]]:
    """Build outbox + sender pairs; transports are closed afterwards."""
    transports: list[TeamsTransport] = []

    def build(
        *,
        settings: DeliverySettings | None = None,
        clock: ManualClock | None = None,
        timeout_seconds: float = 5.0,
        backoff: Backoff | None = None,
        stop_timeout_seconds: float = 5.0,
        lease_seconds: float | None = None,
    ) -> Delivery:
        delivery = settings or DeliverySettings(rate_per_second=1000.0, concurrency=4)
        lease = lease_seconds or delivery.lease_seconds
        transport = TeamsTransport(Settings(), timeout_seconds=timeout_seconds)
        transports.append(transport)
        outbox = (
            Outbox(database, lease_seconds=lease, clock=clock.now)
            if clock
            else Outbox(database, lease_seconds=lease)
        )
        limits = (
            {"teams": channel_limits(TEAMS.limits, delivery.rate_per_second, clock=clock.monotonic)}
            if clock
            else None
        )
        sender = OutboxSender(
            outbox,
            {"teams": transport},
            delivery,
            store=store,
            limits=limits,
            backoff=backoff or Backoff(base_seconds=0.02, max_seconds=0.1),
            poll_seconds=0.05,
            stop_timeout_seconds=stop_timeout_seconds,
            # With a manual clock a pacing wait would never end: defer instead of waiting.
            max_pacing_wait_seconds=0.0 if clock else 5.0,
        )
        return Delivery(outbox, sender, transport)

    try:
        yield build
    finally:
        for transport in transports:
            await transport.close()


def cli_environment(database_url: str, **settings: str) -> dict[str, str]:
    """Environment for a `python -m bot.main …` subprocess on the test database."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KOMPAS_", "MICROSOFT_", "DATABASE_URL"))
    }
    environment.update(
        DATABASE_URL=database_url,
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        PYTHONPATH=str(ROOT),
        KOMPAS_SCHEDULER="off",
        **settings,
    )
    return environment


PYTHON = sys.executable


@dataclass
class CliProcess:
    """A `python -m bot.main …` subprocess; its output goes to files in the test's folder."""

    process: asyncio.subprocess.Process
    stdout: Path
    stderr: Path

    async def finished(self, timeout: float = 60.0) -> int:
        """Wait for the exit code."""
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"still running after {timeout}s:\n{self.errors()}") from None

    def output(self) -> str:
        return self.stdout.read_text(encoding="utf-8")

    def errors(self) -> str:
        return self.stderr.read_text(encoding="utf-8")[-3000:]


async def start_cli(folder: Path, name: str, *args: str, env: dict[str, str]) -> CliProcess:
    """Start `kompas <args>` in `folder` (no .env there); output in <name>.out / .err."""
    stdout, stderr = folder / f"{name}.out", folder / f"{name}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bot.main", *args, cwd=folder, env=env, stdout=out, stderr=err
        )
    return CliProcess(process, stdout, stderr)
