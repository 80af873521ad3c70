"""Fixtures for the AI-erfaringer tests: real store, outbox, texts and router; a set clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.composition import compose
from delivery.outbox import Outbox
from dialogs.features import feature_routes
from dialogs.router import Router
from digests.digest_store import scrub_withdrawn_quotes
from experiences.campaign import CampaignService
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from ground.settings import ScheduleSettings, Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from tests.paths import PROJECT_ROOT

CPH = ZoneInfo("Europe/Copenhagen")


@dataclass
class Clock:
    """The time the code under test sees; tests move it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 30) -> datetime:
    """A Copenhagen wall-clock moment."""
    return datetime(year, month, day, hour, minute, tzinfo=CPH)


def chat(
    person: Person,
    conversation_type: ConversationType = ConversationType.PERSONAL,
    conversation_id: str | None = None,
) -> Incoming:
    """A message from `person` in their personal chat (or another conversation)."""
    conversation = conversation_id or f"a:{person.user_id}"
    return Incoming(
        kind=IncomingKind.MESSAGE,
        person=person,
        conversation_id=conversation,
        conversation_type=conversation_type,
        text="hej",
        reference={"conversation": {"id": conversation}},
    )


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase.load(PROJECT_ROOT / "content", Settings().contacts)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        timezone="Europe/Copenhagen",
        schedule=ScheduleSettings(reminder_after_working_days=3, campaign_window_working_days=10),
    )


@pytest.fixture
def texts(settings: Settings) -> Texts:
    return Texts(PROJECT_ROOT / "content" / "templates")


@pytest.fixture
def clock() -> Clock:
    return Clock(at(2026, 12, 1))


@pytest.fixture
def experiences(database: Database) -> ExperienceStore:
    return ExperienceStore(database, scrub_withdrawn_quotes)


@pytest.fixture
def outbox(database: Database) -> Outbox:
    return Outbox(database)


MakeCampaign = Callable[..., CampaignService]


@pytest.fixture
def make_campaign(
    experiences: ExperienceStore, outbox: Outbox, texts: Texts, settings: Settings, clock: Clock
) -> MakeCampaign:
    current = settings.schedule

    def build(
        *,
        reminder_after_working_days: int = current.reminder_after_working_days,
        campaign_window_working_days: int = current.campaign_window_working_days,
    ) -> CampaignService:
        changed = settings.with_overrides(
            schedule=ScheduleSettings(
                reminder_after_working_days=reminder_after_working_days,
                campaign_window_working_days=campaign_window_working_days,
            )
        )
        return CampaignService(experiences, outbox, texts, changed, clock=clock)

    return build


@pytest.fixture
def campaign(make_campaign: MakeCampaign) -> CampaignService:
    return make_campaign()


@pytest.fixture
def router(
    database: Database,
    store: Store,
    knowledge: KnowledgeBase,
    texts: Texts,
    settings: Settings,
    clock: Clock,
) -> Router:
    return Router(compose(settings, database, knowledge, texts, clock=clock), feature_routes())
