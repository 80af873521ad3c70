"""A participant answers a pilot check-in card; the answers are stored redacted."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from dialogs.pilot_common import PilotServices, form_problem, with_redaction_notice
from ground.card_ids import plain_values
from ground.messages import Incoming, Reply
from pilots.cards import CHECKIN_INPUTS
from pilots.forms import MAX_ROW_ID, FormError, Redactor, parse_checkin, pilot_id_of
from storage.pilot_records import AnswerOutcome

logger = logging.getLogger(__name__)


class PilotCheckinDialog:
    """Stores (or updates) the sender's answers to one check-in of a pilot they take part in."""

    def __init__(self, deps: DialogDeps, services: PilotServices) -> None:
        self._deps = deps
        self._services = services

    async def handle(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        value = plain_values(incoming.value or {}, CHECKIN_INPUTS)
        number = value.get("number")
        redactor = Redactor()
        try:
            pilot_id = pilot_id_of(value)
            answer = parse_checkin(value, redactor)
        except FormError as error:
            return form_problem(deps, error)
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_ROW_ID:
            return [Reply(text=deps.texts.render("pilot_unknown"))]
        outcome = await self._services.pilots.answer_checkin(
            pilot_id, number, incoming.person, answer
        )
        logger.info(
            "pilot %d check-in %d answer: %s (redacted=%s)",
            pilot_id,
            number,
            outcome,
            redactor.changed,
        )
        if outcome == AnswerOutcome.NOT_PARTICIPANT:
            return [Reply(text=deps.texts.render("pilot_not_participant"))]
        if outcome == AnswerOutcome.UNKNOWN:
            return [Reply(text=deps.texts.render("pilot_unknown"))]
        thanks = deps.texts.render(
            "pilot_checkin_thanks",
            updated=outcome == AnswerOutcome.UPDATED,
            decision=answer.decision.value if answer.decision else "",
        )
        return with_redaction_notice(deps, redactor, [Reply(text=thanks)])
