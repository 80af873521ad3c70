"""Computing digests from the stored answers, reusing stored month tables, and storing them.

A month's protected tables are computed once (insights.index.InsightsIndex) and kept in
digest_month_tables; every later digest of any unit seeds the index with them, so a
figure a leader has seen is never recomputed, and a digest on request only builds the
free-text parts anew. Tables made for an organisation tree that no longer fits (a unit
they name is gone, an answer option is missing) are not reused: the month is recomputed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from digests.digest_store import Audience, DigestStore, NewDigest, Reachable, StoredDigest
from digests.serial import SerialError, digest_to_json, tables_from_json, tables_to_json
from digests.sources import CATEGORY_KEYS, DigestSources, within
from ground.settings import Settings
from insights.aggregate import TREND_MONTHS, DigestBuilder, DigestTexts, previous_months
from insights.anonymity import AnonymityRules
from insights.digest import Digest
from insights.index import PILOT_PREFIX, InsightsIndex, MonthTables
from insights.reach import ReachInput
from organisation.model import OrgTree
from organisation.reached import reached
from organisation.roles import RoleBook
from organisation.tree_store import OrganisationStore
from storage.database import Database

logger = logging.getLogger(__name__)

# strings.yml groups with the titles of the answer options, by insights category.
LABEL_GROUPS = {
    "task_types": "experience_task_types",
    "gains": "experience_gains",
    "barriers": "experience_barriers",
}


class LabelTexts(DigestTexts, Protocol):
    """Templates and card labels (ground.texts.Texts fits)."""

    def label(self, group: str, key: str, **values: str) -> str: ...


def option_labels(texts: LabelTexts) -> dict[str, dict[str, str]]:
    """The Danish titles of every answer option, by category (the key when one is missing)."""
    found: dict[str, dict[str, str]] = {}
    for category, keys in CATEGORY_KEYS.items():
        found[category] = {}
        for key in keys:
            try:
                found[category][key] = texts.label(LABEL_GROUPS[category], key)
            except Exception:  # a missing label must not stop a digest
                logger.warning("no label for %s %s; showing the key", category, key)
                found[category][key] = key
    return found


def audience_of(tree: OrgTree, unit_id: str) -> Audience:
    """A top unit's digest is the organisation-wide one; every other is a leader's."""
    return Audience.ORGANISATION if tree.units[unit_id].parent_id is None else Audience.LEADER


def digest_units(tree: OrgTree) -> list[str]:
    """The units that get a digest each month: every leader's top units, and the top units."""
    units = dict.fromkeys(tree.roots)
    for person in tree.leaders():
        units.update(dict.fromkeys(tree.top_led_units(person.id)))
    return [unit for unit in tree.units if unit in units]


def fits(tables: MonthTables, tree: OrgTree, category_keys: Mapping[str, Sequence[str]]) -> bool:
    """True when stored tables name only today's units and every answer option."""
    named = set(tables.layout.order) | set(tables.layout.folded_into)
    named |= set(tables.layout.folded_into.values()) | set(tables.participation.units)
    named |= {u for u in tables.pilots.units if not u.startswith(PILOT_PREFIX)}
    named |= {p.unit_id for p in tables.pilot_records.values()}
    if not named <= tree.units.keys():
        return False
    return all(
        set(keys) <= set(tables.categories[category].spec.columns)
        for category, keys in category_keys.items()
        if category in tables.categories
    )


@dataclass(frozen=True)
class MonthDigests:
    """What computing a month stored: digest ids by unit, and the tree they were made for."""

    month: str
    tree: OrgTree
    ids: Mapping[str, str]  # unit id → digest id
    computed: int  # digests computed now (the rest were stored already)


