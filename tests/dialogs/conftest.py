"""Fixtures for dialog tests: the real router over the real store and shipped content."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.composition import compose
from dialogs.features import feature_routes
from dialogs.router import Router
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from storage.conversation_store import Store
from storage.database import Database
from tests.paths import PROJECT_ROOT

MakeRouter = Callable[..., Router]


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    settings = Settings()
    return KnowledgeBase.load(PROJECT_ROOT / "content", settings.contacts)


@pytest.fixture
def make_router(database: Database, store: Store, knowledge: KnowledgeBase) -> MakeRouter:
    def build(**overrides: object) -> Router:
        settings = Settings().with_overrides(**overrides)
        texts = Texts(PROJECT_ROOT / "content" / "templates")
        return Router(compose(settings, database, knowledge, texts), feature_routes())

    return build


@pytest.fixture
def router(make_router: MakeRouter) -> Router:
    return make_router()
