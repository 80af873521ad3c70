"""Every card Kompas sends, as Slack receives it, within Slack's Block Kit limits.

The journey of tests/cards/collect.py (the Teams cards), through Slack: Mette (an
AI-ambassador by her Slack user id) writes to Kompas in her DM and presses its buttons with
signed requests; the scheduled cards (monthly prompt, pilot check-in and final reflection)
come from the real jobs through the outbox and the Slack transport. Each message the fake
Slack Web API received is checked against Slack's limits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.composition import compose
from bot.slack.blocks import limit_problems
from bot.slack.modals import view_problems
from bot.slack.packed_forms import FORM_PREFIX, unpack_form
from delivery.outbox import Outbox
from digests.digest_store import scrub_withdrawn_quotes
from digests.service import DigestService
from experiences.campaign import CampaignService
from experiences.prompt_card import month_name
from fakes.slack_api import FakeSlackApi, SlackCall
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from pilots.checkins import build_pilot_checkins
from pilots.schedule import planned_end
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.pilot_records import NewPilot
from storage.pilot_store import PilotStore
from tests.bot.conftest import StartApp
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import SlackKompas, slack_settings, start_slack_kompas
from tests.cards.collect import JOB_DAY, JOB_MORNING, LINK_SECRET
from tests.digests.support import MONTH, seed_world
from tests.paths import PROJECT_ROOT

AMBASSADORS_CHANNEL = "C0AMBASS1"
METTE = Person("slack", slack.USER_ID, tenant_id="T0KOMMUNE")
EVERY_CARD = [
    "help",
    "answer",
    "answer's Læs mere (its thread)",
    "feedback",
    "ambassadors' post",
    "no answer, Mente du …?",
    "share experience",
    "my data",
    "export",
    "delete confirmation",
    "pilot create",
    "pilot status",
    "pilot note (refleksion)",
    "digest",
    "idea bank",
    "learning draft",
    "learning edit",
    "learning post",
    "monthly prompt",
    "pilot check-in",
    "pilot reflection",
]

Pick = Callable[[SlackCall], bool]


def verbs(call: SlackCall) -> set[str]:
    """The card verbs of a message's buttons (a form button's: the verb its modal sends)."""
    found = set()
    for button in call.buttons():
        if button["action_id"].startswith(FORM_PREFIX):
            form = unpack_form(button["value"])
            assert form is not None
            found.add(form.action.verb)
        elif button.get("value"):
            found.add(json.loads(button["value"]).get("verb"))
    return found


def with_verb(verb: str) -> Pick:
    return lambda call: verb in verbs(call)


def titled(text: str) -> Pick:
    return lambda call: bool(call.blocks) and call.blocks[0].get("text", {}).get("text") == text


def in_thread_of(first: SlackCall) -> Pick:
    return lambda call: bool(first.ts) and call.body.get("thread_ts") == first.ts


@dataclass
class SlackChat:
    """Mette's DM with the running app; every message Kompas sent is kept."""

    kompas: SlackKompas
    api: FakeSlackApi
    seen: int = 0
    messages: dict[str, SlackCall] = field(default_factory=dict)
    modals: list[SlackCall] = field(default_factory=list)  # views.open calls

    async def expect(self, count: int) -> list[SlackCall]:
        """The messages posted or updated since the last call (at least `count`)."""
        arrived = await self.api.wait_for(self.seen + count, method="*", timeout=30)
        new = arrived[self.seen :]
        self.seen += len(new)
        return new

    async def say(self, text: str, replies: int = 1) -> list[SlackCall]:
        status, _ = await self.kompas.send(slack.direct_message(text))
        assert status == 200
        return await self.expect(replies)

    async def press(
        self, call: SlackCall, button: str, /, replies: int = 1, **typed: str
    ) -> list[SlackCall]:
        """Press the button titled `button` (prefix); a form button ("Send…") opens its modal,
        which is submitted with `typed` in its inputs."""
        [pressed] = [b for b in call.buttons() if b["text"]["text"].startswith(button)]
        request = slack.block_actions(
            pressed,
            message_ts=call.ts or "1762162200.000100",
            response_url=self.api.response_url(f"press{self.seen}"),
        )
        assert (await self.kompas.send(request))[0] == 200
        if pressed["action_id"].startswith(FORM_PREFIX):
            opened = await self.api.wait_for(len(self.modals) + 1, method="views.open")
            self.modals.append(opened[-1])
            submitted = slack.view_submission(opened[-1].view, typed)
            assert (await self.kompas.send(submitted))[0] == 200
        return await self.expect(replies)

    def keep(self, name: str, calls: list[SlackCall], pick: Pick) -> SlackCall:
        found = [call for call in calls if pick(call)]
        assert found, f"no {name} message among {[c.text[:40] for c in calls]}"
        self.messages[name] = found[0]
        return found[0]


