"""Personal data only in the personal chat; a bound card's buttons only for its person."""

from __future__ import annotations

from ground.messages import ConversationType, Incoming
from ground.person_binding import BOUND_TO, is_person_bound

# Why a turn was refused → the template that says so.
PRIVATE_ONLY = "my_data_private"
EXPERIENCE_PRIVATE = "experience_private"
NOT_YOUR_CARD = "card_not_yours"

# Dialogs answered only in a personal chat, each with the template that says so elsewhere:
# showing, exporting or deleting a person's data, and asking for or taking their experiences.
PERSONAL_ONLY_DIALOGS = {
    **dict.fromkeys(
        ("my_data", "my_data_export", "my_data_delete_ask", "my_data_delete"), PRIVATE_ONLY
    ),
    "my_data_delete_cancel": PRIVATE_ONLY,
    **dict.fromkeys(
        ("experience_card", "share_experience", "nothing_to_share"), EXPERIENCE_PRIVATE
    ),
}


def refusal(incoming: Incoming, dialog_name: str | None, user_id: int | None) -> str | None:
    """Why this turn must not run (a template name), or None when it may.

    Personal-data dialogs run only in a personal chat. A person-bound button runs only for
    the person it was issued to: when the card names a user, the sender must be that user;
    an unbound card (sent before binding existed) is honoured only in a personal chat.
    """
    personal = incoming.conversation_type == ConversationType.PERSONAL
    if dialog_name in PERSONAL_ONLY_DIALOGS and not personal:
        return PERSONAL_ONLY_DIALOGS[dialog_name]
    if not is_person_bound(incoming):
        return None
    bound = (incoming.value or {}).get(BOUND_TO)
    if bound is None:
        return None if personal else NOT_YOUR_CARD
    if isinstance(bound, bool) or not isinstance(bound, int) or bound != user_id:
        return NOT_YOUR_CARD
    return None
