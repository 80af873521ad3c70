"""The long-lived services one Kompas process needs, opened and closed together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dialogs.base import DialogDeps
from dialogs.features import feature_routes
from dialogs.router import Router
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from storage.database import Database
from storage.store import Store

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Database, store, knowledge index, texts and router for one process."""

    settings: Settings
    database: Database
    store: Store
    knowledge: KnowledgeBase
    texts: Texts
    router: Router

    async def readiness(self) -> dict[str, bool]:
        """What /readyz reports: the database answers and content is loaded."""
        return {"database": await self.database.ping(), "content": bool(self.knowledge.topics)}

    async def close(self) -> None:
        """Release the database connections."""
        await self.database.dispose()


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
