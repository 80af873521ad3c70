"""Passes a question the bot could not answer to the AI-ambassadors."""

from __future__ import annotations

import logging

from dialogs.answer_card import format_date
from dialogs.base import DialogDeps
from dialogs.messages import Card, Fact, Incoming, Reply, Section

logger = logging.getLogger(__name__)


class AskAmbassadorDialog:
    """Stores the question as an open question and, if configured, posts it to the ambassadors."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        question_id = (incoming.value or {}).get("question_id")
        if not isinstance(question_id, int):
            return [Reply(text=texts.render("ambassador_unknown"))]
        open_question = await self._deps.store.open_question(question_id, incoming.person)
        if open_question is None:
            return [Reply(text=texts.render("ambassador_unknown"))]
        logger.info("open question %d created from question %d", open_question.id, question_id)
        target = self._deps.settings.ambassadors_conversation
        replies = [Reply(text=texts.render("ambassador_confirm", posted=bool(target)))]
        if target:
            card = Card(
                title=texts.label("ambassador_post", "title"),
                sections=(
                    Section(text=texts.render("ambassador_post", question=open_question.text)),
                ),
                facts=(
                    Fact(
                        texts.label("ambassador_post", "asked"),
                        format_date(open_question.created_at),
                    ),
                ),
            )
            replies.append(Reply(card=card, conversation_id=target))
        return replies
