""" "Det vil jeg prøve" on an idea: counted anonymously, and its author hears about it."""

from __future__ import annotations

from dialogs.base import DialogDeps
from ground.messages import Incoming, Reply
from storage.idea_store import KINDS, IdeaRef


class IdeaTryDialog:
    """Notes the person's interest in one idea and thanks them."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        value = incoming.value or {}
        kind, idea_id = value.get("kind"), value.get("id")
        if kind not in KINDS or not isinstance(idea_id, int) or isinstance(idea_id, bool):
            return [Reply(text=texts.render("unknown_action"))]
        user_id = await self._deps.store.remember_person(incoming.person)
        marked = await self._deps.learning.interest.mark(IdeaRef(str(kind), idea_id), user_id)
        return [Reply(text=texts.render("idea_try", result=marked.interest.value))]