async def test_every_card_kompas_sends_in_slack_is_within_slacks_limits(
    start_app: StartApp, slack_api: FakeSlackApi, database: Database, database_url: str
) -> None:
    await seed_world(database)  # an organisation with a month of answers, for the digest
    settings = slack_settings(database_url, slack_api, ambassadors_channel=AMBASSADORS_CHANNEL)
    settings = settings.with_overrides(
        ambassadors=frozenset({slack.USER_ID}), link_secret=LINK_SECRET
    )
    texts = Texts(PROJECT_ROOT / "content" / "templates")
    await DigestService(database, texts, settings).compute_month(MONTH)
    kompas = await start_slack_kompas(start_app, settings, deliver_outbox=True)
    chat = SlackChat(kompas, slack_api)
    label = texts.label

    chat.keep("help", await chat.say("hjælp"), titled(label("help_card", "title")))
    answered = await chat.say("Må jeg skrive et CPR-nummer i ChatGPT?", replies=2)
    answer = chat.keep("answer", answered, with_verb("feedback"))
    details = chat.keep("answer's Læs mere (its thread)", answered, in_thread_of(answer))
    assert details.text == label("answer_card", "read_more")
    feedback = chat.keep("feedback", await chat.press(answer, "👎"), with_verb("ask_ambassador"))
    # The confirmation in Mette's DM, then the post in the ambassadors' channel (outbox).
    posted = await chat.press(feedback, label("answer_card", "ask_ambassador"), replies=2)
    post = chat.keep("ambassadors' post", posted, titled(label("case_post", "title")))
    assert post.channel == AMBASSADORS_CHANNEL
    chat.keep(
        "no answer, Mente du …?",
        await chat.say("Hvad med møde og billede?"),
        with_verb("show_topic"),
    )
    chat.keep("share experience", await chat.say("del erfaring"), with_verb("experience_submit"))
    chat.keep("my data", await chat.say("mine data"), with_verb("my_data_export"))
    export = titled(label("my_data_card", "export_title"))
    chat.keep("export", await chat.say("eksportér mine data"), export)
    confirm = with_verb("my_data_delete_confirm")
    chat.keep("delete confirmation", await chat.say("slet mine data"), confirm)
    create = chat.keep("pilot create", await chat.say("ny pilot"), with_verb("pilot_create"))
    created = await chat.press(
        create, create.buttons()[0]["text"]["text"], title="AI til mødereferater",
        success="Referatet er klar samme dag", participants=slack.USER_ID, weeks="4",
        cadence="7",
    )  # fmt: skip
    assert "AI til mødereferater" in created[0].all_text()
    chat.keep("pilot status", await chat.say("pilot status"), with_verb("pilot_pause"))
    chat.keep("pilot note (refleksion)", await chat.say("refleksion"), with_verb("pilot_note"))
    digest = chat.keep("digest", await chat.say("digest"), lambda c: "/digests/" in c.all_text())
    assert digest.blocks[0]["type"] == "header"
    await learning_cards(chat, database, settings, texts)

    await scheduled_cards(chat, database, settings, texts)

    assert list(chat.messages) == EVERY_CARD
    problems = {
        name: limit_problems(call.body)
        for name, call in chat.messages.items()
        if limit_problems(call.body)
    }
    assert problems == {}
    await every_form_opens_as_a_modal_within_slacks_limits(chat)
    every_call = [call for call in slack_api.calls if call.method != "auth.test"]
    assert all(call.ok for call in every_call), [c.error for c in every_call if not c.ok]


