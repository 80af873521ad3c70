"""Lists what Kompas can do (`hjælp`)."""

from __future__ import annotations

from dialogs.base import DialogDeps
from dialogs.roles import roles_of
from ground.messages import Card, Incoming, Reply, Section


class HelpDialog:
    """Shows the help card with the topics the AI-kompas covers."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        topics = [topic.title for topic in self._deps.knowledge.topics]
        card = Card(
            title=texts.label("help_card", "title"),
            sections=(
                Section(text=texts.render("help", topics=topics, **await self._roles(incoming))),
            ),
        )
        return [Reply(card=card)]

    async def _roles(self, incoming: Incoming) -> dict[str, bool]:
        roles = await roles_of(self._deps, incoming.person)
        return {"ambassador": roles.ambassador, "leader": roles.leader or roles.ambassador}
