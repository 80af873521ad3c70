"""An ambassador's button on a case: take it, answer, refer to a topic, close, split, suggest."""

from __future__ import annotations

import logging
from enum import StrEnum

from cases.cards import INPUT_NAMES, state_text
from cases.desk import Actor, Outcome, Result, Role
from dialogs.base import DialogDeps
from dialogs.roles import PersonRoles, roles_of
from ground.card_ids import plain_values
from ground.messages import Incoming, Person, Reply
from storage.case_records import Case

logger = logging.getLogger(__name__)


class CaseAction(StrEnum):
    """What the button does (also the `action` the templates get)."""

    TAKE = "take"
    ANSWER = "answer"
    REFER = "refer"
    CLOSE = "close"
    SPLIT = "split"
    SUGGEST = "suggest"


async def case_actor(deps: DialogDeps, person: Person) -> Actor | None:
    """The person as an Actor on cases; None unless they are an AI-ambassador or an admin."""
    roles: PersonRoles = await roles_of(deps, person)
    if not (roles.ambassador or roles.admin):
        return None
    user_id = await deps.store.remember_person(person)
    name = person.first_name
    if not name:
        found = (await deps.roles.current()).find(person)
        name = found.name.split(" ")[0] if found else ""
    return Actor(user_id, name, Role.ADMIN if roles.admin else Role.AMBASSADOR)


class CaseActionDialog:
    """One action on a case; only AI-ambassadors and admins may, everyone else is told so.

    Every action is idempotent (a double click changes nothing twice). Pressed on the post
    itself, the updated post is the answer; pressed elsewhere (the list in a personal chat),
    a short confirmation is.
    """

    def __init__(self, deps: DialogDeps, action: CaseAction) -> None:
        self._deps = deps
        self._action = action

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        value = plain_values(incoming.value or {}, INPUT_NAMES)
        case_id = value.get("case_id")
        if not isinstance(case_id, int) or isinstance(case_id, bool):
            return [Reply(text=texts.render("unknown_action"))]
        actor = await case_actor(self._deps, incoming.person)
        if actor is None:
            logger.info("refused %s on case %d: not an ambassador or admin", self._action, case_id)
            return [Reply(text=texts.render("case_not_allowed"))]
        result = await self._act(case_id, actor, value)
        logger.info("case %d: %s by user %s → %s", case_id, self._action, actor.user_id, result)
        return self._replies(result, incoming)

    async def _act(self, case_id: int, actor: Actor, value: dict[str, object]) -> Result:
        desk = self._deps.cases
        action = self._action
        if action is CaseAction.TAKE:
            return await desk.take(case_id, actor)
        if action is CaseAction.ANSWER:
            return await desk.answer(case_id, actor, str(value.get("answer") or ""))
        if action is CaseAction.REFER:
            return await desk.refer(case_id, actor, str(value.get("topic") or ""))
        if action is CaseAction.CLOSE:
            return await desk.close(case_id, actor, str(value.get("reason") or ""))
        if action is CaseAction.SPLIT:
            asker_id = value.get("asker_id")
            if not isinstance(asker_id, int) or isinstance(asker_id, bool):
                return Result(Outcome.UNKNOWN)
            return await desk.split(case_id, asker_id)
        return await desk.suggest(case_id, actor)

    def _replies(self, result: Result, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        case = result.case
        if result.outcome is Outcome.UNKNOWN or case is None:
            template = "case_missing" if result.outcome is Outcome.INVALID else "case_unknown"
            return [Reply(text=texts.render(template, action=self._action.value))]
        if result.outcome is Outcome.DONE:
            if _on_the_post(case, incoming):
                return []  # the post itself is updated in place
            return [
                Reply(
                    text=texts.render(
                        "case_done",
                        action=self._action.value,
                        number=case.id,
                        askers=len(case.askers),
                    )
                )
            ]
        if result.outcome is Outcome.TAKEN_BY_OTHER:
            name = case.assignee.first_name if case.assignee else ""
            return [Reply(text=texts.render("case_taken_by_other", name=name, number=case.id))]
        state = state_text(texts, case.state)
        template = "case_already" if result.outcome is Outcome.ALREADY else "case_not_open"
        return [Reply(text=texts.render(template, number=case.id, state=state))]


def _on_the_post(case: Case, incoming: Incoming) -> bool:
    """True when the button was pressed on the case's post (the channel said which message)."""
    return bool(case.post_message_id) and incoming.submitted_message_id == case.post_message_id
