"""Hands a question the bot could not answer to the AI-ambassadors, as a case."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from dialogs.forwarding import reach
from ground.card_ids import CARD_ID_KEY, new_card_id, plain_values
from ground.forms import Form
from ground.messages import Action, ChoiceInput, Incoming, Reply
from ground.texts import Texts
from knowledge.answer_card import ASK_AMBASSADOR_VERB

logger = logging.getLogger(__name__)

CONTACT_INPUT = "contact"
CONTACT_YES = "yes"
LABELS = "ask_ambassador"


def ask_ambassador_form(texts: Texts, question_id: int, title: str) -> tuple[ChoiceInput, Action]:
    """The "Må gerne kontakte mig" box (off unless ticked) and the button `title` that hands
    the question on with it."""
    form = Form(texts, LABELS, new_card_id())
    contact = form.choice(CONTACT_INPUT, (CONTACT_YES,), multiple=True)
    data = {"question_id": question_id, CARD_ID_KEY: form.card_id}
    return contact, Action(title, ASK_AMBASSADOR_VERB, data)


class AskAmbassadorDialog:
    """Puts the question in a case (joining a similar open one) and posts it to the
    ambassadors' conversation when one is configured; the asker is told what happens next."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        value = plain_values(incoming.value or {}, (CONTACT_INPUT,))
        question_id = value.get("question_id")
        if not isinstance(question_id, int) or isinstance(question_id, bool):
            return [Reply(text=texts.render("ambassador_unknown"))]
        contact_ok = CONTACT_YES in str(value.get(CONTACT_INPUT) or "").split(",")
        settings = self._deps.settings
        target = settings.ambassadors_conversation_on(incoming.person.channel)
        if target:  # the outbox must be able to address it
            await reach(self._deps.store, self._deps.addressing, incoming, target)
        handed = await self._deps.cases.hand_on(incoming, question_id, contact_ok)
        if handed is None:
            return [Reply(text=texts.render("ambassador_unknown"))]
        logger.info(
            "question %d is in case %d (new: %s, joined: %s, posted: %s)",
            question_id,
            handed.case.id,
            handed.handed.new,
            handed.handed.joined,
            handed.posted,
        )
        confirm = texts.render(
            "ambassador_confirm",
            posted=handed.posted,
            joined=handed.handed.joined,
            contact_ok=contact_ok,
            contact=settings.contacts.ambassadors.strip(),
        )
        return [Reply(text=confirm)]
