"""Card buttons that act on one person's data carry that person's id (bound cards)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ground.messages import Incoming, Reply

# The card-data key naming the users.id a card was issued for.
BOUND_TO = "for_user"

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
        "case_feedback",  # the asker's 👍/👎 on an ambassador's answer
    }
)


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
    return incoming.verb in PERSON_BOUND_VERBS
