"""`idéer` / "hvad bruger andre AI til?": the idea bank, a page at a time, optionally by task."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from ground.messages import Incoming, IncomingKind, Reply
from learning.cards import idea_page_reply
from storage.experience_choices import TaskType

logger = logging.getLogger(__name__)

TASK_TYPES = frozenset(task_type.value for task_type in TaskType)


class IdeaBankDialog:
    """Shows the first page for a message ("idéer til mødereferater"), the next for "Flere"."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        learning = self._deps.learning
        offset = 0
        task_type: str | None
        if incoming.kind == IncomingKind.SUBMIT:
            value = incoming.value or {}
            given = value.get("offset")
            offset = given if isinstance(given, int) and not isinstance(given, bool) else 0
            named = value.get("task_type")
            task_type = named if isinstance(named, str) and named in TASK_TYPES else None
        else:
            task_type = learning.task_words.task_type_of(incoming.text)
        page = await learning.ideas.page(task_type, max(0, offset), learning.task_words)
        logger.info("idea bank page %d of %d (task %s)", page.offset, page.total, task_type)
        return [idea_page_reply(self._deps.texts, page)]
