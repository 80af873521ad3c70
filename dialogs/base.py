"""What every dialog gets and must provide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.settings import Settings
from dialogs.messages import Incoming, Reply
from dialogs.texts import Texts
from knowledge.index import KnowledgeBase
from storage.store import Store


@dataclass(frozen=True)
class DialogDeps:
    """The services dialogs use; built once per process."""

    store: Store
    knowledge: KnowledgeBase
    texts: Texts
    settings: Settings


class Dialog(Protocol):
    """One user intent: takes an incoming event, returns the replies to send."""

    async def handle(self, incoming: Incoming) -> list[Reply]: ...
