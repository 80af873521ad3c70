"""Cards that ask for text are filled in a Slack modal: opened with the press's trigger, answered
where the card was, with broken or expired forms acknowledged and nothing lost."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.slack.modals import FORM_CALLBACK
from bot.slack.packed_forms import FORM_PREFIX
from digests.digest_store import scrub_withdrawn_quotes
from fakes.slack_api import FakeSlackApi, SlackAnswer, SlackCall
from storage.database import Database
from storage.experience_store import ExperienceStore
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import SlackKompas
from tests.bot.slack.test_edge import nothing_more_arrives

EVER = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
EXPERIENCE = "Skrev et brev med Copilot; spørgsmål til mette@kommunen.dk eller 12 34 56 78"


def form_button(call: SlackCall) -> dict[str, object]:
    [button] = [b for b in call.buttons() if b["action_id"].startswith(FORM_PREFIX)]
    return button


async def test_del_erfaring_opens_a_modal_whose_answer_is_stored_redacted_in_place_of_the_card(
    kompas: SlackKompas, slack_api: FakeSlackApi, database: Database
) -> None:
    await kompas.send(slack.direct_message("del erfaring"))
    [card] = await slack_api.wait_for(1)
    press = slack.block_actions(form_button(card), message_ts=card.ts)

    assert (await kompas.send(press))[0] == 200
    [opened] = await slack_api.wait_for(1, method="views.open")
    assert opened.body["trigger_id"] == press.payload()["trigger_id"]
    assert opened.view["callback_id"] == FORM_CALLBACK
    assert opened.view["blocks"][0]["text"]["text"] == card.blocks[0]["text"]["text"]

    status, _ = await kompas.send(
        slack.view_submission(
            opened.view, {"used_for": EXPERIENCE, "gain": "tid", "consent": "citat_anonymt"}
        )
    )

    assert status == 200  # the modal closes at once
    [thanks] = await slack_api.wait_for(1, method="chat.update")
    assert thanks.body["ts"] == card.ts and thanks.channel == slack.DM_CHANNEL
    assert FORM_PREFIX not in str(thanks.blocks)  # the card cannot be sent twice
    store = ExperienceStore(database, scrub_withdrawn_quotes)
    [stored] = await store.shared_experiences(EVER[0], EVER[1])
    assert "mette@kommunen.dk" not in stored.used_for and "12 34 56 78" not in stored.used_for
    assert stored.used_for.startswith("Skrev et brev med Copilot")


async def test_an_expired_trigger_opens_nothing_and_is_logged(
    kompas: SlackKompas, slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    await kompas.send(slack.direct_message("del erfaring"))
    [card] = await slack_api.wait_for(1)
    slack_api.respond_with(SlackAnswer("expired_trigger_id"))

    with caplog.at_level(logging.WARNING):
        assert (await kompas.send(slack.block_actions(form_button(card))))[0] == 200
        await slack_api.wait_until(lambda calls: any(c.method == "views.open" for c in calls))
        await nothing_more_arrives(slack_api, 2)

    assert "A form was not opened" in caplog.text and "expired_trigger_id" in caplog.text


@pytest.mark.parametrize(
    "metadata",
    ["", "{", '{"value": {"verb": "experience_submit"}}', '{"value": [], "channel": "D1"}'],
)
async def test_a_form_submission_kompas_cannot_read_is_acknowledged_and_ignored(
    kompas: SlackKompas, slack_api: FakeSlackApi, metadata: str
) -> None:
    view = {"type": "modal", "callback_id": FORM_CALLBACK, "private_metadata": metadata}

    assert (await kompas.send(slack.view_submission(view, {})))[0] == 200
    await nothing_more_arrives(slack_api, 0)


async def test_a_modal_of_another_app_is_not_answered(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    view = {"type": "modal", "callback_id": "someone-else", "private_metadata": ""}

    status, _ = await kompas.send(slack.view_submission(view, {}))

    assert status == 404  # bolt: no listener for it
    await nothing_more_arrives(slack_api, 0)
