"""Realistic Slack requests (Events API, slash command, block_actions), signed like Slack's."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fakes.slack_api import BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
APP_TOKEN = "xapp-1-A0KOMPAS1-1765367248100-3f1c0e5d7a9b"
OTHER_TEAM_ID = "T0ANDENKOM"
USER_ID = "U0METTE01"
USER_NAME = "mette.jensen"
OTHER_USER_ID = "U0OLE0002"
DM_CHANNEL = "D0METTEDM"
CHANNEL = "C0ALLEAI1"

_numbers = itertools.count(1)


def signature(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 request signature: HMAC-SHA256 of "v0:{timestamp}:{body}"."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SlackRequest:
    """A body and its content type, signed when sent (see `headers`)."""

    body: bytes
    content_type: str

    def payload(self) -> dict[str, Any]:
        """What Slack sends over Socket Mode instead: the same request as a JSON object."""
        if self.content_type == "application/json":
            return dict(json.loads(self.body))
        fields = dict(parse_qsl(self.body.decode(), keep_blank_values=True))
        return dict(json.loads(fields["payload"])) if "payload" in fields else fields

    def headers(
        self,
        *,
        secret: str = SIGNING_SECRET,
        age: float = 0.0,
        signed: bool = True,
        retry: int | None = None,
    ) -> dict[str, str]:
        """Slack's headers: the timestamp (`age` seconds ago) and its signature."""
        headers = {"Content-Type": self.content_type}
        if signed:
            stamp = int(time.time() - age)
            headers["X-Slack-Request-Timestamp"] = str(stamp)
            headers["X-Slack-Signature"] = signature(self.body, stamp, secret)
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return headers


def _json(payload: dict[str, Any]) -> SlackRequest:
    return SlackRequest(json.dumps(payload).encode(), "application/json")


def _form(fields: dict[str, str]) -> SlackRequest:
    return SlackRequest(urlencode(fields).encode(), "application/x-www-form-urlencoded")


def _ts() -> str:
    return f"{1_741_079_700 + next(_numbers)}.{next(_numbers):06d}"


def url_verification(challenge: str) -> SlackRequest:
    return _json({"token": "legacy", "challenge": challenge, "type": "url_verification"})


def event_callback(
    event: dict[str, Any], *, team: str = TEAM_ID, event_id: str = ""
) -> SlackRequest:
    return _json(
        {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A0KOMPAS1",
            "event": {**event, "event_ts": event.get("ts", _ts())},
            "type": "event_callback",
            "event_id": event_id or f"Ev0{next(_numbers):08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"enterprise_id": None, "team_id": team, "user_id": BOT_USER_ID, "is_bot": True}
            ],
            "is_ext_shared_channel": False,
        }
    )


def direct_message(
    text: str, *, user: str = USER_ID, event_id: str = "", thread_ts: str = ""
) -> SlackRequest:
    """A message in the person's DM with Kompas (message.im), in a thread if given."""
    event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": _ts(),
        "team": TEAM_ID,
        "channel": DM_CHANNEL,
        "channel_type": "im",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event_callback(event, event_id=event_id)


def app_home_opened(tab: str = "messages", *, user: str = USER_ID) -> SlackRequest:
    """The person opens Kompas in Slack (its Messages or Home tab)."""
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": DM_CHANNEL,
        "tab": tab,
        "event_ts": _ts(),
    }
    return event_callback(event)


def bot_echo(text: str) -> SlackRequest:
    """Kompas's own message in the DM, as Slack echoes it (message.im with bot_id)."""
    event = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "BKOMPAS01",
        "text": text,
        "ts": _ts(),
        "channel": DM_CHANNEL,
        "channel_type": "im",
    }
    return event_callback(event)


def app_mention(text: str, *, ts: str = "", thread_ts: str = "") -> SlackRequest:
    """ "@Kompas …" in a channel."""
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": USER_ID,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts or _ts(),
        "team": TEAM_ID,
        "channel": CHANNEL,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event_callback(event)


def slash_command(
    text: str, response_url: str, *, channel: str = CHANNEL, team: str = TEAM_ID
) -> SlackRequest:
    """`/kompas <text>` typed in a channel."""
    return _form(
        {
            "token": "legacy",
            "team_id": team,
            "team_domain": "kommunen",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "alle-ai",
            "user_id": USER_ID,
            "user_name": USER_NAME,
            "command": "/kompas",
            "text": text,
            "api_app_id": "A0KOMPAS1",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{next(_numbers)}.17653672481.abc",
        }
    )


