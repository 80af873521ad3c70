"""Shows a suggested topic ("Mente du …?") the person picked."""

from __future__ import annotations

from dialogs.base import DialogDeps
from ground.messages import Incoming, Reply
from knowledge.answer_card import answer_reply


class ShowTopicDialog:
    """Answers with the picked topic; feedback counts for the original question."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        value = incoming.value or {}
        topic = self._deps.knowledge.topic(str(value.get("topic_id", "")))
        question_id = value.get("question_id")
        if topic is None or not isinstance(question_id, int):
            return [Reply(text=self._deps.texts.render("unknown_action"))]
        return [answer_reply(topic, question_id, self._deps.texts)]
