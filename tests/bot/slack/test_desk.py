"""The ambassadors' desk in Slack: the case's post in their channel changes in place."""

from __future__ import annotations

from bot.slack.packed_forms import FORM_PREFIX
from fakes.slack_api import FakeSlackApi, SlackCall
from tests.bot.conftest import StartApp
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import SlackKompas, slack_settings, start_slack_kompas

AMBASSADORS_CHANNEL = "C0AMBASS01"
AMBASSADOR = "U0BO00001"
QUESTION = "Hvornår fodrer vi fiskene i akvariet på rådhuset?"


def button(call: object, title: str) -> dict[str, object]:
    return next(b for b in call.buttons() if b["text"]["text"] == title)  # type: ignore[attr-defined]


async def question_for_the_ambassadors(
    start_app: StartApp, database_url: str, slack_api: FakeSlackApi
) -> tuple[SlackKompas, SlackCall]:
    """Kompas with Slack's ambassadors' channel; the asker's question handed on to it, and
    its post there."""
    settings = slack_settings(
        database_url, slack_api, ambassadors_channel=AMBASSADORS_CHANNEL
    ).with_overrides(ambassadors=frozenset({AMBASSADOR}))
    kompas = await start_slack_kompas(start_app, settings, deliver_outbox=True)
    await kompas.send(slack.direct_message(QUESTION))
    [unknown] = await slack_api.wait_for(1)
    await kompas.send(slack.block_actions(button(unknown, "Spørg en AI-ambassadør")))
    posts = await slack_api.wait_for(3, timeout=15)  # the confirmation, and the post (outbox)
    [post] = [p for p in posts if p.channel == AMBASSADORS_CHANNEL]
    return kompas, post


async def test_taking_a_case_in_slack_updates_its_post_and_tells_the_asker(
    start_app: StartApp, database_url: str, slack_api: FakeSlackApi
) -> None:
    kompas, post = await question_for_the_ambassadors(start_app, database_url, slack_api)

    assert QUESTION in post.all_text()

    take = slack.block_actions(
        button(post, "Jeg tager den"),
        channel=AMBASSADORS_CHANNEL,
        message_ts=post.answer["ts"],
        response_url=slack_api.response_url("take"),
        user=AMBASSADOR,
    )
    assert (await kompas.send(take))[0] == 200

    [updated] = await slack_api.wait_for(1, method="chat.update", timeout=15)
    assert (updated.channel, updated.body["ts"]) == (AMBASSADORS_CHANNEL, post.answer["ts"])
    assert "Jeg tager den" not in [b["text"]["text"] for b in updated.buttons()]

    def asker_told(calls: list[SlackCall]) -> bool:  # in the asker's DM, through the outbox
        return any(
            c.channel == slack.USER_ID and "har taget dit spørgsmål" in c.all_text() for c in calls
        )

    await slack_api.wait_until(asker_told, timeout=15)
    [confirmation] = slack_api.made("response_url")  # only Bo sees "Du har taget …"
    assert "Du har taget spørgsmål nr. 1" in confirmation.all_text()
    assert [p for p in slack_api.posted if p.channel == AMBASSADORS_CHANNEL] == [post]


async def test_an_ambassador_answers_a_case_in_a_modal_and_the_asker_gets_the_answer(
    start_app: StartApp, database_url: str, slack_api: FakeSlackApi
) -> None:
    kompas, post = await question_for_the_ambassadors(start_app, database_url, slack_api)
    ts = post.answer["ts"]
    press = {"channel": AMBASSADORS_CHANNEL, "message_ts": ts, "user": AMBASSADOR}
    take = slack.block_actions(
        button(post, "Jeg tager den"), response_url=slack_api.response_url("take"), **press
    )
    await kompas.send(take)
    [taken] = await slack_api.wait_for(1, method="chat.update", timeout=15)
    answer_form = button(taken, "Svar…")  # case_post.send_answer, opening the form
    assert str(answer_form["action_id"]).startswith(FORM_PREFIX)

    opener = slack.block_actions(
        answer_form, response_url=slack_api.response_url("answer"), **press
    )
    assert (await kompas.send(opener))[0] == 200
    [modal] = await slack_api.wait_for(1, method="views.open")
    typed = {"answer": "Pedellen fodrer dem hver morgen kl. 8; skriv til pedel@kommunen.dk"}
    assert (await kompas.send(slack.view_submission(modal.view, typed, user=AMBASSADOR)))[0] == 200

    def asker_answered(calls: list[SlackCall]) -> bool:  # in the asker's DM, through the outbox
        return any(c.channel == slack.USER_ID and "Pedellen fodrer" in c.all_text() for c in calls)

    await slack_api.wait_until(asker_answered, timeout=15)
    told = next(
        c for c in slack_api.calls if c.channel == slack.USER_ID and "Pedellen" in c.all_text()
    )
    assert "pedel@kommunen.dk" not in told.all_text()  # redacted before it was stored or sent
    updates = await slack_api.wait_for(2, method="chat.update", timeout=15)
    assert updates[-1].body["ts"] == ts  # the same post, now answered
    assert not [b for b in updates[-1].buttons() if b["action_id"].startswith(FORM_PREFIX)]
    assert [p for p in slack_api.posted if p.channel == AMBASSADORS_CHANNEL] == [post]
