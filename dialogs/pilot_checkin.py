"""A participant answers a pilot check-in card; the answers are stored redacted."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogs.form_dialog import PilotFormDialog
from ground.messages import Person
from pilots.cards import CHECKIN_INPUTS
from pilots.forms import MAX_ROW_ID, Redactor, parse_checkin
from storage.pilot_records import AnswerOutcome, CheckinAnswer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NumberedAnswer:
    """The answers to check-in `number` of a pilot."""

    number: int
    answer: CheckinAnswer


class PilotCheckinDialog(PilotFormDialog[NumberedAnswer]):
    """Stores (or updates) the sender's answers to one check-in of a pilot they take part in."""

    inputs = CHECKIN_INPUTS

    def parse(self, value: Mapping[str, Any], redactor: Redactor) -> NumberedAnswer | None:
        answer = parse_checkin(value, redactor)
        number = value.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_ROW_ID:
            return None
        return NumberedAnswer(number, answer)

    async def store(
        self, pilot_id: int, person: Person, submission: NumberedAnswer, redacted: bool
    ) -> AnswerOutcome:
        number, answer = submission.number, submission.answer
        outcome = await self._services.pilots.answer_checkin(pilot_id, number, person, answer)
        logger.info(
            "pilot %d check-in %d answer: %s (redacted=%s)", pilot_id, number, outcome, redacted
        )
        return outcome

    def thanks(self, submission: NumberedAnswer, *, updated: bool) -> str:
        decision = submission.answer.decision
        return self._deps.texts.render(
            "pilot_checkin_thanks", updated=updated, decision=decision.value if decision else ""
        )
