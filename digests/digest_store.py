"""Stored digests, stored month tables, the link key and where leaders can be reached."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from digests.scrub import ErasedPerson, scrub_payload, scrub_tables
from digests.serial import digest_from_json
from ground.channel_descriptions import built_in_channels
from ground.channels import Channels
from ground.clock import utc_now
from insights.digest import Digest
from storage.database import Database
from storage.learning_post_store import rewrite_payloads
from storage.models import ConversationReferenceRow
from storage.models_digests import (
    DigestLinkKeyRow,
    DigestMonthTablesRow,
    DigestRevocationRow,
    DigestRow,
)

logger = logging.getLogger(__name__)

LINK_KEY_ID = 1


class Audience(StrEnum):
    """Who a stored digest is for: a leader of the unit, or everyone organisation-wide."""

    LEADER = "leader"
    ORGANISATION = "organisation"  # the top unit: the direktion and the AI-ambassadors


def new_digest_id() -> str:
    """A random hex id (128 bits), unrelated to any link token; never taken for a CLI option."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class StoredDigest:
    """A digest as stored: its id, what it covers and the serialised Digest."""

    id: str
    unit_id: str
    month: str
    audience: Audience
    payload: Mapping[str, Any]
    created_at: datetime

    def digest(self) -> Digest:
        """The Digest (raises digests.serial.SerialError when the payload is unreadable)."""
        return digest_from_json(self.payload)


@dataclass(frozen=True)
class NewDigest:
    """A digest to store."""

    unit_id: str
    month: str
    audience: Audience
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Reachable:
    """A person's newest active personal chat on a digest channel."""

    user_id: int
    channel: str
    conversation_id: str


def _stored(row: Any) -> StoredDigest:
    return StoredDigest(
        row.id, row.unit_id, row.month, Audience(row.audience), row.payload, row.created_at
    )


async def scrub_erased(connection: AsyncConnection, person: ErasedPerson) -> int:
    """In the caller's transaction: remove an erased person's quotes, knowledge gaps and
    name from every stored digest (so the pages behind valid links no longer show them) and
    every "Det har vi lært" post, and unlink their pseudonym in the stored month tables.
    Returns how many rows changed."""
    changed = 0
    for digest_id, payload in (
        await connection.execute(select(DigestRow.id, DigestRow.payload))
    ).all():
        scrubbed = scrub_payload(payload, person)
        if scrubbed != payload:
            digest_from_json(scrubbed)  # still a readable digest, or the erasure fails whole
            await connection.execute(
                update(DigestRow).where(DigestRow.id == digest_id).values(payload=scrubbed)
            )
            changed += 1
    tables = DigestMonthTablesRow
    for month, payload in (await connection.execute(select(tables.month, tables.payload))).all():
        scrubbed = scrub_tables(payload, person)
        if scrubbed != payload:
            await connection.execute(
                update(tables).where(tables.month == month).values(payload=scrubbed)
            )
            changed += 1
    changed += await rewrite_payloads(connection, lambda payload: scrub_payload(payload, person))
    if changed:
        logger.info("erasure: %d stored digest(s), month table(s) or post(s) rewritten", changed)
    return changed


async def scrub_withdrawn_quotes(connection: AsyncConnection, texts: Sequence[str]) -> None:
    """In the caller's transaction: texts whose author withdrew consent leave stored digests."""
    await scrub_erased(connection, ErasedPerson.of((), tuple(texts), None))


