"""The long-lived services one Kompas process shares: what every edge is handed."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.router import Router
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from storage.conversation_store import Store
from storage.database import Database


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
