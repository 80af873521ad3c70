"""Personal data only in the personal chat; person-bound card buttons only for their person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ground.messages import ConversationType, Incoming, IncomingKind, Reply

# The card-data key naming the users.id a card was issued for.
BOUND_TO = "for_user"

# Dialogs that show, export or delete a person's data: answered only in a personal chat.
PERSONAL_ONLY_DIALOGS = frozenset(
    {"my_data", "my_data_export", "my_data_delete_ask", "my_data_delete", "my_data_delete_cancel"}
)

# Card verbs whose button acts on the data of the one person the card was issued to.
PERSON_BOUND_VERBS = frozenset(
    {
        "my_data_export",
        "my_data_delete",
        "my_data_delete_confirm",
        "my_data_delete_cancel",
        "experience_submit",
        "experience_nothing",
        "pilot_checkin",
        "pilot_reflection",
    }
)

# Why a turn was refused → the template that says so.
PRIVATE_ONLY = "my_data_private"
NOT_YOUR_CARD = "card_not_yours"


def bind_actions(reply: Reply, user_id: int) -> Reply:
    """The reply with each person-bound button of its card bound to `user_id`."""
    card = reply.card
    if card is None or not any(a.verb in PERSON_BOUND_VERBS for a in card.actions):
        return reply
    actions = tuple(
        replace(action, data={**action.data, BOUND_TO: user_id})
        if action.verb in PERSON_BOUND_VERBS
        else action
        for action in card.actions
    )
    return replace(reply, card=replace(card, actions=actions))


def bind_replies(replies: Sequence[Reply], user_id: int) -> list[Reply]:
    """Every reply with its person-bound buttons bound to `user_id`."""
    return [bind_actions(reply, user_id) for reply in replies]


def is_person_bound(incoming: Incoming) -> bool:
    """True for a card submission whose button acts on one person's data."""
    value: Mapping[str, Any] = incoming.value or {}
    return incoming.kind == IncomingKind.SUBMIT and value.get("verb") in PERSON_BOUND_VERBS


def refusal(incoming: Incoming, dialog_name: str | None, user_id: int | None) -> str | None:
    """Why this turn must not run (a template name), or None when it may.

    Personal-data dialogs run only in a personal chat. A person-bound button runs only for
    the person it was issued to: when the card names a user, the sender must be that user;
    an unbound card (sent before binding existed) is honoured only in a personal chat.
    """
    personal = incoming.conversation_type == ConversationType.PERSONAL
    if dialog_name in PERSONAL_ONLY_DIALOGS and not personal:
        return PRIVATE_ONLY
    if not is_person_bound(incoming):
        return None
    bound = (incoming.value or {}).get(BOUND_TO)
    if bound is None:
        return None if personal else NOT_YOUR_CARD
    if isinstance(bound, bool) or not isinstance(bound, int) or bound != user_id:
        return NOT_YOUR_CARD
    return None
