"""The idea bank end to end through /api/messages: share → browse → "Det vil jeg prøve" →
the author's one paced notice; withdrawn consent and erasure take an idea off at once."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import create_app
from bot.composition import compose
from delivery.outbox import Outbox
from dialogs.features import feature_routes
from dialogs.router import Router
from dialogs.services import Services
from digests.digest_store import scrub_withdrawn_quotes
from digests.service import DigestService
from experiences.campaign import CampaignService
from fakes.bot_connector import FakeBotConnector
from ground.messages import Person
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_choices import Consent
from storage.experience_store import ExperienceStore, NewExperience
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.conftest import on_sdk
from tests.digests.support import ANONYMOUS_TEXT, MONTH, NAMED_TEXT, SECRET_TEXT, seed_world

# Tuesday 1 December 2026, 10:00 in Copenhagen: inside working hours, so notices are due now.
MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ANNE_IDEA = "Jeg fik Copilot til at skrive mødereferatet færdigt på ti minutter"


@dataclass(frozen=True)
class Colleague:
    """Someone with a personal chat with Kompas in Teams."""

    user_id: str
    name: str

    @property
    def conversation(self) -> str:
        return f"a:{self.user_id}"

    def sender(self, activity: dict[str, Any]) -> dict[str, Any]:
        activity = copy.deepcopy(activity)
        activity["from"] = {"id": self.user_id, "name": self.name}
        activity["conversation"] = fx.personal(self.conversation)
        return activity


ANNE = Colleague("29:anne-idea", "Anne Holm")
METTE = Colleague("29:mette-idea", "Mette Jensen")
BO = Colleague("29:bo-idea", "Bo Lind")


@dataclass
class Chats:
    """The running app and what the fake connector received, conversation by conversation."""

    kompas: RunningApp
    connector: FakeBotConnector

    async def say(self, who: Colleague, text: str) -> list[dict[str, Any]]:
        return await self._post(who, fx.personal_message(self.connector.url, text))

    async def press(self, who: Colleague, data: dict[str, Any], **inputs: Any) -> list[str]:
        sent = await self._post(who, fx.card_submit(self.connector.url, {**data, **inputs}))
        return [str(activity.get("text") or "") for activity in sent]

    async def _post(self, who: Colleague, activity: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.connector.in_conversation(who.conversation))
        response = await self.kompas.post_activity(who.sender(activity))
        assert response.status == 200
        return [r.body for r in self.connector.in_conversation(who.conversation)[before:]]

    async def press_raw(self, who: Colleague, data: dict[str, Any]) -> list[dict[str, Any]]:
        return await self._post(who, fx.card_submit(self.connector.url, data))

    def received(self, who: Colleague) -> list[str]:
        return [r.text for r in self.connector.in_conversation(who.conversation)]


def cards_of(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        attachment["content"]
        for activity in sent
        for attachment in activity.get("attachments") or []
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


def shown(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    [action] = [a for a in card["actions"] if a["title"].startswith(title)]
    return dict(action["data"])


@pytest.fixture
async def chats(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> AsyncIterator[Chats]:
    """A demo organisation with a month of answers and its digests, and Kompas on a clock set
    to a working morning, delivering its outbox to the fake connector."""
    settings = on_sdk(
        Settings(database_url=database_url, ambassadors=frozenset({BO.user_id})), teams_sdk
    )
    texts = Texts(settings.content_dir / "templates")
    await seed_world(database)
    await DigestService(database, texts, settings).compute_month(MONTH)
    own = await Database.connect(database_url)
    knowledge = KnowledgeBase.load(settings.content_dir, settings.contacts)
    deps = compose(settings, own, knowledge, texts, clock=lambda: MORNING)
    services = Services(deps, Router(deps, feature_routes()))
    kompas = await start_app(create_app(settings, services, deliver_outbox=True))
    yield Chats(kompas, bot_connector)
    await own.dispose()


async def share(chats: Chats, who: Colleague, text: str, consent: str) -> None:
    """`del erfaring`, then the card sent with a text, mødereferater and `consent`."""
    [card] = cards_of(await chats.say(who, "del erfaring"))
    send = button(card, "Send")
    card_id = send["card"]
    await chats.press(
        who,
        send,
        **{
            f"used_for_{card_id}": text,
            f"task_type_{card_id}": "moedereferater",
            f"gain_{card_id}": "tid",
            f"consent_{card_id}": consent,
        },
    )


async def test_an_idea_is_found_wanted_and_its_author_told_once(chats: Chats) -> None:
    await share(chats, ANNE, ANNE_IDEA, "citat_anonymt")

    [page] = cards_of(await chats.say(METTE, "Idéer til mødereferater"))
    text = shown(page)
    assert ANNE_IDEA in text and NAMED_TEXT in text and ANONYMOUS_TEXT in text
    assert "Person a1-0" in text  # the author who chose to be named, and only that one
    assert SECRET_TEXT not in text  # counted only, never quoted
    assert "Copilot hjalp med referatet" not in text
    assert "Center A" in text  # October's writers of Team A1 are placed in Center A (10+)
    assert "Team A1" not in text  # only 5 wrote there: their unit is never named
    assert "Anne Holm" not in text  # Anne chose to be quoted without her name

    want = button(page, "Det vil jeg prøve (1)")  # the newest idea: Anne's
    assert any("får besked" in reply for reply in await chats.press(METTE, want))
    notices = await chats.connector.wait_for(len(chats.connector.activities) + 1, timeout=30)
    [notice] = [r for r in notices if r.conversation_id == ANNE.conversation and "🎉" in r.text]
    assert "En kollega vil prøve din idé" in notice.text and "Mette" not in notice.text

    assert any("allerede" in reply for reply in await chats.press(METTE, want))
    assert any("får besked" in reply for reply in await chats.press(BO, want))
    assert any("din egen idé" in reply for reply in await chats.press(ANNE, want))
    await chats.say(METTE, "hej")  # the outbox has had time to send anything else queued
    assert [t for t in chats.received(ANNE) if "🎉" in t] == [notice.text]  # one a day
    [mine] = cards_of(await chats.say(METTE, "mine data"))  # her mark is her data
    assert "du vil prøve:** 1" in shown(mine)


async def test_pages_and_task_types(chats: Chats) -> None:
    colleagues = [Colleague(f"29:kollega-{n}", f"Kollega {n}") for n in range(4)]
    for n, colleague in enumerate(colleagues):
        await share(chats, colleague, f"Idé nummer {n} om referater med Copilot", "citat_anonymt")

    [first] = cards_of(await chats.say(METTE, "hvad bruger andre AI til?"))
    assert "6 i alt" in shown(first)  # four new ideas and October's two quotable ones
    [second] = cards_of(await chats.press_raw(METTE, button(first, "Flere idéer")))
    assert "Idé 6–6 af 6" in shown(second) and "Flere idéer" not in shown(second)
    assert NAMED_TEXT in shown(first) + shown(second)

    [other] = await chats.say(METTE, "idéer til oversættelse")
    assert "ingen delte idéer til oversættelse" in str(other.get("text"))


async def test_withdrawn_consent_and_erasure_take_the_idea_off_at_once(
    chats: Chats, database: Database
) -> None:
    await chats.say(ANNE, "hej")  # Anne's chat, so the month's prompt reaches her
    campaign = CampaignService(
        ExperienceStore(database, scrub_withdrawn_quotes),
        Outbox(database),
        Texts(Settings().content_dir / "templates"),
        Settings(),
        clock=lambda: MORNING,
    )
    assert await campaign.start_monthly_campaign(MORNING.date()) == 1
    await chats.connector.wait_for(len(chats.connector.activities) + 1, timeout=30)
    [prompt] = cards_of([r.body for r in chats.connector.in_conversation(ANNE.conversation)][-1:])
    send = button(prompt, "Send")
    card_id = send["card"]
    answer = {f"used_for_{card_id}": ANNE_IDEA, f"consent_{card_id}": "citat_anonymt"}
    await chats.press(ANNE, send, **answer)
    [page] = cards_of(await chats.say(METTE, "idéer"))
    assert ANNE_IDEA in shown(page)

    anne = await Store(database).remember_person(Person("teams", ANNE.user_id, ANNE.name))
    again = NewExperience(ANNE_IDEA, None, None, (), "", Consent.AGGREGATE_ONLY.value)
    await ExperienceStore(database, scrub_withdrawn_quotes).save_experience(
        anne, again, "2026-12", MORNING, MORNING.date()
    )  # Anne answers the month again: counted only, never quoted
    [page] = cards_of(await chats.say(METTE, "idéer"))
    assert ANNE_IDEA not in shown(page)

    quotable = NewExperience(ANNE_IDEA, None, None, (), "", Consent.QUOTE_ANONYMOUS.value)
    await ExperienceStore(database, scrub_withdrawn_quotes).save_experience(
        anne, quotable, "2026-12", MORNING, MORNING.date()
    )
    [page] = cards_of(await chats.say(METTE, "idéer"))
    want = button(page, "Det vil jeg prøve (1)")
    assert ANNE_IDEA in shown(page)

    [confirm] = cards_of(await chats.say(ANNE, "slet mine data"))
    await chats.press(ANNE, button(confirm, "Ja"))
    [page] = cards_of(await chats.say(METTE, "idéer"))
    assert ANNE_IDEA not in shown(page)
    assert any("ikke længere" in reply for reply in await chats.press(METTE, want))


async def test_an_ambassador_starts_a_pilot_on_an_idea(chats: Chats) -> None:
    await share(chats, ANNE, ANNE_IDEA, "citat_anonymt")
    [mine] = cards_of(await chats.say(METTE, "idéer"))
    assert "Start en pilot" not in shown(mine)  # Mette is no AI-ambassador

    [page] = cards_of(await chats.say(BO, "idéer til mødereferater"))
    [choice] = [e for e in page["body"] if e.get("id") == "idea"]
    first = choice["choices"][0]
    assert ANNE_IDEA[:40] in first["title"]
    [form] = cards_of(
        await chats.press_raw(BO, {**button(page, "Start en pilot"), "idea": first["value"]})
    )
    inputs = {e.get("id"): e for e in form["body"] if e.get("type") == "Input.Text"}
    assert inputs["title"]["value"].startswith(ANNE_IDEA[:40])
    assert inputs["task"]["value"] == ANNE_IDEA
    assert [a["data"]["verb"] for a in form["actions"]] == ["pilot_create"]
