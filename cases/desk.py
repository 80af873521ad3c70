"""The ambassadors' desk: hands unanswered questions on as cases and moves them along.

Every change of a case queues, through the outbox, a new version of its post in the
ambassadors' conversation (an update in place of the first post) and one short message
to each asker concerned. Nothing here checks roles: the dialogs (and the admin's terminal)
decide who may act, and hand over an Actor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cases.cards import (
    Contact,
    answered_reply,
    closed_reply,
    post_card,
    referred_reply,
    taken_reply,
)
from cases.grouping import closest_case
from delivery.api import OutgoingMessage
from delivery.outbox import Outbox
from ground.channels import Channels
from ground.messages import Card, Incoming, Reply
from ground.settings import Settings
from ground.texts import Texts
from knowledge.calibration import SUGGEST_THRESHOLD
from knowledge.index import KnowledgeBase
from organisation.roles import RoleBook
from privacy.redaction import redact
from storage.case_records import OPEN_STATES, Case, CaseAsker, CaseState, HandedOn, Transition
from storage.case_store import CaseStore
from storage.conversation_store import Store

logger = logging.getLogger(__name__)

CLOSEST_TOPICS = 3  # the closest topics Kompas considered, shown on the post


class Role(StrEnum):
    """In which role someone acts on a case (shown to the asker with their first name)."""

    AMBASSADOR = "ambassador"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    """Who acts: their users.id (None from the admin's terminal), first name and role."""

    user_id: int | None
    first_name: str
    role: Role

    @property
    def overrides(self) -> bool:
        """Admins may act on a case someone else has taken."""
        return self.role is Role.ADMIN


class Outcome(StrEnum):
    """How an action on a case ended."""

    DONE = "done"  # this call made the change
    ALREADY = "already"  # it had been done (a double click)
    TAKEN_BY_OTHER = "taken_by_other"  # someone else has the case
    NOT_OPEN = "not_open"  # it was answered, referred or closed already
    UNKNOWN = "unknown"  # no such case (or asker)
    INVALID = "invalid"  # the answer, topic or reason was missing


@dataclass(frozen=True)
class Result:
    """An action's outcome and the case as it stands afterwards."""

    outcome: Outcome
    case: Case | None = None


@dataclass(frozen=True)
class HandOn:
    """A question handed on: its case, whether it joined a similar one, whether it is posted."""

    case: Case
    handed: HandedOn
    posted: bool


def post_key(case_id: int) -> str:
    """The outbox key of a case's post in the ambassadors' conversation."""
    return f"case:{case_id}:post"


class CaseDesk:
    """Cases from hand-on to answer; built once per process by the composition root."""

    def __init__(
        self,
        cases: CaseStore,
        store: Store,
        outbox: Outbox,
        knowledge: KnowledgeBase,
        texts: Texts,
        settings: Settings,
        roles: RoleBook,
        channels: Channels,
        clock: Callable[[], datetime],
    ) -> None:
        self.cases = cases
        self._store = store
        self._outbox = outbox
        self._knowledge = knowledge
        self._texts = texts
        self._settings = settings
        self._roles = roles
        self._channels = channels
        self._clock = clock

    # -- handing on ---------------------------------------------------------------------------

    async def hand_on(
        self, incoming: Incoming, question_id: int, contact_ok: bool
    ) -> HandOn | None:
        """Put the person's question in a case (a similar open one, or a new one) and post
        or update it in the ambassadors' conversation. None when the question is not theirs.
        A second call for the same question changes nothing."""
        question = await self._store.question(question_id)
        if question is None:
            return None
        topic_ids = [
            match.topic.id
            for match in self._knowledge.ranked(question.text, CLOSEST_TOPICS)
            if match.score >= SUGGEST_THRESHOLD  # what Kompas would have offered, or nearly
        ]
        join = closest_case(self._knowledge, question.text, await self.cases.open_questions())
        handed = await self.cases.hand_on(
            question_id,
            incoming.person,
            contact_ok=contact_ok,
            conversation_id=incoming.conversation_id,
            topic_ids=topic_ids,
            join_case_id=join,
        )
        if handed is None:
            return None
        case = await self.cases.get(handed.case_id)
        if case is None:
            return None
        if handed.new:
            case = await self.publish(case)
            asker = case.asker(handed.asker_id)
            if handed.joined and case.state is CaseState.ASSIGNED and asker is not None:
                await self._tell(case, "taken", [asker], lambda a: taken_reply(self._texts, a))
        return HandOn(case, handed, posted=case.post_key is not None)

    async def publish(self, case: Case) -> Case:
        """Queue the case's post, or the newest version of it in place of the first one.

        Nothing when no ambassadors' conversation is configured. Returns the case (with its
        post recorded)."""
        target = case.post_conversation_id or self._settings.ambassadors_conversation_on(
            case.channel
        )
        if not target:
            return case
        reply = Reply(card=await self.card(case))
        if case.post_key is None:
            key = post_key(case.id)
            await self.cases.set_post(case.id, target, key)
            message = OutgoingMessage(key, case.channel, target, reply)
            found = await self.cases.get(case.id)
            case = found if found is not None else case
        else:
            message = OutgoingMessage(
                f"{case.post_key}:v{case.post_version}",
                case.channel,
                target,
                reply,
                updates_key=case.post_key,
            )
        await self._outbox.enqueue([message])
        return case

    async def card(self, case: Case) -> Card:
        """The case's post as it stands (also shown in a chat by `åbne spørgsmål`)."""
        contacts = await self._contacts(case.askers)
        return post_card(self._texts, case, self._knowledge.topics, contacts)

    async def _contacts(self, askers: Sequence[CaseAsker]) -> dict[int, Contact]:
        """The askers who said yes to being contacted: name and a link to a chat with them."""
        willing = [asker for asker in askers if asker.contact_ok]
        if not willing:
            return {}
        roles = await self._roles.current()
        found: dict[int, Contact] = {}
        for asker in willing:
            person = roles.find(asker.person)
            name = asker.person.name or (person.name if person else "") or asker.person.user_id
            address = (person.email if person else "") or asker.person.directory_id or ""
            link = self._channels.of(asker.channel).chat_link_to(address)
            found[asker.id] = Contact(name, link)
        return found

    # -- actions --------------------------------------------------------------------------------

    async def take(self, case_id: int, actor: Actor) -> Result:
        """ "Jeg tager den": of two ambassadors pressing at once, exactly one gets it."""
        moved = await self.cases.transition(
            case_id,
            CaseState.ASSIGNED,
            allowed_from={CaseState.NEW},
            assignee_id=actor.user_id,
            assigned_at=self._clock(),
        )
        if moved is None:
            return Result(Outcome.UNKNOWN)
        case = moved.case
        if moved.won:
            case = await self.publish(case)
            await self._tell(case, "taken", case.askers, lambda a: taken_reply(self._texts, a))
            return Result(Outcome.DONE, case)
        if case.state is CaseState.ASSIGNED:
            mine = actor.user_id is not None and case.assignee_id == actor.user_id
            return Result(Outcome.ALREADY if mine else Outcome.TAKEN_BY_OTHER, case)
        return Result(Outcome.NOT_OPEN, case)

    async def answer(self, case_id: int, actor: Actor, text: str) -> Result:
        """ "Svar": the (redacted) answer goes to every asker, signed with the actor's first
        name and role."""
        answer = redact(text).text.strip()
        if not answer:
            return Result(Outcome.INVALID)
        moved = await self._resolve(
            case_id, actor, CaseState.ANSWERED, answer=answer, referred_topic_id=None
        )
        if moved is None or not moved.won:
            return self._not_won(moved, lambda case: case.answer == answer)
        case = await self.publish(moved.case)
        name, role = actor.first_name, self._texts.label("case_roles", actor.role.value)
        await self._tell(
            case, "answer", case.askers, lambda a: answered_reply(self._texts, case, a, name, role)
        )
        return Result(Outcome.DONE, case)

    async def refer(self, case_id: int, actor: Actor, topic_id: str) -> Result:
        """ "Henvis til emne": every asker gets the topic's answer card."""
        topic = self._knowledge.topic(topic_id.strip())
        if topic is None:
            return Result(Outcome.INVALID)
        moved = await self._resolve(case_id, actor, CaseState.REFERRED, referred_topic_id=topic.id)
        if moved is None or not moved.won:
            return self._not_won(moved, lambda case: case.referred_topic_id == topic.id)
        case = await self.publish(moved.case)
        name, role = actor.first_name, self._texts.label("case_roles", actor.role.value)
        await self._tell(
            case, "refer", case.askers, lambda a: referred_reply(self._texts, a, topic, name, role)
        )
        return Result(Outcome.DONE, case)

    async def close(self, case_id: int, actor: Actor, reason: str) -> Result:
        """ "Luk uden svar": every asker gets a kind note with the (redacted) reason."""
        because = redact(reason).text.strip()
        if not because:
            return Result(Outcome.INVALID)
        moved = await self._resolve(case_id, actor, CaseState.CLOSED, close_reason=because)
        if moved is None or not moved.won:
            return self._not_won(moved, lambda case: case.close_reason == because)
        case = await self.publish(moved.case)
        contact = self._settings.contacts.ambassadors.strip()
        await self._tell(
            case, "close", case.askers, lambda a: closed_reply(self._texts, a, because, contact)
        )
        return Result(Outcome.DONE, case)

    async def _resolve(
        self, case_id: int, actor: Actor, to: CaseState, **values: object
    ) -> Transition | None:
        return await self.cases.transition(
            case_id,
            to,
            allowed_from=OPEN_STATES,
            unless_assigned_to_other=None if actor.overrides else actor.user_id,
            resolved_by_id=actor.user_id,
            resolved_at=self._clock(),
            **values,
        )

    @staticmethod
    def _not_won(moved: Transition | None, same: Callable[[Case], bool]) -> Result:
        if moved is None:
            return Result(Outcome.UNKNOWN)
        case = moved.case
        if case.is_open:
            return Result(Outcome.TAKEN_BY_OTHER, case)
        return Result(Outcome.ALREADY if same(case) else Outcome.NOT_OPEN, case)

    async def split(self, case_id: int, asker_id: int) -> Result:
        """ "Del ud": one asker of a grouped case gets a case (and a post) of their own."""
        split = await self.cases.split(case_id, asker_id)
        if split is None:
            case = await self.cases.get(case_id)
            if case is None:
                return Result(Outcome.UNKNOWN)
            return Result(Outcome.NOT_OPEN if not case.is_open else Outcome.UNKNOWN, case)
        new_case_id, moved = split
        new_case = await self.cases.get(new_case_id)
        if not moved or new_case is None:
            return Result(Outcome.ALREADY, new_case)
        old_case = await self.cases.get(case_id)
        if old_case is not None:
            await self.publish(old_case)
        return Result(Outcome.DONE, await self.publish(new_case))

    async def suggest(self, case_id: int, actor: Actor) -> Result:
        """ "Foreslå til AI-kompasset" on an answered or referred case (once)."""
        if await self.cases.suggest(case_id, actor.user_id):
            case = await self.cases.get(case_id)
            return Result(Outcome.DONE, await self.publish(case) if case else None)
        case = await self.cases.get(case_id)
        if case is None:
            return Result(Outcome.UNKNOWN)
        return Result(Outcome.ALREADY if case.suggested_at else Outcome.NOT_OPEN, case)

    async def forget_asker(self, case_ids: Sequence[int]) -> None:
        """After an asker's data was deleted: their question leaves the posts of their cases;
        an open case nobody is waiting for any more is closed."""
        for case_id in case_ids:
            case = await self.cases.touch_post(case_id)
            if case is None:
                continue
            if case.is_open and not case.askers:
                reason = self._texts.label("case_post", "erased_reason")
                moved = await self.cases.transition(
                    case_id, CaseState.CLOSED, allowed_from=OPEN_STATES, close_reason=reason
                )
                case = moved.case if moved is not None else case
            await self.publish(case)

    # -- telling the askers ---------------------------------------------------------------------

    async def _tell(
        self,
        case: Case,
        event: str,
        askers: Sequence[CaseAsker],
        reply_for: Callable[[CaseAsker], Reply],
    ) -> int:
        """Queue one message per asker (once per asker and event) where they asked, or in
        their personal chat when that is not known."""
        messages = []
        for asker in askers:
            conversation = asker.conversation_id or await self._personal_chat(asker)
            if not conversation:
                logger.warning("case %d: asker %d cannot be reached", case.id, asker.id)
                continue
            messages.append(
                OutgoingMessage(
                    key=f"case:{case.id}:asker:{asker.id}:{event}",
                    channel=asker.channel,
                    conversation_id=conversation,
                    reply=reply_for(asker),
                    user_id=asker.user_id,
                )
            )
        return await self._outbox.enqueue(messages) if messages else 0

    async def _personal_chat(self, asker: CaseAsker) -> str | None:
        references = await self._store.references_for(asker.person)
        return references[0].conversation_id if references else None