class DigestService:
    """Computes, stores and finds digests."""

    def __init__(
        self,
        database: Database,
        texts: LabelTexts,
        settings: Settings,
        roles: RoleBook | None = None,
    ) -> None:
        self._texts = texts
        self._database = database
        self.settings = settings
        self._tz = ZoneInfo(settings.timezone)
        self.rules = AnonymityRules(settings.min_group, settings.min_text_group)
        self.roles = roles if roles is not None else RoleBook(OrganisationStore(database))
        self.store = DigestStore(database, self.roles.channels)
        self.organisation = self.roles.organisation
        self.sources = DigestSources(database, self._tz, self.roles)
        self.labels = option_labels(texts)

    async def personal_chats(
        self, tree: OrgTree, person_ids: Collection[str]
    ) -> dict[str, Reachable]:
        """The chat each of these people of the tree gets a proactive message in (their
        monthly digest card, a case escalated to them): Teams first, then the newest."""
        wanted = set(person_ids)
        users_of: dict[str, list[int]] = {}
        for user_id, person in (await self.sources.known_users(tree)).items():
            if person.id in wanted:
                users_of.setdefault(person.id, []).append(user_id)
        reachable = await self.store.reachable([u for ids in users_of.values() for u in ids])
        found = {}
        for person_id, user_ids in users_of.items():
            chats = [reachable[u] for u in user_ids if u in reachable]
            if chats:
                found[person_id] = _preferred(chats)
        return found

    async def _stored_tables(self, tree: OrgTree, months: Sequence[str]) -> dict[str, MonthTables]:
        """Stored tables of `months`, always reused: published figures are never recomputed.

        Tables made for an earlier organisation tree (units since closed, answer options
        since added) are kept as they are; the digest shows what it can of them, and a unit
        that did not exist then has no figures for that month.
        """
        found: dict[str, MonthTables] = {}
        for stored_month, payload in (await self.store.tables(months)).items():
            try:
                tables = tables_from_json(payload)
            except SerialError as error:
                logger.error(
                    "stored tables of %s unreadable (%s); recomputing", stored_month, error
                )
                continue
            if not fits(tables, tree, CATEGORY_KEYS):
                logger.info(
                    "stored tables of %s were made for an earlier organisation tree; "
                    "showing them as published",
                    stored_month,
                )
            found[stored_month] = tables
        return found

    async def _index(
        self,
        tree: OrgTree,
        months: Sequence[str],
        unit_id: str | None = None,
        reach: ReachInput | None = None,
    ) -> InsightsIndex:
        records = await self.sources.records(tree, months)
        if unit_id is not None:
            records = within(records, tree, unit_id)
        return InsightsIndex(
            tree,
            self.rules,
            records.prompts,
            records.answers,
            records.pilots,
            records.gaps,
            category_keys=CATEGORY_KEYS,
            months=months,
            reach=reach,
            cases=records.cases,
        )

    async def builder(
        self, tree: OrgTree, month: str, unit_id: str | None = None
    ) -> tuple[DigestBuilder, set[str]]:
        """A builder for `month`'s digests; also returns the months seeded from storage.

        Records are read only for the months that need computing, and for `month` itself
        (its free texts): a month with stored tables needs nothing else. With `unit_id`
        and every trend month stored, only the records of that unit and the units below it
        are read: the figures all come from the stored tables, and the free-text parts
        (themes, quotes, questions) only ever use the unit's own people, placed by the
        month's stored text layout.
        """
        months = previous_months(month, TREND_MONTHS)
        stored = await self._stored_tables(tree, months)
        narrow = (
            unit_id
            if len(stored) == len(months) and stored[month].text_layout is not None
            else None
        )
        # Reach is taken as it stands when the month's tables are first computed.
        reach = (
            None
            if month in stored
            else ReachInput(month, (await reached(self._database, tree)).kinds(tree))
        )
        index = await self._index(
            tree, [m for m in months if m not in stored or m == month], narrow, reach
        )
        if any(set(index.category_keys[c]) - set(CATEGORY_KEYS[c]) for c in CATEGORY_KEYS):
            logger.warning("answers with unknown options in %s; stored months lack them", month)
        for tables in stored.values():
            index.seed(tables)
        return DigestBuilder(index, self._texts, self.labels), set(stored)

    def _tables_to_keep(
        self, builder: DigestBuilder, month: str, seeded: set[str]
    ) -> dict[str, dict[str, object]]:
        return {
            m: tables_to_json(builder.index.tables(m))
            for m in previous_months(month, TREND_MONTHS)
            if m not in seeded
        }

    async def compute_month(self, month: str, tree: OrgTree | None = None) -> MonthDigests:
        """Compute and store every digest of `month` not stored yet (idempotent).

        Stores the month's tables (and those of the trend months not stored before), so
        later digests of the month, for any unit, show the same figures.
        """
        tree = tree if tree is not None else await self.organisation.load_tree()
        units = digest_units(tree)
        ids: dict[str, str] = {}
        missing = []
        for unit in units:
            found = await self.store.find(unit, month, audience_of(tree, unit))
            if found is None:
                missing.append(unit)
            else:
                ids[unit] = found.id
        if missing:
            builder, seeded = await self.builder(tree, month)
            digests = [
                NewDigest(
                    unit,
                    month,
                    audience_of(tree, unit),
                    digest_to_json(builder.digest(unit, month)),
                )
                for unit in missing
            ]
            stored_tables = await self.store.save_tables(
                self._tables_to_keep(builder, month, seeded)
            )
            saved = await self.store.save(digests)
            ids.update({unit: digest_id for (unit, _, _), digest_id in saved.items()})
            logger.info(
                "digests of %s: %d computed, %d month tables stored",
                month,
                len(digests),
                stored_tables,
            )
        return MonthDigests(month, tree, ids, len(missing))

    async def compute(self, tree: OrgTree, unit_id: str, month: str) -> Digest:
        """One unit's digest for `month`, from stored month tables where there are some."""
        builder, _ = await self.builder(tree, month, unit_id)
        return builder.digest(unit_id, month)

    async def for_unit(self, tree: OrgTree, unit_id: str, month: str) -> StoredDigest:
        """The stored digest of a unit and month; computed and stored now when missing.

        Used when a leader asks for a unit the monthly job did not cover (they became its
        leader after the job ran): the month's stored tables make it consistent with the
        digests already sent.
        """
        audience = audience_of(tree, unit_id)
        found = await self.store.find(unit_id, month, audience)
        if found is not None:
            return found
        builder, seeded = await self.builder(tree, month, unit_id)
        digest = builder.digest(unit_id, month)
        await self.store.save_tables(self._tables_to_keep(builder, month, seeded))
        await self.store.save([NewDigest(unit_id, month, audience, digest_to_json(digest))])
        stored = await self.store.find(unit_id, month, audience)
        assert stored is not None  # just stored (or stored by someone else meanwhile)
        return stored


def _preferred(chats: list[Reachable]) -> Reachable:
    """Teams before the terminal; the newest chat within a channel."""
    teams = [chat for chat in chats if chat.channel == "teams"]
    return (teams or chats)[-1]
