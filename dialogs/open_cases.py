"""`åbne spørgsmål`: open cases for AI-ambassadors and admins, newest first, a page at a time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from cases.cards import state_text
from dialogs.base import DialogDeps
from dialogs.case_action import case_actor
from ground.messages import Action, Card, Incoming, IncomingKind, Reply, Section
from storage.case_records import OPEN_STATES, CaseSummary

MORE_VERB = "case_list_more"
SHOW_VERB = "case_show"
PAGE_SIZE = 5
LABELS = "case_list"


class OpenCasesDialog:
    """Lists open cases (age, state, how many asked) with a button to show each and "Flere"."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        if await case_actor(self._deps, incoming.person) is None:
            return [Reply(text=texts.render("case_not_allowed"))]
        offset = 0
        if incoming.kind == IncomingKind.SUBMIT:
            given = (incoming.value or {}).get("offset")
            offset = given if isinstance(given, int) and not isinstance(given, bool) else 0
        offset = max(0, offset)
        cases = self._deps.cases.cases
        page = await cases.page(offset, PAGE_SIZE, OPEN_STATES)
        total = await cases.count(OPEN_STATES)
        now = self._deps.clock()
        lines = [
            {
                "number": case.id,
                "age": self._age(case, now),
                "state": state_text(texts, case.state),
                "askers": case.askers,
                "text": case.text,
            }
            for case in page
        ]
        actions = [
            Action(
                texts.label(LABELS, "show", number=str(case.id)), SHOW_VERB, {"case_id": case.id}
            )
            for case in page
        ]
        if offset + PAGE_SIZE < total:
            actions.append(
                Action(texts.label(LABELS, "more"), MORE_VERB, {"offset": offset + PAGE_SIZE})
            )
        card = Card(
            title=texts.label(LABELS, "title"),
            sections=(Section(texts.render("case_list", cases=lines, total=total)),),
            actions=tuple(actions),
        )
        return [Reply(card=card)]

    def _age(self, case: CaseSummary, now: datetime) -> str:
        zone = ZoneInfo(self._deps.settings.timezone)
        days = (now.astimezone(zone).date() - case.created_at.astimezone(zone).date()).days
        if days <= 0:
            return self._deps.texts.label(LABELS, "today")
        if days == 1:
            return self._deps.texts.label(LABELS, "yesterday")
        return self._deps.texts.label(LABELS, "days", days=str(days))


class ShowCaseDialog:
    """Shows one case's post in the chat, with the same buttons as in the channel."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        if await case_actor(self._deps, incoming.person) is None:
            return [Reply(text=texts.render("case_not_allowed"))]
        case_id = (incoming.value or {}).get("case_id")
        if not isinstance(case_id, int) or isinstance(case_id, bool):
            return [Reply(text=texts.render("unknown_action"))]
        case = await self._deps.cases.cases.get(case_id)
        if case is None:
            return [Reply(text=texts.render("case_unknown"))]
        return [Reply(card=await self._deps.cases.card(case))]
