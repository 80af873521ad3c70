"""The skeleton of the dialogs that store a participant's answers to a pilot card."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from dialogs.base import DialogDeps
from dialogs.pilot_common import PilotServices, form_problem, with_redaction_notice
from ground.card_ids import plain_values
from ground.messages import Incoming, Person, Reply
from pilots.forms import FormError, Redactor, pilot_id_of
from storage.pilot_records import AnswerOutcome

SubmissionT = TypeVar("SubmissionT")


class PilotFormDialog(ABC, Generic[SubmissionT]):
    """Reads a submitted pilot card, stores the sender's answers and thanks them.

    The steps are the same for every such card: the input ids, named after the card id the
    card sends, are read back as plain names; the answers are parsed and redacted (a problem
    is explained in Danish); they are stored for the sender and the sender is thanked, after
    a notice when personal data was removed. The router has already refused a person-bound
    card pressed by anyone but its person; the store still checks that the sender takes part.
    A subclass fills in what differs: `inputs`, `parse`, `store` and `thanks`.
    """

    inputs: ClassVar[tuple[str, ...]]  # the names of the card's inputs

    def __init__(self, deps: DialogDeps, services: PilotServices) -> None:
        self._deps = deps
        self._services = services

    async def handle(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        value = plain_values(incoming.value or {}, self.inputs)
        redactor = Redactor()
        try:
            pilot_id = pilot_id_of(value)
            submission = self.parse(value, redactor)
        except FormError as error:
            return form_problem(deps, error)
        if submission is None:
            return [Reply(text=deps.texts.render("pilot_unknown"))]
        outcome = await self.store(pilot_id, incoming.person, submission, redactor.changed)
        if outcome == AnswerOutcome.NOT_PARTICIPANT:
            return [Reply(text=deps.texts.render("pilot_not_participant"))]
        if outcome == AnswerOutcome.UNKNOWN:
            return [Reply(text=deps.texts.render("pilot_unknown"))]
        thanks = self.thanks(submission, updated=outcome == AnswerOutcome.UPDATED)
        return with_redaction_notice(deps, redactor, [Reply(text=thanks)])

    @abstractmethod
    def parse(self, value: Mapping[str, Any], redactor: Redactor) -> SubmissionT | None:
        """The card's answers, free texts redacted; FormError names what to correct, and None
        means the card names something besides the pilot that cannot exist."""

    @abstractmethod
    async def store(
        self, pilot_id: int, person: Person, submission: SubmissionT, redacted: bool
    ) -> AnswerOutcome:
        """Stores the sender's answers and logs the outcome (and whether texts were redacted)."""

    @abstractmethod
    def thanks(self, submission: SubmissionT, *, updated: bool) -> str:
        """The Danish thanks; `updated` when the answers replaced earlier ones."""
