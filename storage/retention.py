"""Storage limitation: deleting the personal data whose retention period has run out."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import Delete, Update, delete, or_, select, update

from ground.operations_settings import RetentionSettings
from storage.case_records import OPEN_STATES
from storage.database import Database
from storage.handled_keys import EVENT_KEY_DAYS, EVENT_KEY_PREFIX
from storage.models import QuestionRow
from storage.models_cases import CaseAskerRow, CaseRow
from storage.models_experiences import ExperienceRow
from storage.models_outbox import OutboxRow
from storage.models_pilots import PilotCheckinRow, PilotNoteRow, PilotReflectionRow
from storage.models_turns import HandledKeyRow

logger = logging.getLogger(__name__)

FINISHED_OUTBOX_STATES = ("sent", "failed", "withdrawn")


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st → the month's last)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class RetentionReport:
    """How many rows one run deleted (or emptied), per kind."""

    questions: int = 0
    experiences: int = 0
    pilot_answers: int = 0
    closed_cases: int = 0
    outbox_emptied: int = 0
    outbox_deleted: int = 0
    event_keys: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, field.name) for field in fields(self))

    def __str__(self) -> str:
        return ", ".join(f"{field.name}={getattr(self, field.name)}" for field in fields(self))


class RetentionSweeper:
    """Deletes what is due under the retention settings; safe to run any number of times.

    - questions (the redacted text, its topic and feedback) after `months`, except those
      of a case still open (the asker waits for the answer);
    - experiences (free-text answers to the monthly prompt) and pilots' check-in,
      reflection and note texts after `months`;
    - cases answered, referred or closed `closed_case_months` ago (their askers with them);
    - finished outbox rows (sent, failed, withdrawn) lose their message and conversation
      after `outbox_days`; the bare key stays until `months` so a job repeated later still
      sends nothing twice. A case's post stays while its case does (it is updated in place).
    """

    def __init__(self, database: Database, settings: RetentionSettings) -> None:
        self._database = database
        self._settings = settings

    async def delete_due(self, now: datetime) -> RetentionReport:
        """Delete (in one transaction) what is due at `now`; returns the counts."""
        settings = self._settings
        cutoff = months_before(now, settings.months)
        case_cutoff = months_before(now, settings.closed_case_months)
        outbox_cutoff = now - timedelta(days=settings.outbox_days)
        open_case_questions = (
            select(CaseAskerRow.question_id)
            .join(CaseRow, CaseRow.id == CaseAskerRow.case_id)
            .where(CaseRow.state.in_([state.value for state in OPEN_STATES]))
        )
        case_posts = select(CaseRow.post_key).where(CaseRow.post_key.is_not(None))
        finished = OutboxRow.state.in_(FINISHED_OUTBOX_STATES)
        async with self._database.transaction() as connection:

            async def count(statement: Delete | Update) -> int:
                result = await connection.execute(statement)
                return int(result.rowcount or 0)

            closed_cases = await count(
                delete(CaseRow).where(
                    CaseRow.state.not_in([state.value for state in OPEN_STATES]),
                    CaseRow.resolved_at < case_cutoff,
                )
            )
            questions = await count(
                delete(QuestionRow).where(
                    QuestionRow.created_at < cutoff, QuestionRow.id.not_in(open_case_questions)
                )
            )
            experiences = await count(
                delete(ExperienceRow).where(ExperienceRow.created_at < cutoff)
            )
            pilot_answers = (
                await count(delete(PilotCheckinRow).where(PilotCheckinRow.due_date < cutoff.date()))
                + await count(
                    delete(PilotReflectionRow).where(PilotReflectionRow.due_date < cutoff.date())
                )
                + await count(delete(PilotNoteRow).where(PilotNoteRow.created_at < cutoff))
            )
            outbox_deleted = await count(
                delete(OutboxRow).where(
                    finished, OutboxRow.updated_at < cutoff, OutboxRow.key.not_in(case_posts)
                )
            )
            outbox_emptied = await count(
                update(OutboxRow)
                .where(
                    finished,
                    OutboxRow.updated_at < outbox_cutoff,
                    OutboxRow.conversation_id != "",
                    OutboxRow.key.not_in(case_posts),
                    or_(OutboxRow.updates_key.is_(None), OutboxRow.updates_key.not_in(case_posts)),
                )
                .values(payload={}, conversation_id="", last_error=None)
            )
            event_keys = await count(
                delete(HandledKeyRow).where(
                    HandledKeyRow.key.startswith(EVENT_KEY_PREFIX),
                    HandledKeyRow.created_at < now - timedelta(days=EVENT_KEY_DAYS),
                )
            )
        report = RetentionReport(
            questions=questions,
            experiences=experiences,
            pilot_answers=pilot_answers,
            closed_cases=closed_cases,
            outbox_emptied=outbox_emptied,
            outbox_deleted=outbox_deleted,
            event_keys=event_keys,
        )
        logger.info("Retention at %s: deleted %s", now.isoformat(timespec="seconds"), report)
        return report
