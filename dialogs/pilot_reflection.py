"""A participant submits the final reflection on a pilot; stored redacted, with their consent."""

from __future__ import annotations

import logging

from dialogs.base import DialogDeps
from dialogs.pilot_common import PilotServices, form_problem, with_redaction_notice
from ground.card_ids import plain_values
from ground.messages import Incoming, Reply
from pilots.cards import REFLECTION_INPUTS
from pilots.forms import FormError, Redactor, parse_reflection, pilot_id_of
from storage.pilot_records import AnswerOutcome

logger = logging.getLogger(__name__)


class PilotReflectionDialog:
    """Stores (or updates) the sender's final reflection and celebrates a micro-success."""

    def __init__(self, deps: DialogDeps, services: PilotServices) -> None:
        self._deps = deps
        self._services = services

    async def handle(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        value = plain_values(incoming.value or {}, REFLECTION_INPUTS)
        redactor = Redactor()
        try:
            pilot_id = pilot_id_of(value)
            answer = parse_reflection(value, redactor)
        except FormError as error:
            return form_problem(deps, error)
        outcome = await self._services.pilots.answer_reflection(pilot_id, incoming.person, answer)
        logger.info(
            "pilot %d reflection: %s (consent=%s, redacted=%s)",
            pilot_id,
            outcome,
            answer.share_consent,
            redactor.changed,
        )
        if outcome == AnswerOutcome.NOT_PARTICIPANT:
            return [Reply(text=deps.texts.render("pilot_not_participant"))]
        if outcome == AnswerOutcome.UNKNOWN:
            return [Reply(text=deps.texts.render("pilot_unknown"))]
        thanks = deps.texts.render(
            "pilot_reflection_thanks",
            updated=outcome == AnswerOutcome.UPDATED,
            micro_success=bool(answer.micro_success),
            consent=answer.share_consent.value,
        )
        return with_redaction_notice(deps, redactor, [Reply(text=thanks)])
