"""Fixtures for the pilot tests: the shipped content and a pilot test world."""

from __future__ import annotations

import pytest

from ground.settings import Settings
from knowledge.index import KnowledgeBase
from storage.conversation_store import Store
from storage.database import Database
from tests.bot.conftest import bot_connector, start_app
from tests.paths import PROJECT_ROOT
from tests.pilots.support import World, make_world

__all__ = ["bot_connector", "start_app"]  # the loopback app and Bot Connector, for HTTP tests


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase.load(PROJECT_ROOT / "content", Settings().contacts)


@pytest.fixture
def world(database: Database, store: Store, knowledge: KnowledgeBase) -> World:
    return make_world(database, store, knowledge)
