"""Every card Kompas can produce, collected from the real app over HTTP and its real outbox.

A person (Mette, an AI-ambassador by her AAD object id) talks to `kompas` through
/api/messages; the scheduled cards (monthly prompt, pilot check-in and final reflection)
come from the real jobs through the outbox, which the app delivers to the fake Bot
Connector. Nothing here writes card JSON by hand: each card is what Teams would receive.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.app import create_app
from bot.composition import compose
from delivery.outbox import Outbox
from digests.digest_store import scrub_withdrawn_quotes
from digests.service import DigestService
from experiences.campaign import CampaignService
from experiences.prompt_card import month_name
from fakes.bot_connector import FakeBotConnector
from ground.channel_settings import TEAMS_SDKS
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from organisation.model import OrgPerson, OrgTree
from organisation.tree_store import OrganisationStore
from pilots.checkins import build_pilot_checkins
from pilots.schedule import planned_end
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.pilot_records import NewPilot
from storage.pilot_store import PilotStore
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.conftest import on_sdk
from tests.digests.support import MONTH, seed_world
from tests.paths import PROJECT_ROOT

LINK_SECRET = "cards-test-link-secret-0123456789abcdef"
AMBASSADORS_CONVERSATION = "19:ambassadoererne-kort@thread.tacv2"
# A Tuesday morning in the past: what the scheduled jobs queue for it is due at once.
JOB_DAY = date(2026, 11, 3)
JOB_MORNING = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
METTE = Person(
    "teams", fx.USER["id"], fx.USER["name"], directory_id=fx.USER["aadObjectId"],
    tenant_id=fx.TENANT_ID,
)  # fmt: skip


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """Mette (the sender of tests.bot.activities) is an AI-ambassador."""
    return Settings(
        database_url=database_url,
        ambassadors=frozenset({fx.USER["aadObjectId"]}),
        link_secret=LINK_SECRET,
    ).with_overrides(**overrides)


def verbs(card: dict[str, Any]) -> set[str]:
    """The verbs of a card's submit buttons."""
    return {a["data"]["verb"] for a in card.get("actions", []) if a["type"] == "Action.Submit"}


def title(card: dict[str, Any]) -> str:
    body = card.get("body") or [{}]
    return str(body[0].get("text", ""))


Pick = Callable[[dict[str, Any]], bool]


def with_verb(verb: str) -> Pick:
    return lambda card: verb in verbs(card)


def titled(text: str) -> Pick:
    return lambda card: title(card) == text


@dataclass
class Conversation:
    """Mette's personal chat with the running app; every reply is kept."""

    kompas: RunningApp
    connector: FakeBotConnector
    seen: int = 0
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def post(self, activity: dict[str, Any], replies: int = 1) -> list[dict[str, Any]]:
        """Post one activity; returns the cards the bot sent since the last call.

        Replies of a turn arrive before the HTTP answer; waiting for `replies` also covers
        messages the outbox delivers a little later.
        """
        response = await self.kompas.post_activity(activity)
        assert response.status == 200, response.status
        return await self.expect(replies)

    async def expect(self, replies: int) -> list[dict[str, Any]]:
        """The cards among the messages sent since the last call (at least `replies` of them)."""
        await self.connector.wait_for(self.seen + replies, timeout=30)
        new = self.connector.requests[self.seen :]
        self.seen += len(new)
        return [card for request in new for card in request.cards]

    async def say(self, text: str, replies: int = 1) -> list[dict[str, Any]]:
        return await self.post(fx.personal_message(self.connector.url, text), replies)

    async def press(
        self, card: dict[str, Any], button: str, /, **inputs: Any
    ) -> list[dict[str, Any]]:
        """Press the Action.Submit titled `button` (prefix), with `inputs` typed in."""
        [action] = [a for a in card["actions"] if a["title"].startswith(button)]
        value = {**copy.deepcopy(action["data"]), **inputs}
        return await self.post(fx.card_submit(self.connector.url, value))

    def keep(self, name: str, cards: list[dict[str, Any]], pick: Pick) -> dict[str, Any]:
        """Keep the card that is the `name` kind (chosen by `pick`, not by position)."""
        found = [card for card in cards if pick(card)]
        assert found, f"no {name} card among {[title(card) for card in cards]}"
        self.cards[name] = found[0]
        return found[0]


async def start_kompas(
    start_app: StartApp,
    connector: FakeBotConnector,
    database_url: str,
    sdk: str = TEAMS_SDKS[0],
    **overrides: Any,
) -> Conversation:
    """The real app (its Teams edge on `sdk`) delivering its outbox, with Mette's personal
    chat installed."""
    settings = on_sdk(settings_for(database_url, **overrides), sdk)
    kompas = await start_app(create_app(settings, deliver_outbox=True, run_scheduler=False))
    chat = Conversation(kompas, connector)
    await chat.post(fx.bot_added(connector.url))  # the welcome
    return chat


