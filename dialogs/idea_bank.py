"""`idéer` / "hvad bruger andre AI til?": the idea bank, a page at a time, optionally by task."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from dialogs.pilot_common import not_ambassador
from dialogs.pilot_create import pilot_form
from dialogs.roles import roles_of
from ground.messages import Incoming, IncomingKind, Reply
from learning.cards import IDEA_INPUT, idea_page_reply
from learning.interest import shortened
from storage.experience_choices import TaskType
from storage.idea_store import KINDS, IdeaRef

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
        roles = await roles_of(self._deps, incoming.person)
        return [idea_page_reply(self._deps.texts, page, ambassador=roles.ambassador)]


class IdeaPilotDialog:
    """ "Start en pilot på det": the pilot card, filled in with the chosen idea."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        if not (await roles_of(self._deps, incoming.person)).ambassador:
            return not_ambassador(self._deps, "create")
        kind, _, number = str((incoming.value or {}).get(IDEA_INPUT, "")).partition(":")
        if kind not in KINDS or not number.isdigit() or len(number) > 18:
            return [Reply(text=texts.render("unknown_action"))]
        found = await self._deps.learning.ideas.store.author(IdeaRef(kind, int(number)))
        if found is None:
            return [Reply(text=texts.render("idea_try", result="gone"))]
        _, text = found
        return [Reply(card=pilot_form(self._deps, title=shortened(text, 80), task=text))]