FORMS = {
    "share experience",
    "ambassadors' post",
    "pilot create",
    "pilot note (refleksion)",
    "learning edit",
    "monthly prompt",
    "pilot check-in",
    "pilot reflection",
}


async def every_form_opens_as_a_modal_within_slacks_limits(chat: SlackChat) -> None:
    """Each card that asks for free text shows no text field in its message but buttons that
    open its form in a modal; every such modal keeps Slack's limits for views."""
    with_forms = []
    for name, call in chat.messages.items():
        fields = [b for b in call.blocks if b.get("element", {}).get("type") == "plain_text_input"]
        assert not fields, f"{name} shows a text field"
        for button in call.buttons():
            if button["action_id"].startswith(FORM_PREFIX):
                assert (await chat.kompas.send(slack.block_actions(button)))[0] == 200
                with_forms.append(name)
    assert set(with_forms) == FORMS
    opened = await chat.api.wait_for(len(chat.modals) + len(with_forms), method="views.open")
    assert {
        name: view_problems(call.view)
        for name, call in zip(with_forms, opened[len(chat.modals) :], strict=True)
        if view_problems(call.view)
    } == {}


async def learning_cards(chat: SlackChat, database: Database, settings: Any, texts: Texts) -> None:
    """The idea bank's page; the month's "Det har vi lært" draft in the ambassadors' channel
    (posted by what the monthly job runs), its edit card, and the post in Mette's DM."""
    label = texts.label
    chat.keep("idea bank", await chat.say("idéer"), with_verb("idea_try"))
    knowledge = KnowledgeBase.load(settings.content_dir, settings.contacts)
    deps = compose(settings, database, knowledge, texts, clock=lambda: JOB_MORNING)
    assert await deps.learning.posts.draft(MONTH) is not None
    month = month_name(texts, MONTH)
    draft_title = titled(label("learning_post", "draft_title", month=month))
    draft = chat.keep("learning draft", await chat.expect(1), draft_title)
    assert draft.channel == AMBASSADORS_CHANNEL
    edit = await chat.press(draft, label("learning_post", "edit"))
    chat.keep("learning edit", edit, with_verb("learning_save"))
    sent = await chat.press(draft, label("learning_post", "send"), replies=3)
    chat.keep("learning post", sent, titled(label("learning_post", "title", month=month)))


async def scheduled_cards(chat: SlackChat, database: Database, settings: Any, texts: Texts) -> None:
    """The monthly prompt, a pilot check-in and a final reflection, sent by the real jobs
    through the outbox to Mette's Slack user id."""
    campaign = CampaignService(
        ExperienceStore(database, scrub_withdrawn_quotes),
        Outbox(database),
        texts,
        settings,
        clock=lambda: JOB_MORNING,
    )
    assert await campaign.start_monthly_campaign(JOB_DAY) >= 1
    prompt = chat.keep("monthly prompt", await chat.expect(1), with_verb("experience_nothing"))
    assert prompt.channel == slack.USER_ID

    store = Store(database)
    await store.save_reference(
        Incoming(IncomingKind.MESSAGE, METTE, slack.DM_CHANNEL, ConversationType.PERSONAL)
    )
    mette = await store.remember_person(METTE)
    pilots = PilotStore(database, scrub_withdrawn_quotes)
    running = JOB_DAY - timedelta(weeks=3)
    over = JOB_DAY - timedelta(weeks=6)
    for pilot_title, start in (("Copilot til breve", running), ("AI til referater", over)):
        end = planned_end(start, 4)
        pilot = NewPilot(pilot_title, "", "", "", "Klar samme dag", start, 4, 7, end)
        await pilots.create_pilot(METTE, pilot, [mette])
    checkins = build_pilot_checkins(database, texts, settings, clock=lambda: JOB_MORNING)
    assert await checkins.send_due_checkins(JOB_DAY) >= 2
    cards = await chat.expect(2)
    chat.keep("pilot check-in", cards, with_verb("pilot_checkin"))
    chat.keep("pilot reflection", cards, with_verb("pilot_reflection"))
