"""Benchmark: the "Det har vi lært" draft and an idea-bank page for the 10,000-person
organisation of bench/digest.py (SQLite file, the month tables and digests stored first)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.digest import build_dataset
from digests.digest_store import Audience, DigestStore, NewDigest
from digests.serial import digest_from_json, digest_to_json, tables_to_json
from digests.sources import CATEGORY_KEYS
from experiences.prompt_card import month_name
from ground.settings import Settings, default_content_dir
from ground.texts import Texts
from insights.aggregate import DigestBuilder
from insights.anonymity import AnonymityRules
from insights.index import InsightsIndex
from insights.inputs import Consent
from learning.ideas import IdeaBank
from learning.post import draft_payload, post_reply
from learning.service import task_words
from organisation.roles import RoleBook
from organisation.tree_store import OrganisationStore
from storage.database import Database
from storage.idea_store import IdeaStore
from storage.migrate import upgrade
from storage.models import UserRow
from storage.models_experiences import ExperienceRow

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
CONSENTS = {
    Consent.ANONYMOUS: "kun_samlet",
    Consent.QUOTE_ANONYMOUS: "citat_anonymt",
    Consent.QUOTE_NAMED: "citat_med_navn",
}


def _at(month: str) -> datetime:
    return datetime.fromisoformat(f"{month}-10T10:00:00+00:00")


async def run(people: int, months: int, database_url: str) -> None:
    started = time.perf_counter()
    data = build_dataset(people, months)
    texts = Texts(default_content_dir() / "templates")
    index = InsightsIndex(
        data.tree, AnonymityRules(), data.prompts, data.answers, data.pilots, data.gaps,
        category_keys=CATEGORY_KEYS, months=data.months,
    )  # fmt: skip
    builder = DigestBuilder(index, texts)
    root = data.tree.roots[0]
    digests = {m: builder.digest(root, m) for m in data.months}
    print(
        f"generated {len(data.tree.people)} people, {len(data.answers)} experiences over "
        f"{len(data.months)} months and their digests in {time.perf_counter() - started:.1f} s"
    )

    database = await Database.connect(database_url)
    try:
        started = time.perf_counter()
        await OrganisationStore(database).replace_tree(data.tree, source="bench")
        store = DigestStore(database)
        await store.save_tables({m: tables_to_json(index.tables(m)) for m in data.months})
        await store.save(
            [
                NewDigest(root, m, Audience.ORGANISATION, digest_to_json(d))
                for m, d in digests.items()
            ]
        )
        async with database.transaction() as connection:
            users = [
                {"channel": "cli", "channel_user_id": key, "display_name": person.name,
                 "created_at": NOW, "last_seen_at": NOW}
                for key, person in data.tree.people.items()
            ]  # fmt: skip
            rows = await connection.execute(
                insert(UserRow).returning(UserRow.id, UserRow.channel_user_id), users
            )
            ids = {key: user_id for user_id, key in rows.all()}
            experiences = [
                {"user_id": ids[a.person_key], "campaign_id": None,
                 "unit": data.tree.people[a.person_key].unit_id, "used_for": a.text,
                 "task_type": a.task_types[0] if a.task_types else None,
                 "gain": a.gains[0] if a.gains else None, "barriers": list(a.barriers),
                 "hard_text": "", "consent": CONSENTS[a.consent], "created_at": _at(a.month),
                 "updated_at": _at(a.month)}
                for a in data.answers
                if not a.nothing_to_share
            ]  # fmt: skip
            for start in range(0, len(experiences), 5000):
                await connection.execute(insert(ExperienceRow), experiences[start : start + 5000])
        print(f"stored the organisation, tables, digests and experiences in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip

        # The draft: the month's stored organisation digest read back, the post drafted and
        # rendered as the ambassadors' card.
        month = data.months[-1]
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            stored = await store.find(root, month, Audience.ORGANISATION)
            assert stored is not None
            digest = digest_from_json(json.loads(json.dumps(stored.payload)))
            payload = draft_payload(texts, digest, month_name(texts, month), {})
            post_reply(texts, payload)
            timings.append(time.perf_counter() - started)
        draft_seconds = min(timings)
        print(f"draft: {len(payload['items'])} items in {draft_seconds * 1000:.0f} ms "
              f"(runs {', '.join(f'{t * 1000:.0f}' for t in timings)} ms)")  # fmt: skip

        settings = Settings(database_url=database_url)
        roles = RoleBook(OrganisationStore(database))
        started = time.perf_counter()
        await roles.current()  # every turn needs the tree: a process loads it once
        tree_seconds = time.perf_counter() - started
        bank = IdeaBank(IdeaStore(database), store, roles, settings.timezone, lambda: NOW)
        words = task_words(texts)
        page_timings = []
        for task in (None, None, "moedereferater", "moedereferater"):
            started = time.perf_counter()
            page = await bank.page(task, 0, words)
            page_timings.append(time.perf_counter() - started)
        page_seconds = max(page_timings)
        print(
            f"idea bank: {page.total} ideas for mødereferater; first page in "
            f"{', '.join(f'{t * 1000:.0f}' for t in page_timings)} ms (all: the first reads "
            f"the months' text layouts and digests once; all again; by task; again); the "
            f"organisation tree, loaded once per process for every turn: {tree_seconds:.2f} s"
        )
        print(
            f"learning: people={len(data.tree.people)} draft_seconds={draft_seconds:.3f} "
            f"idea_page_seconds={page_seconds:.3f}"
        )
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        asyncio.run(run(args.people, args.months, url))


if __name__ == "__main__":
    main()
