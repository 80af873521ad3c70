"""`mine data`, `eksportér mine data` and `slet mine data`: the person's rights over their data."""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from dialogs.base import DialogDeps
from experiences.export_links import EXPORT_LINK_LIFETIME, export_url
from experiences.personal_data import PersonalData, PersonalDataService
from experiences.prompt_card import choice_title
from experiences.submission import Field
from ground.clock import format_date
from ground.messages import Action, Card, Fact, Incoming, Reply, Section
from ground.texts import Texts
from storage.experience_store import Experience

logger = logging.getLogger(__name__)

SHOW_VERB = "my_data_show"
EXPORT_VERB = "my_data_export"
DELETE_VERB = "my_data_delete"  # asks for confirmation
CONFIRM_DELETE_VERB = "my_data_delete_confirm"
CANCEL_DELETE_VERB = "my_data_delete_cancel"

ANSWERED_STATES = frozenset({"besvaret", "henvist"})  # a case's states with an answer
LATEST_ITEMS = 3  # per kind in `mine data`
SUMMARY_CHARS = 80
LABELS = "my_data_card"


class MyDataAction(StrEnum):
    """What the person asked to do with their data."""

    SHOW = "show"
    EXPORT = "export"
    ASK_DELETE = "ask_delete"
    DELETE = "delete"
    CANCEL_DELETE = "cancel_delete"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


def _experience_item(texts: Texts, experience: Experience) -> dict[str, str]:
    if experience.used_for or experience.hard_text:
        summary = _short(experience.used_for or experience.hard_text)
    elif experience.task_type:
        summary = choice_title(texts, Field.TASK_TYPE, experience.task_type)
    else:
        summary = texts.label(LABELS, "no_text")
    return {
        "date": format_date(experience.created_at),
        "summary": summary,
        "consent": choice_title(texts, Field.CONSENT, experience.consent),
    }


def summary_context(texts: Texts, data: PersonalData) -> dict[str, Any]:
    """The `my_data` template's context: counts and the newest items, dates the Danish way."""
    return {
        "name": data.name,
        "questions": {
            "count": data.questions.count,
            "latest": [
                {"date": format_date(q.created_at), "text": _short(q.text)}
                for q in data.questions.items[:LATEST_ITEMS]
            ],
        },
        "open_questions": {
            "count": data.open_questions.count,
            "latest": [
                {
                    "date": format_date(q.created_at),
                    "text": _short(q.text),
                    "answered": q.status in ANSWERED_STATES,
                }
                for q in data.open_questions.items[:LATEST_ITEMS]
            ],
        },
        "experiences": {
            "count": data.experiences.count,
            "latest": [_experience_item(texts, e) for e in data.experiences.items[:LATEST_ITEMS]],
        },
        "campaign_answers": {
            "count": data.campaign_answers.count,
            "answered": data.answered_campaigns,
        },
        "conversations": {"count": data.conversations.count},
        "idea_interests": data.idea_interests,
        "paused": data.paused_since is not None,
    }


def export_counts(data: PersonalData) -> dict[str, int]:
    """How many items of each kind the export holds."""
    return {
        "questions": data.questions.count,
        "open_questions": data.open_questions.count,
        "experiences": data.experiences.count,
        "campaign_answers": data.campaign_answers.count,
        "conversations": data.conversations.count,
    }


class MyDataDialog:
    """Shows, exports or deletes everything Kompas stores about the person who asks."""

    def __init__(
        self, deps: DialogDeps, personal_data: PersonalDataService, action: MyDataAction
    ) -> None:
        self._deps = deps
        self._personal_data = personal_data
        self._action = action

    async def handle(self, incoming: Incoming) -> list[Reply]:
        texts = self._deps.texts
        if self._action is MyDataAction.ASK_DELETE:
            return [self._confirm_delete()]
        if self._action is MyDataAction.CANCEL_DELETE:
            return [Reply(text=texts.render("my_data_delete_cancelled"))]
        user_id = await self._deps.store.remember_person(incoming.person)
        if self._action is MyDataAction.DELETE:
            cases = await self._deps.cases.cases.case_ids_of(user_id)
            deleted = await self._personal_data.delete(user_id)
            if cases:  # their questions leave the posts in the ambassadors' conversation
                await self._deps.cases.forget_asker(cases)
                await self._deps.database.checkpoint()  # no copy of those pages in the WAL
            return [Reply(text=texts.render("my_data_deleted", total=deleted.total))]
        if self._action is MyDataAction.EXPORT:
            data = await self._personal_data.collect(user_id)
            logger.info("user %d exported their data", user_id)
            link = await export_url(
                self._deps.settings, self._deps.digests, user_id, self._deps.clock()
            )
            return [self._export(data, link, self._deps.clock() + EXPORT_LINK_LIFETIME)]
        data = await self._personal_data.collect(user_id, latest=LATEST_ITEMS)
        card = Card(
            title=texts.label(LABELS, "title"),
            sections=(Section(text=texts.render("my_data", **summary_context(texts, data))),),
            actions=(
                Action(texts.label(LABELS, "export"), EXPORT_VERB),
                Action(texts.label(LABELS, "delete"), DELETE_VERB),
            ),
        )
        return [Reply(card=card)]

    def _confirm_delete(self) -> Reply:
        texts = self._deps.texts
        card = Card(
            title=texts.label(LABELS, "delete_title"),
            sections=(Section(text=texts.render("my_data_delete_confirm")),),
            actions=(
                Action(texts.label(LABELS, "confirm_delete"), CONFIRM_DELETE_VERB),
                Action(texts.label(LABELS, "cancel_delete"), CANCEL_DELETE_VERB),
            ),
        )
        return Reply(card=card)

    def _export(self, data: PersonalData, link: str, expires: datetime) -> Reply:
        """A readable summary (counts per kind), the download link and when it stops working;
        the JSON itself is only behind the link."""
        texts = self._deps.texts
        local = expires.astimezone(ZoneInfo(self._deps.settings.timezone))
        intro = texts.render(
            "my_data_export",
            link=link,
            expires_date=format_date(local),
            expires_time=local.strftime("%H.%M"),
        )
        facts = tuple(
            Fact(texts.label(LABELS, f"count_{kind}"), str(count))
            for kind, count in export_counts(data).items()
        )
        return Reply(
            card=Card(
                title=texts.label(LABELS, "export_title"),
                sections=(Section(text=intro),),
                facts=facts,
            )
        )
