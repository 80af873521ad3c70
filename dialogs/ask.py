"""Answers a guideline question from the approved AI-kompas, or says honestly it cannot."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from dialogs.ask_ambassador import ask_ambassador_form
from dialogs.base import DialogDeps
from ground.messages import Action, Card, Incoming, Reply, Section
from knowledge.answer_card import SHOW_TOPIC_VERB, answer_reply
from privacy.redaction import RedactionKind, redact

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


def redaction_notice(deps: DialogDeps, removed: Mapping[RedactionKind, int]) -> Reply:
    """Tells the person which kinds of personal data were removed from their text."""
    context = {kind.value: removed.get(kind, 0) for kind in RedactionKind}
    return Reply(text=deps.texts.render("redaction_notice", removed=context))


class AskDialog:
    """A free-text question: search the content, answer with source, or offer an ambassador."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        if len(incoming.text) > MAX_QUESTION_CHARS:
            return [Reply(text=deps.texts.render("too_long"))]
        redaction = redact(incoming.text)
        question = redaction.text
        result = deps.knowledge.search(question)
        topic_id = result.best.topic.id if result.best else None
        score = (
            result.best.score
            if result.best
            else (result.suggestions[0].score if result.suggestions else 0.0)
        )
        question_id = await deps.store.record_question(incoming.person, question, topic_id, score)
        # The question itself never goes to INFO: only its topic and score (and, at DEBUG,
        # the redacted text).
        logger.info(
            "question %d: topic=%s score=%.3f redacted=%s",
            question_id,
            topic_id,
            score,
            ",".join(redaction.removed) or "-",
        )
        logger.debug("question %d text: %r", question_id, question)
        replies: list[Reply] = []
        if redaction.changed:
            replies.append(redaction_notice(deps, redaction.removed))
        if result.best is not None:
            replies.append(answer_reply(result.best.topic, question_id, deps.texts))
        else:
            replies.append(
                self._unknown(
                    question_id,
                    [m.topic.title for m in result.suggestions],
                    [m.topic.id for m in result.suggestions],
                )
            )
        return replies

    def _unknown(self, question_id: int, titles: list[str], topic_ids: list[str]) -> Reply:
        texts = self._deps.texts
        actions = [
            Action(
                texts.label("unknown_card", "did_you_mean", title=title),
                SHOW_TOPIC_VERB,
                {"topic_id": topic_id, "question_id": question_id},
                with_inputs=False,
            )
            for title, topic_id in zip(titles, topic_ids, strict=True)
        ]
        contact, ask = ask_ambassador_form(
            texts, question_id, texts.label("unknown_card", "ask_ambassador")
        )
        actions.append(ask)
        card = Card(
            title=texts.label("unknown_card", "title"),
            sections=(Section(text=texts.render("unknown_answer", suggestions=titles)),),
            actions=tuple(actions),
            inputs=(contact,),
        )
        return Reply(card=card)
