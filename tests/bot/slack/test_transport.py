"""The Slack transport behind the durable outbox: DMs to the user id, Slack's errors as outcomes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.channels import built_in_registry
from bot.slack.packed_forms import FORM_PREFIX
from bot.slack.transport import SlackTransport
from delivery.api import OutgoingMessage
from delivery.outbox import Outbox, OutboxState
from delivery.transport import Destination, OutcomeKind
from digests.digest_store import scrub_withdrawn_quotes
from experiences.campaign import CampaignService
from fakes.slack_api import GONE_ERRORS, FakeSlackApi, SlackAnswer
from ground.channel_settings import SlackSettings
from ground.messages import Card, ConversationType, Incoming, IncomingKind, Person, Reply
from ground.settings import Settings
from ground.texts import Texts
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from tests.bot.conftest import StartApp
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import slack_settings, start_slack_kompas

# A Tuesday morning inside working hours, so what the campaign queues is due at once.
CAMPAIGN_MORNING = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
DM = Destination(
    "slack",
    slack.DM_CHANNEL,
    tenant_id="T0KOMMUNE",
    reference={"team_id": "T0KOMMUNE", "channel": slack.DM_CHANNEL, "user": slack.USER_ID},
)
CHANNEL = Destination("slack", slack.CHANNEL, reference={"team_id": "T0KOMMUNE"})
REPLY = Reply(card=Card(title="AI-erfaringer for november"))


@pytest.fixture
async def transport(database_url: str, slack_api: FakeSlackApi) -> AsyncIterator[SlackTransport]:
    sending = SlackTransport(slack_settings(database_url, slack_api))
    yield sending
    await sending.close()


async def test_a_direct_message_goes_to_the_user_id_a_channel_message_to_the_channel(
    transport: SlackTransport, slack_api: FakeSlackApi
) -> None:
    assert (await transport.send(DM, REPLY)).kind is OutcomeKind.DELIVERED
    assert (await transport.send(CHANNEL, REPLY)).kind is OutcomeKind.DELIVERED

    to_person, to_channel = slack_api.made("chat.postMessage")
    assert to_person.channel == slack.USER_ID  # no conversations.open (Tier 3) needed
    assert to_channel.channel == slack.CHANNEL
    assert to_person.blocks[0]["text"]["text"] == "AI-erfaringer for november"
    assert to_person.headers["Authorization"] == f"Bearer {slack.BOT_TOKEN}"


@pytest.mark.parametrize("error", GONE_ERRORS)
async def test_a_person_or_channel_slack_no_longer_has_is_gone(
    transport: SlackTransport, slack_api: FakeSlackApi, error: str
) -> None:
    slack_api.respond_with(SlackAnswer(error))

    outcome = await transport.send(DM, REPLY)

    assert (outcome.kind, outcome.reason) == (OutcomeKind.GONE, error)


async def test_429_is_a_retry_after_slacks_wait_for_the_whole_workspace(
    transport: SlackTransport, slack_api: FakeSlackApi
) -> None:
    slack_api.respond_with(SlackAnswer.rate_limited(retry_after=12))

    outcome = await transport.send(DM, REPLY)

    assert outcome.kind is OutcomeKind.RETRY
    assert outcome.retry_after == 12.0 and outcome.whole_channel


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (SlackAnswer("internal_error"), OutcomeKind.RETRY),
        (SlackAnswer("fatal_error", 503), OutcomeKind.RETRY),
        (SlackAnswer("invalid_auth"), OutcomeKind.REJECTED),
        (SlackAnswer("invalid_blocks"), OutcomeKind.REJECTED),
    ],
)
async def test_slacks_own_trouble_is_retried_and_a_refused_message_is_not(
    transport: SlackTransport, slack_api: FakeSlackApi, answer: SlackAnswer, kind: OutcomeKind
) -> None:
    slack_api.respond_with(answer)

    assert (await transport.send(DM, REPLY)).kind is kind


async def test_an_unreachable_slack_is_a_retry(database_url: str) -> None:
    nobody = SlackSettings(
        bot_token=slack.BOT_TOKEN, signing_secret="s", api_url="http://127.0.0.1:9/api/"
    )
    unreachable = SlackTransport(Settings(database_url=database_url, slack=nobody))
    try:
        outcome = await unreachable.send(DM, REPLY)
    finally:
        await unreachable.close()
    assert outcome.kind is OutcomeKind.RETRY and "connection error" in outcome.reason


async def slack_person(store: Store, user_id: str, conversation: str) -> int:
    """A person who wrote to Kompas in Slack (their DM's reference is stored)."""
    person = Person("slack", user_id, tenant_id="T0KOMMUNE")
    incoming = Incoming(
        IncomingKind.MESSAGE,
        person,
        conversation,
        ConversationType.PERSONAL,
        reference={"team_id": "T0KOMMUNE", "channel": conversation, "user": user_id},
    )
    await store.save_reference(incoming)
    return await store.remember_person(person)


async def test_the_outbox_holds_every_slack_send_back_after_a_429(
    database: Database, database_url: str, slack_api: FakeSlackApi, store: Store
) -> None:
    settings = slack_settings(database_url, slack_api)
    people = [("U0ANNE001", "D0ANNE001"), ("U0BO00002", "D0BO00002"), ("U0CARL003", "D0CARL003")]
    for user_id, conversation in people:
        await slack_person(store, user_id, conversation)
    outbox = Outbox(database)
    await outbox.enqueue(
        [
            OutgoingMessage(f"test:{user}", "slack", conversation, REPLY)
            for user, conversation in people
        ]
    )
    slack_api.respond_in("U0ANNE001", SlackAnswer.rate_limited(retry_after=2))

    async with built_in_registry(settings).outbox_sender(settings, database, store) as sender:
        report = await sender.run_until_empty()

    assert (report.sent, report.retried, report.failed) == (3, 1, 0)
    [throttled] = [call for call in slack_api.calls if call.status == 429]
    delivered = slack_api.made("chat.postMessage")
    assert sorted(call.channel for call in delivered) == sorted(user for user, _ in people)
    # Nothing went to Slack until the workspace's Retry-After had passed, to anyone.
    assert all(call.answered_at - throttled.answered_at >= 1.9 for call in delivered)


async def test_a_gone_person_is_deactivated_counted_and_not_retried(
    database: Database, database_url: str, slack_api: FakeSlackApi, store: Store
) -> None:
    settings = slack_settings(database_url, slack_api)
    await slack_person(store, "U0GONE001", "D0GONE001")
    await Outbox(database).enqueue([OutgoingMessage("test:gone", "slack", "D0GONE001", REPLY)])
    slack_api.respond_with(SlackAnswer("account_inactive"))

    async with built_in_registry(settings).outbox_sender(settings, database, store) as sender:
        report = await sender.run_until_empty()

    assert (report.sent, report.failed) == (0, 1)
    status = await Outbox(database).status()
    assert status.counts[OutboxState.FAILED] == 1
    assert "account_inactive" in status.latest_failures[0].reason
    assert await store.personal_user_ids("slack") == set()  # the DM is no longer reachable
    assert len(slack_api.calls) == 1


async def test_the_monthly_campaign_reaches_slack_people_and_their_answer_is_stored_redacted(
    start_app: StartApp, database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    settings = slack_settings(database_url, slack_api)
    kompas = await start_slack_kompas(start_app, settings, deliver_outbox=True)
    await kompas.send(slack.direct_message("hej"))  # Mette has written to Kompas once
    await slack_api.wait_for(1)
    campaign = CampaignService(
        ExperienceStore(database, scrub_withdrawn_quotes, built_in_registry(settings).channels),
        Outbox(database),
        Texts(settings.content_dir / "templates"),
        settings,
        clock=lambda: CAMPAIGN_MORNING,
    )

    assert await campaign.start_monthly_campaign(date(2026, 11, 3)) == 1

    prompt = (await slack_api.wait_for(2, timeout=15))[1]
    assert prompt.channel == slack.USER_ID  # posted by the outbox to Mette's user id
    [send] = [b for b in prompt.buttons() if b["action_id"].startswith(FORM_PREFIX)]
    await kompas.send(
        slack.block_actions(
            send, message_ts="1762162200.000100", response_url=slack_api.response_url("prompt")
        )
    )
    [modal] = await slack_api.wait_for(1, method="views.open")
    assert modal.body["trigger_id"]  # the press's own trigger
    typed = {"used_for": "Referat til borger 010190-1234 via Copilot", "gain": "tid"}

    await kompas.send(slack.view_submission(modal.view, typed))

    answers = await slack_api.wait_for(4, timeout=15)
    assert any("fjernet et CPR-nummer" in call.all_text() for call in answers[2:])
    shared = await ExperienceStore(database, scrub_withdrawn_quotes).shared_experiences(
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    )
    assert [s.used_for for s in shared] == ["Referat til borger [CPR-nummer fjernet] via Copilot"]
    [summary] = await slack_api.wait_for(1, method="chat.update")
    assert summary.body["ts"] == "1762162200.000100"  # the answered prompt was replaced


async def test_a_question_for_the_ambassadors_goes_to_their_slack_channel_through_the_outbox(
    start_app: StartApp, database_url: str, slack_api: FakeSlackApi
) -> None:
    settings = slack_settings(database_url, slack_api, ambassadors_channel="C0AMBASS1")
    kompas = await start_slack_kompas(start_app, settings, deliver_outbox=True)
    await kompas.send(slack.direct_message("Hvornår har kantinen åbent?"))
    [unknown] = await slack_api.wait_for(1)
    [ask] = [b for b in unknown.buttons() if json.loads(b["value"])["verb"] == "ask_ambassador"]

    await kompas.send(slack.block_actions(ask, response_url=slack_api.response_url("ask")))

    posts = await slack_api.wait_for(3, timeout=15)
    [to_ambassadors] = [call for call in posts if call.channel == "C0AMBASS1"]
    assert "Hvornår har kantinen åbent?" in to_ambassadors.all_text()
    [confirmation] = [call for call in posts[1:] if call.channel == slack.DM_CHANNEL]
    assert "AI-ambassadør" in confirmation.all_text()


async def test_a_message_that_replaces_one_goes_in_its_place_with_chat_update(
    transport: SlackTransport, slack_api: FakeSlackApi
) -> None:
    first = await transport.send(CHANNEL, REPLY)
    assert first.kind is OutcomeKind.DELIVERED and first.message_id

    newer = replace(CHANNEL, message_id=first.message_id)
    second = await transport.send(newer, REPLY)

    [posted] = slack_api.made("chat.postMessage")
    [updated] = slack_api.made("chat.update")
    assert (updated.channel, updated.body["ts"]) == (slack.CHANNEL, posted.answer["ts"])
    assert second.kind is OutcomeKind.DELIVERED and second.message_id == first.message_id