class DigestStore:
    """Typed access to the digest tables; each method is one transaction."""

    def __init__(self, database: Database, channels: Channels | None = None) -> None:
        self._database = database
        self._insert = postgresql.insert if database.is_postgresql else sqlite.insert
        # The digest card goes to personal chats on channels Kompas may write first.
        described = channels if channels is not None else built_in_channels()
        self._digest_channels = described.proactive()

    # -- digests ----------------------------------------------------------------------------

    async def save(self, digests: Sequence[NewDigest]) -> dict[tuple[str, str, Audience], str]:
        """Store digests not stored yet; returns the id of every one (new or earlier).

        A digest already stored for (unit, month, audience) is kept as it was, so a
        repeated job changes nothing a leader has seen.
        """
        if not digests:
            return {}
        now = utc_now()
        rows = [
            {
                "id": new_digest_id(),
                "unit_id": d.unit_id,
                "month": d.month,
                "audience": d.audience.value,
                "payload": dict(d.payload),
                "created_at": now,
            }
            for d in digests
        ]
        statement = self._insert(DigestRow).on_conflict_do_nothing(
            index_elements=[DigestRow.unit_id, DigestRow.month, DigestRow.audience]
        )
        keys = {(d.unit_id, d.month, d.audience.value) for d in digests}
        async with self._database.transaction() as connection:
            await connection.execute(statement, rows)
            found = (
                await connection.execute(
                    select(
                        DigestRow.id, DigestRow.unit_id, DigestRow.month, DigestRow.audience
                    ).where(DigestRow.month.in_(sorted({d.month for d in digests})))
                )
            ).all()
        return {
            (unit, month, Audience(audience)): digest_id
            for digest_id, unit, month, audience in found
            if (unit, month, audience) in keys
        }

    async def get(self, digest_id: str) -> StoredDigest | None:
        """A stored digest by id, or None."""
        async with self._database.transaction() as connection:
            row = (
                await connection.execute(select(DigestRow).where(DigestRow.id == digest_id))
            ).one_or_none()
        return None if row is None else _stored(row)

    async def find(self, unit_id: str, month: str, audience: Audience) -> StoredDigest | None:
        """The stored digest of a unit, month and audience, or None."""
        async with self._database.transaction() as connection:
            row = (
                await connection.execute(
                    select(DigestRow).where(
                        DigestRow.unit_id == unit_id,
                        DigestRow.month == month,
                        DigestRow.audience == audience.value,
                    )
                )
            ).one_or_none()
        return None if row is None else _stored(row)

    async def revoke(self, digest_id: str) -> str | None:
        """Revoke every link to a digest: it moves to a new id; returns that id, or None.

        Links carry the digest id, so links made before stop working (the old id is kept
        as revoked); a leader who asks for the digest again gets a link to the new id.
        """
        new_id = new_digest_id()
        async with self._database.transaction() as connection:
            moved = await connection.execute(
                update(DigestRow).where(DigestRow.id == digest_id).values(id=new_id)
            )
            if moved.rowcount != 1:
                return None
            await connection.execute(
                self._insert(DigestRevocationRow)
                .values(digest_id=digest_id, revoked_at=utc_now())
                .on_conflict_do_nothing(index_elements=[DigestRevocationRow.digest_id])
            )
        logger.info("digest links revoked (the digest has a new id)")
        return new_id

    async def revoked(self, digest_id: str) -> bool:
        """True when the links to `digest_id` were revoked."""
        async with self._database.transaction() as connection:
            found = await connection.execute(
                select(DigestRevocationRow.digest_id).where(
                    DigestRevocationRow.digest_id == digest_id
                )
            )
            return found.first() is not None

    async def latest_month(self) -> str | None:
        """The newest month any digest was stored for, or None."""
        async with self._database.transaction() as connection:
            found = (await connection.execute(select(func.max(DigestRow.month)))).scalar()
        return None if found is None else str(found)

    async def months(self) -> list[str]:
        """Every month with stored digests, oldest first."""
        async with self._database.transaction() as connection:
            found = (
                await connection.execute(
                    select(DigestRow.month).distinct().order_by(DigestRow.month)
                )
            ).scalars()
            return [str(month) for month in found]

    # -- month tables -----------------------------------------------------------------------

    async def save_tables(self, tables: Mapping[str, Mapping[str, Any]]) -> int:
        """Store month tables not stored yet (a month's tables never change); returns how many."""
        if not tables:
            return 0
        now = utc_now()
        statement = (
            self._insert(DigestMonthTablesRow)
            .on_conflict_do_nothing(index_elements=[DigestMonthTablesRow.month])
            .returning(DigestMonthTablesRow.month)
        )
        rows = [
            {"month": month, "payload": dict(payload), "created_at": now}
            for month, payload in tables.items()
        ]
        async with self._database.transaction() as connection:
            return len((await connection.execute(statement, rows)).all())

    async def tables(self, months: Collection[str]) -> dict[str, Mapping[str, Any]]:
        """Stored month tables of `months` (months without any are left out)."""
        if not months:
            return {}
        async with self._database.transaction() as connection:
            rows = (
                await connection.execute(
                    select(DigestMonthTablesRow.month, DigestMonthTablesRow.payload).where(
                        DigestMonthTablesRow.month.in_(sorted(months))
                    )
                )
            ).all()
        return {month: payload for month, payload in rows}

    async def text_layouts(self, months: Collection[str]) -> dict[str, Mapping[str, Any]]:
        """Of the stored month tables of `months`, only their version and text layout (read
        in the database, without the rest of the tables)."""
        if not months:
            return {}
        payload = DigestMonthTablesRow.payload
        query = select(
            DigestMonthTablesRow.month, payload["version"], payload["text_layout"]
        ).where(DigestMonthTablesRow.month.in_(sorted(months)))
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).all()
        return {
            month: {"version": version, "text_layout": layout} for month, version, layout in rows
        }

    # -- the link key -----------------------------------------------------------------------

    async def link_key(self) -> str:
        """The generated link-signing key, created on first use (all processes share it)."""
        statement = (
            self._insert(DigestLinkKeyRow)
            .values(id=LINK_KEY_ID, secret=secrets.token_urlsafe(48), created_at=utc_now())
            .on_conflict_do_nothing(index_elements=[DigestLinkKeyRow.id])
        )
        async with self._database.transaction() as connection:
            await connection.execute(statement)
            secret = (
                await connection.execute(
                    select(DigestLinkKeyRow.secret).where(DigestLinkKeyRow.id == LINK_KEY_ID)
                )
            ).scalar_one()
        return str(secret)

    # -- recipients -------------------------------------------------------------------------

    async def reachable(self, user_ids: Collection[int]) -> dict[int, Reachable]:
        """Each user's newest active personal chat on a channel Kompas may write first."""
        if not user_ids:
            return {}
        reference = ConversationReferenceRow
        query = (
            select(reference.user_id, reference.channel, reference.conversation_id)
            .where(
                reference.user_id.in_(sorted(user_ids)),
                reference.conversation_type == "personal",
                reference.active.is_(True),
                reference.channel.in_(self._digest_channels),
            )
            .order_by(reference.updated_at, reference.id)
        )
        found: dict[int, Reachable] = {}
        async with self._database.transaction() as connection:
            for user_id, channel, conversation_id in (await connection.execute(query)).all():
                if user_id is not None:
                    found[user_id] = Reachable(user_id, channel, conversation_id)  # newest wins
        return found
