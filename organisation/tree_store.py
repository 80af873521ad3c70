"""The stored organisation tree (replaced whole by each import) and digest subscriptions."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from ground.clock import utc_now
from organisation.model import OrganisationError, OrgPerson, OrgTree, Role, Unit, UnitKind
from storage.database import Database, NotFoundError
from storage.models_organisation import (
    DigestSubscriptionRow,
    OrgImportRow,
    OrgLeaderRow,
    OrgPersonRow,
    OrgUnitRow,
)

logger = logging.getLogger(__name__)

INSERT_BATCH = 1000
READ_ATTEMPTS = 5


@dataclass(frozen=True)
class ImportSummary:
    """What an import stored, for `kompas org import` to print."""

    organisation: str
    source: str
    units_by_kind: dict[UnitKind, int]
    people: int
    roles: dict[Role, int]
    leaders: int
    new_subscriptions: int
    imported_at: datetime

    @property
    def units(self) -> int:
        return sum(self.units_by_kind.values())


@dataclass(frozen=True)
class ImportInfo:
    """The newest import: where the tree in use came from and when."""

    organisation: str
    source: str
    units: int
    people: int
    imported_at: datetime


@dataclass(frozen=True)
class DigestSubscriber:
    """A leader who receives the monthly digest, with the units they lead."""

    person: OrgPerson
    units: tuple[str, ...]


def _batches(rows: list[dict[str, object]]) -> list[list[dict[str, object]]]:
    return [rows[start : start + INSERT_BATCH] for start in range(0, len(rows), INSERT_BATCH)]


class OrganisationStore:
    """Typed access to the organisation tables; each method is one transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._insert = postgresql.insert if database.is_postgresql else sqlite.insert
        self._cached: tuple[tuple[int, str] | None, OrgTree] | None = None  # (import, tree)

    async def replace_tree(self, tree: OrgTree, source: str = "") -> ImportSummary:
        """Replace the stored tree by `tree` atomically; new leaders get a digest subscription.

        Readers see the old tree or the new one, never a mix. Subscriptions of people who
        are no longer in the organisation are removed; the others keep their on/off flag.
        """
        now = utc_now()
        unit_rows: list[dict[str, object]] = [
            {
                "id": unit.id,
                "name": unit.name,
                "kind": unit.kind.value,
                "parent_id": unit.parent_id,
                "position": position,
            }
            for position, (unit, _) in enumerate(tree.walk())
        ]
        people_rows: list[dict[str, object]] = [
            {
                "id": person.id,
                "name": person.name,
                "unit_id": person.unit_id,
                "email": person.email,
                "aad_object_id": person.directory_id,
                "teams_user_id": person.teams_user_id,
                "roles": sorted(role.value for role in person.roles),
                "focus": list(person.focus) or None,
                "position": position,
            }
            for position, person in enumerate(tree.people.values())
        ]
        leader_rows: list[dict[str, object]] = [
            {"person_id": person.id, "unit_id": unit_id}
            for person in tree.people.values()
            for unit_id in sorted(person.leads)
        ]
        leaders = [person.id for person in tree.leaders()]
        async with self._database.transaction() as connection:
            await connection.execute(delete(OrgLeaderRow))
            await connection.execute(delete(OrgPersonRow))
            await connection.execute(delete(OrgUnitRow))
            # Parents first (tree.walk order) so every parent exists when its child arrives.
            for batch in _batches(unit_rows):
                await connection.execute(insert(OrgUnitRow), batch)
            for batch in _batches(people_rows):
                await connection.execute(insert(OrgPersonRow), batch)
            for batch in _batches(leader_rows):
                await connection.execute(insert(OrgLeaderRow), batch)
            await connection.execute(
                delete(DigestSubscriptionRow).where(
                    DigestSubscriptionRow.person_id.not_in(select(OrgPersonRow.id))
                )
            )
            existing = set(
                (await connection.execute(select(DigestSubscriptionRow.person_id))).scalars()
            )
            new = [person_id for person_id in leaders if person_id not in existing]
            for batch in _batches(
                [{"person_id": person_id, "enabled": True, "updated_at": now} for person_id in new]
            ):
                await connection.execute(insert(DigestSubscriptionRow), batch)
            await connection.execute(
                insert(OrgImportRow).values(
                    organisation=tree.name,
                    source=source,
                    units=len(tree.units),
                    people=len(tree.people),
                    imported_at=now,
                )
            )
        roles: Counter[Role] = Counter(
            role for person in tree.people.values() for role in person.roles
        )
        logger.info(
            "organisation replaced from %s: %d units, %d people",
            source,
            len(tree.units),
            len(tree.people),
        )
        return ImportSummary(
            organisation=tree.name,
            source=source,
            units_by_kind=dict(Counter(unit.kind for unit in tree.units.values())),
            people=len(tree.people),
            roles=dict(roles),
            leaders=len(leaders),
            new_subscriptions=len(new),
            imported_at=now,
        )

    async def load_tree(self) -> OrgTree:
        """The stored tree (an empty tree before the first import).

        Each statement may see a newer commit (SQLite reads outside a transaction, PostgreSQL
        reads committed), so the newest import is read before and after: when an import
        landed in between, the tree is read again. The tree of the newest import is kept, so
        until the next import (by any process) reading it costs one small query.
        """
        for _ in range(READ_ATTEMPTS):
            before = await self._newest_import()
            if self._cached is not None and self._cached[0] == before:
                return self._cached[1]
            try:
                tree = await self._read_tree()
            except OrganisationError:  # rows of two imports: read again
                continue
            if await self._newest_import() == before:
                self._cached = (before, tree)
                return tree
            logger.debug("an import landed while reading the tree; reading again")
        return await self._read_tree()

    async def _newest_import(self) -> tuple[int, str] | None:
        async with self._database.transaction() as connection:
            row = (
                await connection.execute(
                    select(OrgImportRow.id, OrgImportRow.organisation)
                    .order_by(OrgImportRow.id.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else (row[0], row[1])

    async def _read_tree(self) -> OrgTree:
        async with self._database.transaction() as connection:
            name = (
                await connection.execute(
                    select(OrgImportRow.organisation).order_by(OrgImportRow.id.desc()).limit(1)
                )
            ).scalar_one_or_none()
            unit_rows = (
                (await connection.execute(select(OrgUnitRow).order_by(OrgUnitRow.position)))
                .mappings()
                .all()
            )
            people_rows = (
                (await connection.execute(select(OrgPersonRow).order_by(OrgPersonRow.position)))
                .mappings()
                .all()
            )
            leader_rows = (await connection.execute(select(OrgLeaderRow))).mappings().all()
        leads: dict[str, set[str]] = {}
        for row in leader_rows:
            leads.setdefault(row["person_id"], set()).add(row["unit_id"])
        units = [
            Unit(row["id"], row["name"], UnitKind(row["kind"]), row["parent_id"])
            for row in unit_rows
        ]
        people = [
            OrgPerson(
                id=row["id"],
                name=row["name"],
                unit_id=row["unit_id"],
                email=row["email"],
                directory_id=row["aad_object_id"],
                teams_user_id=row["teams_user_id"],
                roles=frozenset(Role(value) for value in row["roles"]),
                leads=frozenset(leads.get(row["id"], ())),
                focus=tuple(str(word) for word in row["focus"] or ()),
            )
            for row in people_rows
        ]
        return OrgTree.build(units, people, name=name or "")

    async def last_import(self) -> ImportInfo | None:
        """The newest import, None before the first."""
        async with self._database.transaction() as connection:
            row = (
                (
                    await connection.execute(
                        select(OrgImportRow).order_by(OrgImportRow.id.desc()).limit(1)
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return ImportInfo(
            row["organisation"], row["source"], row["units"], row["people"], row["imported_at"]
        )

    async def set_digest_subscription(self, person_id: str, enabled: bool) -> None:
        """Switch a leader's monthly digest on or off; NotFoundError for someone not a leader."""
        async with self._database.transaction() as connection:
            is_leader = (
                await connection.execute(
                    select(OrgLeaderRow.person_id)
                    .where(OrgLeaderRow.person_id == person_id)
                    .limit(1)
                )
            ).first()
            if is_leader is None:
                raise NotFoundError(f"{person_id!r} is not a leader in the organisation")
            statement = self._insert(DigestSubscriptionRow).values(
                person_id=person_id, enabled=enabled, updated_at=utc_now()
            )
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[DigestSubscriptionRow.person_id],
                    set_={"enabled": enabled, "updated_at": statement.excluded.updated_at},
                )
            )

    async def digest_subscriptions(self) -> dict[str, bool]:
        """Every stored on/off flag by person id."""
        async with self._database.transaction() as connection:
            rows = (
                await connection.execute(
                    select(DigestSubscriptionRow.person_id, DigestSubscriptionRow.enabled)
                )
            ).all()
        return {person_id: bool(enabled) for person_id, enabled in rows}

    async def digest_subscribers(self, tree: OrgTree | None = None) -> list[DigestSubscriber]:
        """Leaders whose digest is on (on unless they switched it off), in tree order."""
        tree = tree if tree is not None else await self.load_tree()
        flags = await self.digest_subscriptions()
        return [
            DigestSubscriber(person, tree.top_led_units(person.id))
            for person in tree.leaders()
            if flags.get(person.id, True)
        ]
