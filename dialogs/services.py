"""The long-lived services one Kompas process shares: what every edge is handed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from dialogs.base import DialogDeps
from ground.messages import Incoming, Reply
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from storage.conversation_store import Store
from storage.database import Database


class TurnRouter(Protocol):
    """What the edges hand each event to (dialogs.router.Router fits, and wrappers of it)."""

    async def handle(self, incoming: Incoming) -> list[Reply]: ...

    def apology(self) -> Reply: ...


@dataclass
class Services:
    """The dialogs' dependencies (built once) and the router over them."""

    deps: DialogDeps
    router: TurnRouter
    # Counts a request that reached an edge outside the HTTP server (Slack's Socket Mode):
    # channel, and the HTTP status it would have had. The server counts its own requests.
    count_inbound: Callable[[str, int], None] | None = None

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    @property
    def database(self) -> Database:
        return self.deps.database

    @property
    def store(self) -> Store:
        return self.deps.store

    @property
    def knowledge(self) -> KnowledgeBase:
        return self.deps.knowledge

    @property
    def texts(self) -> Texts:
        return self.deps.texts

    async def readiness(self) -> dict[str, bool]:
        """What /readyz reports: the database answers and content is loaded."""
        return {"database": await self.database.ping(), "content": bool(self.knowledge.topics)}

    async def close(self) -> None:
        """Release the database connections."""
        await self.database.dispose()
