"""The durable outbox: jobs enqueue proactive messages, senders claim and settle them.

Each message is one row, unique by its key, that moves pending → sending → sent/failed.
A sender claims due rows under a lease (`lease_seconds`); each claim counts an attempt.
While the lease runs only the claiming sender may settle the row (its lease token must
still match), and it records the outcome right after the channel answered.

In-doubt rule (delivery is at least once): a row still in `sending` after its lease
expired belongs to a sender that stopped between sending and recording — it crashed,
was killed or lost its database connection. Nobody can know whether the channel got that
message, so the next claim puts the row back to pending (last_error says "in doubt") and
it is sent again. A recipient can therefore get a message twice, but only when a sender
died mid-send, and then at most DeliverySettings.concurrency messages per crash: a
sender has no more sends than that between "sent" and "recorded". Rows it had claimed
but not yet sent are sent once. A live sender starts a send only with enough lease left
(see delivery.sender), so its leases do not expire under it. Nothing is dropped: every
message ends sent, or failed with a reason.

On PostgreSQL any number of processes may claim at once (SELECT … FOR UPDATE SKIP
LOCKED). On SQLite run one sender; its writes are short and go one at a time.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from delivery.api import OutgoingMessage
from delivery.outbox_records import (
    ClaimedMessage,
    FailedMessage,
    OutboxEntry,
    OutboxState,
    OutboxStatus,
)
from delivery.payload import reply_to_json
from delivery.settling import Outcome, Settlement, Settler
from delivery.transport import Destination
from ground.clock import utc_now
from ground.person_binding import bind_actions
from storage.database import Database
from storage.models import ConversationReferenceRow
from storage.models_outbox import OutboxRow
from storage.rows import REFERENCE_ENDPOINT, record_from_row

__all__ = [
    "ClaimedMessage",
    "FailedMessage",
    "Outbox",
    "OutboxEntry",
    "OutboxState",
    "OutboxStatus",
]

logger = logging.getLogger(__name__)

InsertFunction = Callable[[Any], postgresql.Insert | sqlite.Insert]

DEFAULT_LEASE_SECONDS = 120.0
MAX_REASON_LENGTH = 500
MAX_KEY_LENGTH = 255
IN_DOUBT_REASON = "in doubt: the lease expired before the send was recorded; sending again"
SUPERSEDED_REASON = "superseded: a newer version of the same message was queued"

_PENDING = OutboxState.PENDING.value
_SENDING = OutboxState.SENDING.value
_FAILED = OutboxState.FAILED.value
_WITHDRAWN = OutboxState.WITHDRAWN.value

_CLAIMED_COLUMNS = (
    OutboxRow.id,
    OutboxRow.key,
    OutboxRow.channel,
    OutboxRow.conversation_id,
    OutboxRow.user_id,
    OutboxRow.payload,
    OutboxRow.attempts,
    OutboxRow.lease_token,
    OutboxRow.lease_expires_at,
    OutboxRow.updates_key,
)


def _reason(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON_LENGTH else f"{text[: MAX_REASON_LENGTH - 1]}…"


def _entry(row: RowMapping) -> OutboxEntry:
    return record_from_row(OutboxEntry, row, state=OutboxState(row["state"]))


@dataclass
class _Original:
    """What a replacement needs of the message it replaces."""

    delivered_id: str | None = None
    waiting: bool = False  # not delivered yet: pending or being sent


class Outbox:
    """Typed access to the outbox table; every method is one short transaction.

    `clock` gives the current aware UTC time (tests pass a controllable one). Errors come
    out as storage.database.StorageError (DatabaseUnavailableError when unreachable).
    """

    def __init__(
        self,
        database: Database,
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be above 0")
        self._database = database
        self._lease = timedelta(seconds=lease_seconds)
        self._clock = clock
        self._insert: InsertFunction = (
            postgresql.insert if database.is_postgresql else sqlite.insert
        )
        # SQLite has one writer at a time; queueing our own writes here keeps them out of
        # SQLite's busy handler, which sleeps in steps of milliseconds.
        self._settler = Settler(database.writing, lock_rows=database.is_postgresql)

    @property
    def lease_seconds(self) -> float:
        """How long a claim lasts before the row is in doubt."""
        return self._lease.total_seconds()

    async def enqueue(self, messages: Sequence[OutgoingMessage]) -> int:
        """Store the messages whose keys are new, all in one transaction.

        Returns how many were newly stored; keys already in the outbox (in any state) are
        skipped, so running a job twice enqueues nothing twice. If any row cannot be
        stored, none is. A message that replaces an earlier one (`updates_key`) withdraws
        the still pending replacements of that message queued before it: the newest wins.
        Raises ValueError (or PayloadError) for messages that are not valid, StorageError
        when the database refuses them.
        """
        now = self._clock()
        rows: dict[str, dict[str, Any]] = {}
        for message in messages:
            if message.key in rows:
                continue  # the first message with a key wins, as it would across calls
            rows[message.key] = self._row_for(message, now)
        if not rows:
            return 0
        statement = (
            self._insert(OutboxRow)
            .on_conflict_do_nothing(index_elements=[OutboxRow.key])
            .returning(OutboxRow.id)
        )
        replaced = {row["updates_key"] for row in rows.values() if row["updates_key"]}
        async with self._database.writing() as connection:
            if replaced:
                await connection.execute(
                    update(OutboxRow)
                    .where(
                        OutboxRow.updates_key.in_(sorted(replaced)),
                        OutboxRow.state == _PENDING,
                        OutboxRow.key.not_in(sorted(rows)),
                    )
                    .values(state=_WITHDRAWN, last_error=SUPERSEDED_REASON, updated_at=now)
                )
            stored = (await connection.execute(statement, list(rows.values()))).all()
        logger.info("Outbox: %d of %d messages newly queued", len(stored), len(messages))
        return len(stored)

    def _row_for(self, message: OutgoingMessage, now: datetime) -> dict[str, Any]:
        if not message.key or len(message.key) > MAX_KEY_LENGTH:
            raise ValueError(f"an outbox key needs 1 to {MAX_KEY_LENGTH} characters")
        if not message.channel or not message.conversation_id:
            raise ValueError(f"message {message.key!r} needs a channel and a conversation id")
        not_before = message.not_before or now
        if not_before.tzinfo is None:
            raise ValueError(f"message {message.key!r}: not_before must be timezone-aware")
        return {
            "key": message.key,
            "channel": message.channel,
            "conversation_id": message.conversation_id,
            "user_id": message.user_id,
            "payload": reply_to_json(
                message.reply
                if message.user_id is None
                else bind_actions(message.reply, message.user_id)
            ),
            "state": _PENDING,
            "attempts": 0,
            "not_before": not_before,
            "created_at": now,
            "updated_at": now,
            "updates_key": message.updates_key,
        }

    async def claim(
        self,
        channels: Collection[str],
        *,
        limit: int = 1,
        conversation_id: str | None = None,
    ) -> list[ClaimedMessage]:
        """Lease up to `limit` due messages of these channels, oldest due first.

        Due: pending with not_before passed, or in doubt (sending with an expired lease;
        these are put back to pending first, see the module docstring). Each claim counts
        one attempt. `conversation_id` restricts the claim to one conversation.
        """
        if limit < 1 or not channels:
            return []
        channel_list = sorted(set(channels))
        now = self._clock()
        due = (
            select(OutboxRow.id)
            .where(
                OutboxRow.state == _PENDING,
                OutboxRow.not_before <= now,
                OutboxRow.channel.in_(channel_list),
            )
            .order_by(OutboxRow.not_before, OutboxRow.id)
            .limit(limit)
        )
        if conversation_id is not None:
            due = due.where(OutboxRow.conversation_id == conversation_id)
        token = uuid.uuid4().hex
        lease = update(OutboxRow).values(
            state=_SENDING,
            lease_token=token,
            lease_expires_at=now + self._lease,
            attempts=OutboxRow.attempts + 1,
            updated_at=now,
        )
        async with self._database.writing() as connection:
            await self._recover_in_doubt(connection, channel_list, now)
            if self._database.is_postgresql:
                ids = (await connection.execute(due.with_for_update(skip_locked=True))).scalars()
                id_list = list(ids)
                if not id_list:
                    return []
                statement = lease.where(OutboxRow.id.in_(id_list))
            else:
                # One statement: SQLite takes the write lock before it reads the candidates.
                statement = lease.where(OutboxRow.id.in_(due.scalar_subquery()))
            rows = (await connection.execute(statement.returning(*_CLAIMED_COLUMNS))).mappings()
            claimed = sorted(rows.all(), key=lambda row: row["id"])
            destinations = await self._destinations(connection, claimed)
            originals = await self._originals(connection, claimed)
        found = []
        for row in claimed:
            destination = destinations.get((row["channel"], row["conversation_id"]))
            original = originals.get(row["updates_key"]) if row["updates_key"] else None
            if destination is not None and original is not None and original.delivered_id:
                destination = replace(destination, message_id=original.delivered_id)
            found.append(
                record_from_row(
                    ClaimedMessage,
                    row,
                    destination=destination,
                    waits_for_original=original is not None and original.waiting,
                )
            )
        return found

    @staticmethod
    async def _originals(
        connection: AsyncConnection, claimed: Sequence[RowMapping]
    ) -> dict[str, _Original]:
        """For each replaced key: the newest delivered id of that message (it, or a
        replacement of it posted anew), and whether it is still on its way."""
        keys = sorted({row["updates_key"] for row in claimed if row["updates_key"]})
        if not keys:
            return {}
        query = (
            select(
                OutboxRow.key,
                OutboxRow.updates_key,
                OutboxRow.state,
                OutboxRow.delivered_id,
            )
            .where(or_(OutboxRow.key.in_(keys), OutboxRow.updates_key.in_(keys)))
            .where(or_(OutboxRow.key.in_(keys), OutboxRow.state == OutboxState.SENT.value))
            .order_by(OutboxRow.sent_at, OutboxRow.id)
        )
        found = {key: _Original() for key in keys}
        for row in (await connection.execute(query)).mappings():
            original = found[row["key"] if row["key"] in found else row["updates_key"]]
            if row["delivered_id"]:
                original.delivered_id = row["delivered_id"]  # the newest one wins
            if row["key"] in found and row["state"] in (_PENDING, _SENDING):
                original.waiting = True
        return found

    async def _recover_in_doubt(
        self, connection: AsyncConnection, channels: list[str], now: datetime
    ) -> None:
        statement = (
            update(OutboxRow)
            .where(
                OutboxRow.state == _SENDING,
                OutboxRow.lease_expires_at <= now,
                OutboxRow.channel.in_(channels),
            )
            .values(
                state=_PENDING,
                lease_token=None,
                lease_expires_at=None,
                last_error=IN_DOUBT_REASON,
                updated_at=now,
            )
            .returning(OutboxRow.key)
        )
        keys = (await connection.execute(statement)).scalars().all()
        if keys:
            logger.warning(
                "Outbox: %d messages in doubt after an expired lease; sending again: %s",
                len(keys),
                ", ".join(keys[:5]) + (" …" if len(keys) > 5 else ""),
            )

    @staticmethod
    async def _destinations(
        connection: AsyncConnection, claimed: Sequence[RowMapping]
    ) -> dict[tuple[str, str], Destination]:
        """The newest active reference of each claimed conversation."""
        if not claimed:
            return {}
        reference = ConversationReferenceRow
        query = (
            select(
                reference.channel,
                reference.conversation_id,
                REFERENCE_ENDPOINT,
                reference.tenant_id,
                reference.reference,
            )
            .where(
                reference.channel.in_({row["channel"] for row in claimed}),
                reference.conversation_id.in_({row["conversation_id"] for row in claimed}),
                reference.active.is_(True),
            )
            .order_by(reference.updated_at, reference.id)
        )
        found: dict[tuple[str, str], Destination] = {}
        for row in (await connection.execute(query)).mappings():
            found[(row["channel"], row["conversation_id"])] = Destination(
                channel=row["channel"],
                conversation_id=row["conversation_id"],
                endpoint=row["endpoint"],
                tenant_id=row["tenant_id"],
                reference=row["reference"] or {},
            )
        return found

    async def mark_sent(self, message: ClaimedMessage, delivered_id: str | None = None) -> bool:
        """Record that the channel accepted the message (`delivered_id`: the channel's id of
        it, when it said). False when the lease was lost."""
        return await self._settle(message, Outcome.SENT, delivered_id=delivered_id)

    async def mark_retry(self, message: ClaimedMessage, delay: float, reason: str) -> bool:
        """Put the message back to pending, not to be sent for `delay` seconds.

        False when the lease was lost (another sender has the row now).
        """
        return await self._settle(message, Outcome.RETRY, delay, _reason(reason))

    async def mark_failed(self, message: ClaimedMessage, reason: str) -> bool:
        """Give the message up; `reason` is shown to admins. False when the lease was lost."""
        return await self._settle(message, Outcome.FAILED, reason=_reason(reason))

    async def release(self, message: ClaimedMessage, delay: float = 0.0) -> bool:
        """Hand a claimed message back unsent (pacing, shutdown): not counted as an attempt."""
        return await self._settle(message, Outcome.RELEASED, delay)

    def now(self) -> datetime:
        """The outbox's clock (aware UTC)."""
        return self._clock()

    async def extend_leases(self, tokens: Collection[str]) -> datetime | None:
        """Renew the leases of claims a live sender still works on; the new expiry.

        Rows whose claim was taken over (another token) or settled are left alone.
        None when there was nothing to renew.
        """
        if not tokens:
            return None
        now = self._clock()
        until = now + self._lease
        statement = (
            update(OutboxRow)
            .where(OutboxRow.state == _SENDING, OutboxRow.lease_token.in_(sorted(set(tokens))))
            .values(lease_expires_at=until, updated_at=now)
        )
        async with self._database.writing() as connection:
            await connection.execute(statement)
        return until

    async def _settle(
        self,
        message: ClaimedMessage,
        outcome: Outcome,
        delay: float = 0.0,
        reason: str | None = None,
        delivered_id: str | None = None,
    ) -> bool:
        now = self._clock()
        not_before = now + timedelta(seconds=max(0.0, delay))
        settled = await self._settler.settle(
            Settlement(message, outcome, now, not_before, reason, delivered_id)
        )
        if not settled:
            logger.warning(
                "Outbox: the lease on %s was lost before it could be marked %s",
                message.key,
                outcome.value,
            )
        return settled

    async def find(self, key: str) -> OutboxEntry | None:
        """The stored message with this key, or None."""
        async with self._database.transaction() as connection:
            row = (
                (await connection.execute(select(OutboxRow).where(OutboxRow.key == key)))
                .mappings()
                .one_or_none()
            )
        return None if row is None else _entry(row)

    async def withdraw(self, user_id: int, key_pattern: str, reason: str) -> int:
        """Withdraw the person's pending messages whose key matches `key_pattern` (SQL LIKE:
        % stands for any text), so that they are never sent; one a sender has already claimed
        still goes out. Returns how many were withdrawn."""
        statement = (
            update(OutboxRow)
            .where(
                OutboxRow.user_id == user_id,
                OutboxRow.state == _PENDING,
                OutboxRow.key.like(key_pattern),
            )
            .values(state=_WITHDRAWN, last_error=_reason(reason), updated_at=self._clock())
        )
        async with self._database.writing() as connection:
            withdrawn = int((await connection.execute(statement)).rowcount)
        if withdrawn:
            logger.info("Outbox: %d pending message(s) withdrawn (%s)", withdrawn, reason)
        return withdrawn

    async def pending_for(self, channel: str, conversation_id: str) -> list[OutboxEntry]:
        """Messages not yet sent to one conversation (pending or sending), in send order."""
        query = (
            select(OutboxRow)
            .where(
                OutboxRow.channel == channel,
                OutboxRow.conversation_id == conversation_id,
                OutboxRow.state.in_((_PENDING, _SENDING)),
            )
            .order_by(OutboxRow.not_before, OutboxRow.id)
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_entry(row) for row in rows]

    async def seconds_until_due(self, channels: Collection[str]) -> float | None:
        """Seconds until a message of these channels can be claimed (0.0: one is due now).

        None when none is pending or sending: the outbox is empty for these channels.
        """
        due = await self.next_due_at(channels)
        if due is None:
            return None
        return max(0.0, (due - self._clock()).total_seconds())

    async def next_due_at(self, channels: Collection[str]) -> datetime | None:
        """When the next message of these channels can be claimed; None when none is open.

        A time in the past means a message is due now.
        """
        in_channels = OutboxRow.channel.in_(sorted(set(channels)))
        pending = select(func.min(OutboxRow.not_before)).where(
            OutboxRow.state == _PENDING, in_channels
        )
        leased = select(func.min(OutboxRow.lease_expires_at)).where(
            OutboxRow.state == _SENDING, in_channels
        )
        async with self._database.transaction() as connection:
            moments = [
                (await connection.execute(pending)).scalar_one_or_none(),
                (await connection.execute(leased)).scalar_one_or_none(),
            ]
        present = [moment for moment in moments if moment is not None]
        return min(present) if present else None

    async def status(self, failures: int = 10) -> OutboxStatus:
        """Counts per state, what is due or in doubt, the oldest pending, latest failures."""
        now = self._clock()
        counts_query = select(OutboxRow.state, func.count()).group_by(OutboxRow.state)
        due_query = select(func.count()).where(
            OutboxRow.state == _PENDING, OutboxRow.not_before <= now
        )
        doubt_query = select(func.count()).where(
            OutboxRow.state == _SENDING, OutboxRow.lease_expires_at <= now
        )
        oldest_query = select(func.min(OutboxRow.created_at)).where(OutboxRow.state == _PENDING)
        failed_query = (
            select(OutboxRow)
            .where(OutboxRow.state == _FAILED)
            .order_by(OutboxRow.updated_at.desc(), OutboxRow.id.desc())
            .limit(failures)
        )
        async with self._database.transaction() as connection:
            counted: Mapping[str, int] = {
                state: count for state, count in (await connection.execute(counts_query)).all()
            }
            due_now = (await connection.execute(due_query)).scalar_one()
            in_doubt = (await connection.execute(doubt_query)).scalar_one()
            oldest = (await connection.execute(oldest_query)).scalar_one_or_none()
            failed = (await connection.execute(failed_query)).mappings().all()
        return OutboxStatus(
            checked_at=now,
            counts={state: counted.get(state.value, 0) for state in OutboxState},
            due_now=due_now,
            in_doubt=in_doubt,
            oldest_pending_at=oldest,
            latest_failures=tuple(
                FailedMessage(
                    key=row["key"],
                    channel=row["channel"],
                    conversation_id=row["conversation_id"],
                    attempts=row["attempts"],
                    reason=row["last_error"] or "",
                    failed_at=row["updated_at"],
                )
                for row in failed
            ),
        )
