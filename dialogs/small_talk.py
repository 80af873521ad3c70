"""Short friendly replies to greetings and thanks, instead of a guideline."""

from __future__ import annotations

from dialogs.base import DialogDeps
from ground.messages import Incoming, Reply


class SmallTalkDialog:
    """Replies with one of the small-talk templates (hello, thanks, bye)."""

    def __init__(self, deps: DialogDeps, template: str) -> None:
        self._deps = deps
        self._template = template

    async def handle(self, incoming: Incoming) -> list[Reply]:
        hello = self._template == "small_talk_hello"
        context = {"name": incoming.person.first_name} if hello else {}
        return [Reply(text=self._deps.texts.render(self._template, **context))]
