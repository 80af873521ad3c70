"""The built-in channels as the core sees them: Teams, Slack and the terminal (`kompas chat`)."""

from __future__ import annotations

from dataclasses import replace

from ground.channel_settings import SLACK_DEFAULT_RATE
from ground.channels import Capabilities, Channel, Channels, PersonIdentity, SendLimits, Window

TEAMS_NAME = "teams"

# Per bot per conversation (Microsoft Teams rate limits for proactive messages).
TEAMS_CONVERSATION_WINDOWS = (
    Window(7, 1.0),
    Window(8, 2.0),
    Window(60, 30.0),
    Window(1800, 3600.0),
)

# A Teams message (Activity with its attachments) may be at most about 28 KB.
TEAMS_MAX_MESSAGE_BYTES = 28 * 1024

TEAMS = Channel(
    name=TEAMS_NAME,
    capabilities=Capabilities(
        cards=True,
        modals=True,  # task modules; Kompas does not use them yet
        threads=True,  # replies in channel threads
        ephemeral=False,
        updates_messages=True,
        proactive=True,
        max_message_bytes=TEAMS_MAX_MESSAGE_BYTES,
    ),
    limits=SendLimits(conversation_windows=TEAMS_CONVERSATION_WINDOWS),
    # The Entra ID object id first (stable across tenants' apps), then the 29:… user id.
    identity=PersonIdentity(
        lookups=(("directory_id", "directory_id"), ("teams_user_id", "user_id")),
        folded_keys=frozenset({"directory_id"}),
    ),
    # A deep link to a 1:1 chat (user principal name or Entra ID object id).
    chat_link="https://teams.microsoft.com/l/chat/0/0?users={user}",
)

SLACK_NAME = "slack"

# chat.postMessage: about one message per second per conversation, short bursts allowed.
SLACK_CONVERSATION_WINDOWS = (Window(2, 1.0), Window(60, 60.0))
SLACK = Channel(
    name=SLACK_NAME,
    capabilities=Capabilities(
        cards=True,  # Block Kit
        modals=True,  # views.open with a trigger id
        threads=True,  # answers to an @mention go in a thread under the question
        ephemeral=True,  # /kompas answers only the asker sees
        updates_messages=True,  # chat.update
        proactive=True,
    ),
    # Overall: KOMPAS_SLACK_RATE (slack_channel); a 429 holds every Slack send back for its
    # Retry-After, as Slack's own limits count per workspace.
    limits=SendLimits(
        conversation_windows=SLACK_CONVERSATION_WINDOWS, per_second=SLACK_DEFAULT_RATE
    ),
    # A person is (workspace, user): Person.tenant_id is the team id (T…), Person.user_id the
    # user id (U…/W…, unique across Slack). The organisation tree has no Slack ids: the edge
    # puts the e-mail of the person's Slack profile (users.info) in Person.directory_id, and
    # the tree finds them by it.
    identity=PersonIdentity(lookups=(("email", "directory_id"),), folded_keys=frozenset({"email"})),
)


def slack_channel(rate_per_second: float) -> Channel:
    """SLACK with its overall rate set (KOMPAS_SLACK_RATE)."""
    return replace(SLACK, limits=replace(SLACK.limits, per_second=rate_per_second))


CLI_NAME = "cli"

CLI = Channel(
    name=CLI_NAME,
    # Cards are shown as text with numbered buttons; the person reading is present, so
    # proactive messages wait in the outbox until the terminal shows them.
    capabilities=Capabilities(cards=True, proactive=True, names_are_ids=True),
    # The login or --user name is the person's e-mail address, or the part before the @.
    identity=PersonIdentity(
        lookups=(("email", "user_id"), ("email_name", "user_id")),
        folded_keys=frozenset({"email", "email_name"}),
    ),
)


def built_in_channels() -> Channels:
    """Teams, Slack and the terminal; the registry (bot/channels.py) adds each one's edge and
    holds only the channels a process runs."""
    return Channels((TEAMS, SLACK, CLI))
