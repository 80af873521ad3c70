"""Lists what Kompas can do (`hjælp`)."""

from __future__ import annotations

from dialogs.base import DialogDeps
from dialogs.messages import Card, Incoming, Reply, Section


class HelpDialog:
    """Shows the help card with the topics the AI-kompas covers."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        topics = [topic.title for topic in self._deps.knowledge.topics]
        card = Card(
            title=texts.label("help_card", "title"),
            sections=(Section(text=texts.render("help", topics=topics, **self._roles(incoming))),),
        )
        return [Reply(card=card)]

    def _roles(self, incoming: Incoming) -> dict[str, bool]:
        person = incoming.person
        ambassador = self._deps.settings.is_ambassador(person.user_id, person.aad_object_id)
        return {"ambassador": ambassador, "leader": False}
