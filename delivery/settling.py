"""Recording send outcomes: concurrent settlements of claimed rows share one transaction."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from delivery.outbox_records import ClaimedMessage, OutboxState
from storage.database import StorageError
from storage.models import UTCDateTime
from storage.models_outbox import OutboxRow

Writing = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


class Outcome(StrEnum):
    """What becomes of a claimed row."""

    SENT = "sent"
    RETRY = "retry"  # pending again, after not_before; the attempt counts
    FAILED = "failed"
    RELEASED = "released"  # pending again, after not_before; the attempt does not count


@dataclass(frozen=True)
class Settlement:
    """One claimed row's outcome, recorded only while the claim's lease token is valid."""

    message: ClaimedMessage
    outcome: Outcome
    now: datetime
    not_before: datetime | None = None
    reason: str | None = None
    delivered_id: str | None = None  # SENT: the channel's id of the message

    def parameters(self) -> dict[str, Any]:
        return {
            "row_id": self.message.id,
            "token": self.message.lease_token,
            "now": self.now,
            "not_before": self.not_before or self.now,
            "reason": self.reason,
            "delivered_id": self.delivered_id,
        }


def _statement(**values: Any) -> Update:
    return (
        update(OutboxRow)
        .where(
            OutboxRow.id == bindparam("row_id"),
            OutboxRow.state == OutboxState.SENDING.value,
            OutboxRow.lease_token == bindparam("token"),
        )
        .values(
            lease_token=None,
            lease_expires_at=None,
            updated_at=bindparam("now", type_=UTCDateTime),
            **values,
        )
    )


_STATEMENTS: dict[Outcome, Update] = {
    Outcome.SENT: _statement(
        state=OutboxState.SENT.value,
        sent_at=bindparam("now", type_=UTCDateTime),
        delivered_id=bindparam("delivered_id"),
    ),
    Outcome.RETRY: _statement(
        state=OutboxState.PENDING.value,
        not_before=bindparam("not_before", type_=UTCDateTime),
        last_error=bindparam("reason"),
    ),
    Outcome.FAILED: _statement(state=OutboxState.FAILED.value, last_error=bindparam("reason")),
    Outcome.RELEASED: _statement(
        state=OutboxState.PENDING.value,
        attempts=OutboxRow.attempts - 1,
        not_before=bindparam("not_before", type_=UTCDateTime),
    ),
}


class Settler:
    """Group commit: settlements that arrive while one batch is written go in the next.

    One writer task at a time takes everything queued and writes it in one transaction.
    Fewer, larger transactions matter on SQLite, where every statement is a round trip to
    aiosqlite's thread and only one transaction writes at a time.
    """

    def __init__(self, writing: Writing, *, lock_rows: bool) -> None:
        self._writing = writing
        self._lock_rows = lock_rows
        self._queue: list[tuple[Settlement, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def settle(self, settlement: Settlement) -> bool:
        """Record it; False when the lease was no longer the claimer's (nothing changed)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((settlement, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued())
        return await future

    async def _write_queued(self) -> None:
        batch: list[tuple[Settlement, asyncio.Future[bool]]] = []
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    results = await self._apply([settlement for settlement, _ in batch])
                except Exception as error:
                    _abandon(batch, error)
                    continue
                for (_, future), settled in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(settled)
        finally:  # cancelled (the loop is closing): nobody may wait forever
            _abandon(batch + self._queue, StorageError("recording the outcome was interrupted"))

    async def _apply(self, batch: Sequence[Settlement]) -> list[bool]:
        ids = sorted({settlement.message.id for settlement in batch})
        current = select(OutboxRow.id, OutboxRow.lease_token).where(
            OutboxRow.id.in_(ids), OutboxRow.state == OutboxState.SENDING.value
        )
        if self._lock_rows:
            current = current.with_for_update()
        async with self._writing() as connection:
            held = {tuple(row) for row in (await connection.execute(current)).all()}
            valid = [(s.message.id, s.message.lease_token) in held for s in batch]
            by_outcome: dict[Outcome, list[dict[str, Any]]] = defaultdict(list)
            for settlement, is_valid in zip(batch, valid, strict=True):
                if is_valid:
                    by_outcome[settlement.outcome].append(settlement.parameters())
            for outcome, parameters in by_outcome.items():
                await connection.execute(_STATEMENTS[outcome], parameters)
        return valid


def _abandon(waiting: list[tuple[Settlement, asyncio.Future[bool]]], error: Exception) -> None:
    for _, future in waiting:
        if not future.done():
            future.set_exception(error)