async def every_card(
    start_app: StartApp, connector: FakeBotConnector, database: Database, database_url: str
) -> dict[str, dict[str, Any]]:
    """Name → the Adaptive Card JSON Teams received, for every kind of card Kompas sends."""
    await seed_world(database)  # an organisation with a month of answers, for the digest
    settings = settings_for(database_url)
    texts = Texts(PROJECT_ROOT / "content" / "templates")
    await DigestService(database, texts, settings).compute_month(MONTH)
    chat = await start_kompas(
        start_app, connector, database_url, ambassadors_conversation=AMBASSADORS_CONVERSATION
    )

    label = texts.label
    chat.keep("help", await chat.say("hjælp"), titled(label("help_card", "title")))
    answer = chat.keep(
        "answer", await chat.say("Må jeg skrive et CPR-nummer i ChatGPT?"), with_verb("feedback")
    )
    feedback = chat.keep("feedback", await chat.press(answer, "👎"), with_verb("ask_ambassador"))
    # The confirmation in Mette's chat, then the post in the ambassadors' channel (outbox).
    [ask] = [a for a in feedback["actions"] if a["data"].get("verb") == "ask_ambassador"]
    posted = await chat.post(fx.card_submit(connector.url, copy.deepcopy(ask["data"])), 2)
    chat.keep("ambassadors' post", posted, titled(label("case_post", "title")))
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
    await chat.press(
        create, create["actions"][0]["title"], title="AI til mødereferater",
        success="Referatet er klar samme dag", participants="Mette Jensen", weeks="4",
        cadence="7",
    )  # fmt: skip
    chat.keep("pilot status", await chat.say("pilot status"), with_verb("pilot_pause"))
    chat.keep("pilot note (refleksion)", await chat.say("refleksion"), with_verb("pilot_note"))
    digest = lambda card: "/digests/" in json.dumps(card)  # noqa: E731 - the link to the page
    chat.keep("digest", await chat.say("digest"), digest)
    await _join_the_organisation(database)
    finder = titled(label("find_ambassador_card", "title"))
    chat.keep("ambassador finder", await chat.say("hvem er AI-ambassadør hos os?"), finder)
    await _learning_cards(chat, database, settings, texts, label)

    await _scheduled_cards(chat, database, settings, texts)
    return chat.cards


async def _learning_cards(
    chat: Conversation,
    database: Database,
    settings: Settings,
    texts: Texts,
    label: Callable[..., str],
) -> None:
    """The idea bank's page, and the month's "Det har vi lært": the draft the job posts to the
    ambassadors' conversation, its edit card, and the post as everyone receives it."""
    chat.keep("idea bank", await chat.say("idéer"), with_verb("idea_try"))
    knowledge = KnowledgeBase.load(settings.content_dir, settings.contacts)
    deps = compose(settings, database, knowledge, texts, clock=lambda: JOB_MORNING)
    assert await deps.learning.posts.draft(MONTH) is not None  # what the monthly job runs
    month = month_name(texts, MONTH)
    draft = chat.keep(
        "learning draft",
        await chat.expect(1),
        titled(label("learning_post", "draft_title", month=month)),
    )
    chat.keep(
        "learning edit",
        await chat.press(draft, label("learning_post", "edit")),
        with_verb("learning_save"),
    )
    [send] = [a for a in draft["actions"] if a["data"].get("verb") == "learning_send"]
    sent = await chat.post(fx.card_submit(chat.connector.url, copy.deepcopy(send["data"])), 3)
    chat.keep("learning post", sent, titled(label("learning_post", "title", month=month)))


async def _join_the_organisation(database: Database) -> None:
    """Mette joins Team A1 of the seeded tree, whose AI-ambassador is Ane (after the digest
    was computed, so its figures stay as they were)."""
    store = OrganisationStore(database)
    tree = await store.load_tree()
    assert METTE.directory_id is not None
    mette = OrgPerson(
        "mette", METTE.name, "a1", "mette.jensen@test.example", directory_id=METTE.directory_id
    )
    people = [*tree.people.values(), mette]
    await store.replace_tree(OrgTree.build(tree.units.values(), people, tree.name), "cards")


async def _scheduled_cards(
    chat: Conversation, database: Database, settings: Settings, texts: Texts
) -> None:
    """The monthly prompt, a pilot check-in and a final reflection, sent by the real jobs."""
    prompt = await monthly_prompt(chat, database, settings, texts)
    chat.keep("monthly prompt", prompt, with_verb("experience_nothing"))

    store = Store(database)
    await store.save_reference(
        Incoming(IncomingKind.MESSAGE, METTE, fx.PERSONAL_CONVERSATION, ConversationType.PERSONAL)
    )
    mette = await store.remember_person(METTE)
    pilots = PilotStore(database, scrub_withdrawn_quotes)
    running = JOB_DAY - timedelta(weeks=3)
    over = JOB_DAY - timedelta(weeks=6)
    for pilot_title, start in (("Copilot til breve", running), ("AI til mødereferater", over)):
        end = planned_end(start, 4)
        pilot = NewPilot(pilot_title, "", "", "", "Klar samme dag", start, 4, 7, end)
        await pilots.create_pilot(METTE, pilot, [mette])
    checkins = build_pilot_checkins(database, texts, settings, clock=lambda: JOB_MORNING)
    assert await checkins.send_due_checkins(JOB_DAY) == 2
    cards = await chat.expect(2)
    chat.keep("pilot check-in", cards, with_verb("pilot_checkin"))
    chat.keep("pilot reflection", cards, with_verb("pilot_reflection"))


async def monthly_prompt(
    chat: Conversation, database: Database, settings: Settings, texts: Texts
) -> list[dict[str, Any]]:
    """The campaign job queues the month's prompt; the app delivers it to Mette."""
    campaign = CampaignService(
        ExperienceStore(database, scrub_withdrawn_quotes),
        Outbox(database),
        texts,
        settings,
        clock=lambda: JOB_MORNING,
    )
    assert await campaign.start_monthly_campaign(JOB_DAY) >= 1
    return await chat.expect(1)
