"""Stores 👍/👎 feedback on an answer."""

from __future__ import annotations

import logging

from dialogs.ask_ambassador import ask_ambassador_form
from dialogs.base import DialogDeps
from ground.messages import Card, Incoming, Reply, Section

logger = logging.getLogger(__name__)


class FeedbackDialog:
    """Records whether an answer helped; after 👎 offers to ask an ambassador."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        value = incoming.value or {}
        question_id = value.get("question_id")
        helpful = value.get("helpful")
        if not isinstance(question_id, int) or not isinstance(helpful, bool):
            logger.warning("feedback submission without question_id/helpful: %r", sorted(value))
            return [Reply(text=texts.render("unknown_action"))]
        stored = await self._deps.store.set_feedback(question_id, incoming.person, helpful)
        if not stored:
            return [Reply(text=texts.render("feedback_unknown"))]
        thanks = texts.render("feedback_thanks", helpful=helpful)
        if helpful:
            return [Reply(text=thanks)]
        contact, action = ask_ambassador_form(
            texts, question_id, texts.label("answer_card", "ask_ambassador")
        )
        title = texts.label("feedback_card", "title")
        card = Card(
            title=title, sections=(Section(text=thanks),), actions=(action,), inputs=(contact,)
        )
        return [Reply(card=card)]
