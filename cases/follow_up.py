"""Cases nobody answers: one reminder in the ambassadors' conversation, then the topic's owner."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from delivery.api import OutgoingMessage
from delivery.outbox import Outbox
from ground.messages import Reply
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from organisation.model import OrgTree, Role
from organisation.tree_store import OrganisationStore
from scheduling.calendar import WorkingHours
from storage.case_records import Case, CaseState
from storage.case_store import CaseStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chat:
    """A person's personal chat with Kompas."""

    channel: str
    conversation_id: str
    user_id: int


class PersonalChats(Protocol):
    """Finds the personal chats of people in the organisation tree (by their tree ids)."""

    async def chats_of(self, tree: OrgTree, person_ids: Collection[str]) -> list[Chat]: ...


@dataclass(frozen=True)
class FollowUpReport:
    """What one run did: reminders queued, escalations queued, escalations nobody could get."""

    nudged: int = 0
    escalated: int = 0
    unreachable: int = 0


def owners_in(tree: OrgTree, owner: str) -> list[str]:
    """Tree ids of who a topic's `owner` names: people by name or e-mail, or the leaders of the
    units with that name ("Digitalisering")."""
    wanted = owner.strip().casefold()
    if not wanted:
        return []
    people = [
        p.id for p in tree.people.values() if wanted in (p.name.casefold(), p.email.casefold())
    ]
    for unit in tree.units.values():
        if unit.name.casefold() == wanted:
            people.extend(tree.leaders_of(unit.id))
    return list(dict.fromkeys(people))


class CaseFollowUp:
    """Runs from the scheduler: reminds the ambassadors of waiting cases, then escalates."""

    def __init__(
        self,
        cases: CaseStore,
        outbox: Outbox,
        knowledge: KnowledgeBase,
        texts: Texts,
        settings: Settings,
        organisation: OrganisationStore,
        chats: PersonalChats,
        hours: WorkingHours,
        clock: Callable[[], datetime],
    ) -> None:
        self._cases = cases
        self._outbox = outbox
        self._knowledge = knowledge
        self._texts = texts
        self._settings = settings
        self._organisation = organisation
        self._chats = chats
        self._hours = hours
        self._clock = clock

    async def run(self) -> FollowUpReport:
        """Queue every reminder and escalation that is due (each at most once per case)."""
        now = self._clock()
        nudge_after = timedelta(hours=self._settings.case_nudge_hours)
        report = FollowUpReport()
        tree: OrgTree | None = None
        for case in await self._cases.waiting():
            if (
                case.state is CaseState.NEW
                and case.nudged_at is None
                and self._hours.elapsed(case.created_at, now) >= nudge_after
                and await self._nudge(case, now)
            ):
                report = FollowUpReport(report.nudged + 1, report.escalated, report.unreachable)
            if case.escalated_at is None and self._escalation_due(case, now):
                tree = tree if tree is not None else await self._organisation.load_tree()
                sent = await self._escalate(case, tree, now)
                report = FollowUpReport(
                    report.nudged,
                    report.escalated + (sent is True),
                    report.unreachable + (sent is False),
                )
        if report.nudged or report.escalated or report.unreachable:
            logger.info(
                "cases followed up: %d reminded, %d escalated, %d with nobody to escalate to",
                report.nudged,
                report.escalated,
                report.unreachable,
            )
        return report

    def _escalation_due(self, case: Case, now: datetime) -> bool:
        calendar = self._hours.calendar
        tz = self._hours.tz
        due = calendar.add_working_days(
            case.created_at.astimezone(tz).date(), self._settings.case_escalate_days
        )
        return now.astimezone(tz).date() >= due

    async def _nudge(self, case: Case, now: datetime) -> bool:
        target = case.post_conversation_id or self._settings.ambassadors_conversation_on(
            case.channel
        )
        if not target or not await self._cases.mark_nudged(case.id, now):
            return False
        hours = int(self._hours.elapsed(case.created_at, now) / timedelta(hours=1))
        text = self._texts.render(
            "case_nudge", case_id=case.id, question=_question(case), hours=hours
        )
        await self._outbox.enqueue(
            [
                OutgoingMessage(
                    key=f"case:{case.id}:nudge",
                    channel=case.channel,
                    conversation_id=target,
                    reply=Reply(text=text),
                    not_before=self._hours.next_opening(now),
                )
            ]
        )
        return True

    async def _escalate(self, case: Case, tree: OrgTree, now: datetime) -> bool | None:
        """True: queued; False: nobody to tell (logged); None: done already by another run."""
        topic = next(
            (t for t in (self._knowledge.topic(i) for i in case.topic_ids) if t is not None), None
        )
        owners = owners_in(tree, topic.owner) if topic is not None else []
        admins = [p.id for p in tree.people.values() if p.has(Role.ADMIN)]
        chats = await self._chats.chats_of(tree, owners) if owners else []
        as_owner = bool(chats)
        if not chats:
            chats = await self._chats.chats_of(tree, admins) if admins else []
        if not chats:
            if await self._cases.mark_escalated(case.id, now):
                logger.warning(
                    "case %d: open for %d working days and nobody to escalate it to "
                    "(no topic owner or admin with a chat)",
                    case.id,
                    self._settings.case_escalate_days,
                )
                return False
            return None
        if not await self._cases.mark_escalated(case.id, now):
            return None
        text = self._texts.render(
            "case_escalation",
            case_id=case.id,
            question=_question(case),
            topic=topic.title if topic is not None else "",
            days=self._settings.case_escalate_days,
            contact=self._settings.contacts.ambassadors.strip(),
            as_owner=as_owner,
        )
        await self._outbox.enqueue(_to_each(case, chats, text, self._hours.next_opening(now)))
        return True


def _question(case: Case) -> str:
    return case.askers[0].text if case.askers else ""


def _to_each(case: Case, chats: Sequence[Chat], text: str, at: datetime) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            key=f"case:{case.id}:escalate:{chat.user_id}",
            channel=chat.channel,
            conversation_id=chat.conversation_id,
            reply=Reply(text=text),
            user_id=chat.user_id,
            not_before=at,
        )
        for chat in chats
    ]
