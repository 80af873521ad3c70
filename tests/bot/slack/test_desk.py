"""The ambassadors' desk in Slack: the case's post in their channel changes in place."""

from __future__ import annotations

from fakes.slack_api import FakeSlackApi, SlackCall
from tests.bot.conftest import StartApp
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import slack_settings, start_slack_kompas

AMBASSADORS_CHANNEL = "C0AMBASS01"
AMBASSADOR = "U0BO00001"
QUESTION = "Hvornår fodrer vi fiskene i akvariet på rådhuset?"


def button(call: object, title: str) -> dict[str, object]:
    return next(b for b in call.buttons() if b["text"]["text"] == title)  # type: ignore[attr-defined]


async def test_taking_a_case_in_slack_updates_its_post_and_tells_the_asker(
    start_app: StartApp, database_url: str, slack_api: FakeSlackApi
) -> None:
    settings = slack_settings(
        database_url, slack_api, ambassadors_channel=AMBASSADORS_CHANNEL
    ).with_overrides(ambassadors=frozenset({AMBASSADOR}))
    kompas = await start_slack_kompas(start_app, settings, deliver_outbox=True)

    await kompas.send(slack.direct_message(QUESTION))
    [unknown] = await slack_api.wait_for(1)
    await kompas.send(slack.block_actions(button(unknown, "Spørg en AI-ambassadør")))
    posts = await slack_api.wait_for(3, timeout=15)  # the confirmation, and the post (outbox)
    [post] = [p for p in posts if p.channel == AMBASSADORS_CHANNEL]
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