def block_actions(
    button: dict[str, Any],
    *,
    channel: str = DM_CHANNEL,
    message_ts: str = "",
    response_url: str = "",
    ephemeral: bool = False,
    user: str = USER_ID,
    inputs: dict[str, dict[str, Any]] | None = None,
) -> SlackRequest:
    """A press of `button` (a button element Kompas sent) in a message, with the message's
    input `state` (block id → action id → value, as Slack reports it)."""
    ts = message_ts or _ts()
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": ts,
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": USER_NAME, "name": USER_NAME, "team_id": TEAM_ID},
        "api_app_id": "A0KOMPAS1",
        "token": "legacy",
        "container": container,
        "trigger_id": f"{next(_numbers)}.17653672481.def",
        "team": {"id": TEAM_ID, "domain": "kommunen"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "directmessage"},
        "state": {"values": inputs or {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": "b1",
                "text": button["text"],
                "value": button.get("value", ""),
                "type": "button",
                "action_ts": _ts(),
            }
        ],
    }
    if not ephemeral:
        payload["message"] = {"type": "message", "user": BOT_USER_ID, "ts": ts, "text": "…"}
    return _form({"payload": json.dumps(payload)})


def typed_state(blocks: list[dict[str, Any]], typed: dict[str, str]) -> dict[str, dict[str, Any]]:
    """state.values as Slack reports them for the input blocks among `blocks` (a message's or
    a modal's), `typed` by plain name (an input id is name_cardid)."""
    values: dict[str, dict[str, Any]] = {}
    for block in blocks:
        if block["type"] != "input":
            continue
        block_id = block["block_id"]
        name = next((n for n in typed if block_id == n or block_id.startswith(f"{n}_")), None)
        if name is None:
            continue
        element = block["element"]
        kind, text = element["type"], typed[name]
        if kind == "plain_text_input":
            state: dict[str, Any] = {"type": kind, "value": text}
        elif kind in {"radio_buttons", "static_select"}:
            state = {"type": kind, "selected_option": {"value": text}}
        else:
            state = {"type": kind, "selected_options": [{"value": v} for v in text.split(",")]}
        values[block_id] = {element["action_id"]: state}
    assert len(values) == len(typed), f"inputs {sorted(typed)} not all on the form"
    return values


def view_submission(
    view: dict[str, Any], typed: dict[str, str], *, user: str = USER_ID
) -> SlackRequest:
    """The person pressed the submit button of `view` (a modal Kompas opened), having filled
    in `typed` (plain input name → text or option value)."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "kommunen"},
        "user": {"id": user, "username": USER_NAME, "name": USER_NAME, "team_id": TEAM_ID},
        "api_app_id": "A0KOMPAS1",
        "token": "legacy",
        "trigger_id": f"{next(_numbers)}.17653672481.fed",
        "view": {
            **view,
            "id": view.get("id") or f"V0{next(_numbers):08d}",
            "team_id": TEAM_ID,
            "state": {"values": typed_state(view.get("blocks", []), typed)},
            "hash": f"{next(_numbers)}.abc",
            "app_id": "A0KOMPAS1",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _form({"payload": json.dumps(payload)})


def home_actions(
    button: dict[str, Any],
    view: dict[str, Any],
    *,
    user: str = USER_ID,
    values: dict[str, dict[str, Any]] | None = None,
) -> SlackRequest:
    """A press of `button` on the person's Home tab (`view`, as Kompas published it): Slack
    names the view, not a channel or message, and gives no response_url; the view's inputs
    (all of them, every part's) in `values`."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": USER_NAME, "name": USER_NAME, "team_id": TEAM_ID},
        "api_app_id": "A0KOMPAS1",
        "token": "legacy",
        "container": {"type": "view", "view_id": view.get("id") or "V0HOME001"},
        "trigger_id": f"{next(_numbers)}.17653672481.hom",
        "team": {"id": TEAM_ID, "domain": "kommunen"},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": {**view, "id": view.get("id") or "V0HOME001", "state": {"values": values or {}}},
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": "h1",
                "text": button["text"],
                "value": button.get("value", ""),
                "type": "button",
                "action_ts": _ts(),
            }
        ],
    }
    return _form({"payload": json.dumps(payload)})
