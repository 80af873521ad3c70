"""Queued prompts and reminders a person no longer needs are withdrawn before they go out."""

from __future__ import annotations

from delivery.outbox import Outbox
from experiences.campaign import campaign_key, reminder_key
from pilots.checkins import pilot_keys_of

ANY_MONTH = "%"  # SQL LIKE: every campaign month
ANSWERED = "withdrawn: the person answered before the reminder went out"
PAUSED = "withdrawn: the person paused prompts and reminders"


async def withdraw_reminders(outbox: Outbox, user_id: int, month: str | None = None) -> int:
    """After an answer: the person's queued reminders (of one month, or of every open one)."""
    pattern = reminder_key(month or ANY_MONTH, user_id)
    return await outbox.withdraw(user_id, pattern, ANSWERED)


async def withdraw_prompts(outbox: Outbox, user_id: int) -> int:
    """After `stop påmindelser`: the person's queued monthly prompts, reminders, pilot
    check-ins and reflections."""
    withdrawn = await outbox.withdraw(user_id, campaign_key(ANY_MONTH, user_id), PAUSED)
    return withdrawn + await outbox.withdraw(user_id, pilot_keys_of(user_id), PAUSED)
