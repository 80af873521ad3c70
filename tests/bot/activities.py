"""Realistic Teams Activity JSON, shaped like what the Bot Connector service posts."""

from __future__ import annotations

import copy
import itertools
from typing import Any

APP_ID = "8f4b2a61-3c2d-4e7f-9a10-5b6c7d8e9f01"
BOT_ID = f"28:{APP_ID}"
BOT_NAME = "Kompas"
TENANT_ID = "a3c1e5f7-2b4d-4c6e-8f10-123456789abc"
OTHER_TENANT_ID = "ffffffff-0000-4000-8000-000000000000"

USER = {
    "id": "29:1Zq8kVvH3x7sJtPo4yLmN0aBcDeFgHiJkLmNoPqRsTuVwXyZ",
    "name": "Mette Jensen",
    "aadObjectId": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
}
NEW_MEMBER = {
    "id": "29:1NyMedarbejderAbCdEfGhIjKlMnOpQrStUvWxYz0123456",
    "aadObjectId": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
}
PERSONAL_CONVERSATION = "a:1pErSoNaLcHaTxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz"
TEAM_ID = "19:8c2f5d0e1a9b4c7d8e3f6a1b2c5d8e0f@thread.tacv2"
CHANNEL_ID = "19:4e7a1d9c2b8f4a6e9d3c7b1a5f8e2d0c@thread.tacv2"
CHANNEL_THREAD = f"{CHANNEL_ID};messageid=1741079800000"
GROUP_CONVERSATION = "19:meeting_Zm9vYmFyYmF6cXV4QGdyb3VwY2hhdA@thread.v2"

_ids = itertools.count(1741079700000)


def _client_info() -> dict[str, Any]:
    return {
        "locale": "da-DK",
        "country": "DK",
        "platform": "Windows",
        "timezone": "Europe/Copenhagen",
        "type": "clientInfo",
    }


def _base(
    service_url: str, kind: str, conversation: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": kind,
        "id": str(next(_ids)),
        "timestamp": "2025-03-04T09:15:22.1234567Z",
        "localTimestamp": "2025-03-04T10:15:22.1234567+01:00",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": copy.deepcopy(USER),
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "entities": [_client_info()],
        "channelData": {"tenant": {"id": TENANT_ID}},
        "locale": "da-DK",
        "localTimezone": "Europe/Copenhagen",
    }
    activity.update(extra)
    return activity


def personal(conversation_id: str = PERSONAL_CONVERSATION) -> dict[str, Any]:
    return {"conversationType": "personal", "tenantId": TENANT_ID, "id": conversation_id}


def personal_message(service_url: str, text: str = "Må jeg bruge ChatGPT?") -> dict[str, Any]:
    """A message typed in the 1:1 chat with the bot."""
    return _base(service_url, "message", personal(), text=text, textFormat="plain")


def channel_message(
    service_url: str, question: str = "må jeg bruge Copilot til mødereferater?"
) -> dict[str, Any]:
    """A channel post that @mentions the bot (and a colleague)."""
    text = f"<at>{BOT_NAME}</at> {question} <at>Mette Jensen</at>\n"
    html = (
        '<div><div><span itemscope="" itemtype="http://schema.skype.com/Mention" '
        f'itemid="0">{BOT_NAME}</span> {question} <span itemscope="" '
        'itemtype="http://schema.skype.com/Mention" itemid="1">Mette Jensen</span></div></div>'
    )
    activity = _base(
        service_url,
        "message",
        {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT_ID,
            "id": CHANNEL_THREAD,
        },
        text=text,
        textFormat="plain",
        attachments=[{"contentType": "text/html", "content": html}],
    )
    activity["entities"] = [
        {
            "mentioned": {"id": BOT_ID, "name": BOT_NAME},
            "text": f"<at>{BOT_NAME}</at>",
            "type": "mention",
        },
        {
            "mentioned": {"id": USER["id"], "name": "Mette Jensen"},
            "text": "<at>Mette Jensen</at>",
            "type": "mention",
        },
        _client_info(),
    ]
    activity["channelData"] = {
        "teamsChannelId": CHANNEL_ID,
        "teamsTeamId": TEAM_ID,
        "channel": {"id": CHANNEL_ID},
        "team": {"id": TEAM_ID},
        "tenant": {"id": TENANT_ID},
    }
    return activity


def group_message(service_url: str, text: str = "<at>Kompas</at> hjælp") -> dict[str, Any]:
    """A message in a group chat that @mentions the bot."""
    activity = _base(
        service_url,
        "message",
        {
            "isGroup": True,
            "conversationType": "groupChat",
            "tenantId": TENANT_ID,
            "id": GROUP_CONVERSATION,
        },
        text=text,
        textFormat="plain",
    )
    activity["entities"] = [
        {
            "mentioned": {"id": BOT_ID, "name": BOT_NAME},
            "text": "<at>Kompas</at>",
            "type": "mention",
        }
    ]
    return activity


def card_submit(service_url: str, value: dict[str, Any]) -> dict[str, Any]:
    """What Teams posts when a user presses an Action.Submit button on the bot's card."""
    return _base(
        service_url,
        "message",
        personal(),
        replyToId="1:1Xy2Zw3Vu4Ts5Rq6Po7Nm8Lk9Ji0Hg",
        value=value,
        channelData={
            "tenant": {"id": TENANT_ID},
            "source": {"name": "message"},
            "legacy": {"replyToId": "1:1Xy2Zw3Vu4Ts5Rq6Po7Nm8Lk9Ji0Hg"},
        },
    )


def bot_added(service_url: str) -> dict[str, Any]:
    """conversationUpdate when the app is installed in the personal scope."""
    activity = _base(
        service_url,
        "conversationUpdate",
        personal(),
        membersAdded=[{"id": BOT_ID}],
    )
    activity["id"] = "f:5a1b2c3d-0000-4000-8000-000000000001"
    activity.pop("entities")
    return activity


def member_added(service_url: str) -> dict[str, Any]:
    """conversationUpdate when a colleague joins a team the bot is installed in."""
    activity = _base(
        service_url,
        "conversationUpdate",
        {"isGroup": True, "conversationType": "channel", "tenantId": TENANT_ID, "id": TEAM_ID},
        membersAdded=[copy.deepcopy(NEW_MEMBER)],
    )
    activity["channelData"] = {
        "team": {"aadGroupId": "0c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "id": TEAM_ID},
        "eventType": "teamMemberAdded",
        "tenant": {"id": TENANT_ID},
    }
    activity.pop("entities")
    return activity


def installation_update(service_url: str, action: str = "add") -> dict[str, Any]:
    """installationUpdate when the app is added (or removed) in the personal scope."""
    activity = _base(service_url, "installationUpdate", personal(), action=action)
    activity["id"] = "f:5a1b2c3d-0000-4000-8000-000000000002"
    activity["channelData"] = {"source": {"name": "message"}, "tenant": {"id": TENANT_ID}}
    return activity


def message_reaction(service_url: str) -> dict[str, Any]:
    """A type Kompas does not handle: someone liked one of the bot's messages."""
    return _base(
        service_url,
        "messageReaction",
        personal(),
        reactionsAdded=[{"type": "like"}],
        replyToId="1:1Xy2Zw3Vu4Ts5Rq6Po7Nm8Lk9Ji0Hg",
    )
