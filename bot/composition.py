"""The composition root: builds the long-lived services of one Kompas process once."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from dialogs.features import feature_routes
from dialogs.router import Router
from dialogs.services import Services
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from storage.conversation_store import Store
from storage.database import Database

logger = logging.getLogger(__name__)


async def open_services(settings: Settings) -> Services:
    """Connect to the database (already migrated) and load the content once."""
    database = await Database.connect(settings.database_url)
    store = Store(database)
    knowledge = KnowledgeBase.load(settings.content_dir, settings.contacts)
    texts = Texts(settings.content_dir / "templates")
    deps = DialogDeps(
        database=database, store=store, knowledge=knowledge, texts=texts, settings=settings
    )
    router = Router(deps, feature_routes())
    logger.info("Kompas ready: %d topics, database %s", len(knowledge.topics), database.engine.url)
    return Services(settings, database, store, knowledge, texts, router)
