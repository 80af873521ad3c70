"""A participant submits the final reflection on a pilot; stored redacted, with their consent."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from dialogs.form_dialog import PilotFormDialog
from ground.messages import Person
from pilots.cards import REFLECTION_INPUTS
from pilots.forms import Redactor, parse_reflection
from storage.pilot_records import AnswerOutcome, ReflectionAnswer

logger = logging.getLogger(__name__)


class PilotReflectionDialog(PilotFormDialog[ReflectionAnswer]):
    """Stores (or updates) the sender's final reflection and celebrates a micro-success."""

    inputs = REFLECTION_INPUTS

    def parse(self, value: Mapping[str, Any], redactor: Redactor) -> ReflectionAnswer:
        return parse_reflection(value, redactor)

    async def store(
        self, pilot_id: int, person: Person, submission: ReflectionAnswer, redacted: bool
    ) -> AnswerOutcome:
        outcome = await self._services.pilots.answer_reflection(pilot_id, person, submission)
        logger.info(
            "pilot %d reflection: %s (consent=%s, redacted=%s)",
            pilot_id,
            outcome,
            submission.share_consent,
            redacted,
        )
        return outcome

    def thanks(self, submission: ReflectionAnswer, *, updated: bool) -> str:
        return self._deps.texts.render(
            "pilot_reflection_thanks",
            updated=updated,
            micro_success=bool(submission.micro_success),
            consent=submission.share_consent.value,
        )
