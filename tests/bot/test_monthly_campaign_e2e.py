"""Issue 3 end to end: install → campaign job → one card per person → answer stored redacted."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

from bot.app import create_app
from delivery.outbox import Outbox
from digests.digest_store import scrub_withdrawn_quotes
from experiences.campaign import CampaignService
from fakes.bot_connector import FakeBotConnector, ReceivedRequest
from ground.settings import Settings
from ground.texts import Texts
from storage.database import Database
from storage.experience_store import ExperienceStore
from tests.bot import activities as fx
from tests.bot.conftest import StartApp
from tests.conftest import on_sdk

# A Tuesday morning inside working hours, so the queued cards are due at once.
CAMPAIGN_MORNING = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
PEOPLE = [("29:anne", "Anne Holm"), ("29:bo", "Bo Lind"), ("29:carl", "Carl Vest")]


def installed_by(service_url: str, user_id: str, name: str) -> dict[str, Any]:
    activity = fx.bot_added(service_url)
    activity["from"] = {"id": user_id, "name": name}
    activity["conversation"] = fx.personal(f"a:{user_id}")
    activity["id"] = f"install-{user_id}"
    return activity


def answered_by(service_url: str, user_id: str, value: dict[str, Any]) -> dict[str, Any]:
    activity = fx.card_submit(service_url, value)
    activity["from"] = {"id": user_id, "name": dict(PEOPLE)[user_id]}
    activity["conversation"] = fx.personal(f"a:{user_id}")
    return copy.deepcopy(activity)


def conversation_of(request: ReceivedRequest) -> str:
    """The conversation an activity was posted to (None only for creating a conversation)."""
    assert request.conversation_id is not None, request
    return request.conversation_id


async def test_campaign_reaches_each_person_once_and_the_answer_is_stored_redacted(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    kompas = await start_app(
        create_app(on_sdk(settings, teams_sdk), deliver_outbox=True, run_scheduler=False)
    )
    for user_id, name in PEOPLE:
        assert (
            await kompas.post_activity(installed_by(bot_connector.url, *((user_id, name))))
        ).status == 200
    welcomes = await bot_connector.wait_for(len(PEOPLE))
    assert sorted(conversation_of(w) for w in welcomes) == sorted(f"a:{u}" for u, _ in PEOPLE)

    texts = Texts(settings.content_dir / "templates")
    campaign = CampaignService(
        ExperienceStore(database, scrub_withdrawn_quotes),
        Outbox(database),
        texts,
        settings,
        clock=lambda: CAMPAIGN_MORNING,
    )
    assert await campaign.start_monthly_campaign(date(2026, 11, 3)) == len(PEOPLE)
    assert await campaign.start_monthly_campaign(date(2026, 11, 3)) == 0  # the job ran twice

    delivered = await bot_connector.wait_for(2 * len(PEOPLE), timeout=30)
    prompts = [r for r in delivered[len(PEOPLE) :] if r.cards]
    assert sorted(conversation_of(p) for p in prompts) == sorted(f"a:{u}" for u, _ in PEOPLE)
    [card] = prompts[0].cards
    [send] = [a for a in card["actions"] if a["data"]["verb"] == "experience_submit"]
    used_for = f"used_for_{send['data']['card']}"  # input ids are unique per card
    assert used_for in {element.get("id") for element in card["body"]}

    anne = conversation_of(prompts[0]).removeprefix("a:")
    value = {**send["data"], used_for: "Referat til borger 010190-1234 via Copilot"}
    assert (await kompas.post_activity(answered_by(bot_connector.url, anne, value))).status == 200
    replies = await bot_connector.wait_for(2 * len(PEOPLE) + 2, timeout=30)

    texts_sent = [r.text for r in replies[2 * len(PEOPLE) :]]
    assert any("fjernet et CPR-nummer" in text for text in texts_sent)
    assert any("Tak, fordi du delte din erfaring" in text for text in texts_sent)
    shared = await ExperienceStore(database, scrub_withdrawn_quotes).shared_experiences(
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    )
    assert [s.used_for for s in shared] == ["Referat til borger [CPR-nummer fjernet] via Copilot"]
    # Nobody got a second prompt: exactly one card per person after the welcomes (the
    # answered card was replaced by its summary, an update, not a new message).
    assert len([r for r in bot_connector.activities if r.cards]) == len(PEOPLE)
    [summary] = bot_connector.updates
    assert summary.conversation_id == f"a:{anne}"
