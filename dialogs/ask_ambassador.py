"""Stores a question the bot could not answer for the AI-ambassadors, and posts it if configured."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from ground.clock import format_date
from ground.messages import Card, Fact, Incoming, Reply, Section

logger = logging.getLogger(__name__)


def ambassadors_post_key(open_question_id: int) -> str:
    """The outbox key of an open question's post to the ambassadors (posted once)."""
    return f"ambassadors:question:{open_question_id}"


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
        settings = self._deps.settings
        target = settings.ambassadors_conversation_on(incoming.person.channel)
        confirm = texts.render(
            "ambassador_confirm", posted=bool(target), contact=settings.contacts.ambassadors.strip()
        )
        replies = [Reply(text=confirm)]
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
            # The router queues it in the outbox (the ambassadors' conversation is not this one).
            key = ambassadors_post_key(open_question.id)
            replies.append(Reply(card=card, conversation_id=target, outbox_key=key))
            await self._deps.store.mark_posted_to_ambassadors(open_question.id)
        return replies
