"""Benchmark: the ambassadors' desk: grouping on the held-out questions, and the case list.

Grouping: every held-out question Kompas does not answer is handed on in file order; it
joins the closest open case (cases/grouping.py) or opens one. A group is sensible when all
its questions carry the same label (the same AI-kompas topic, or one and the same errand
for the questions outside the AI-kompas, which are all different errands). Prints

    grouping: questions=N groups=G sensible=S% joined_same_topic=J/K

where J of the K questions that had an earlier question of their own topic joined it.

Case list: a fresh SQLite database with --cases cases (each with an asker), then the newest
page of open cases and their count, as `åbne spørgsmål` and `kompas cases list` ask. Prints

    case_list: cases=N page_ms=P count_ms=C
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from cases.grouping import closest_case
from ground.settings import Contacts, default_content_dir
from knowledge.index_cache import load_knowledge
from storage.case_records import OPEN_STATES
from storage.case_store import CaseStore
from storage.database import Database
from storage.migrate import upgrade
from storage.models import QuestionRow, UserRow
from storage.models_cases import CaseAskerRow, CaseRow

HOLDOUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "qa_holdout.jsonl"
STATES = ("ny", "tildelt", "besvaret", "henvist", "lukket")
REPEATS = 20


def grouping(questions_file: Path) -> str:
    """Hand on the questions Kompas declines, in order; report how sensible the groups are."""
    knowledge = load_knowledge(default_content_dir(), Contacts(), None)
    lines = [json.loads(line) for line in questions_file.read_text(encoding="utf-8").splitlines()]
    declined = [
        (row["question"], row["topic_id"] or f"errand:{number}")
        for number, row in enumerate(lines)
        if knowledge.search(row["question"]).best is None
    ]
    open_questions: list[tuple[int, str]] = []
    labels: defaultdict[int, list[str]] = defaultdict(list)
    joined_same = could_join = 0
    for question, label in declined:
        earlier = {labels[case][0] for case in labels}
        case = closest_case(knowledge, question, open_questions)
        if label in earlier and not label.startswith("errand:"):
            could_join += 1
            joined_same += case is not None and labels[case][0] == label
        if case is None:
            case = len(labels) + 1
        open_questions.append((case, question))
        labels[case].append(label)
    sensible = sum(len(group) for group in labels.values() if len(set(group)) == 1)
    share = 100 * sensible / len(declined) if declined else 100.0
    return (
        f"grouping: questions={len(declined)} groups={len(labels)} sensible={share:.0f}% "
        f"joined_same_topic={joined_same}/{could_join}"
    )


async def case_list(count: int) -> str:
    """Time the newest page of open cases and their count over `count` stored cases."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/cases.db"
        upgrade(url)
        database = await Database.connect(url)
        try:
            await _fill(database, count)
            store = CaseStore(database)
            pages, counts = [], []
            for _ in range(REPEATS):
                started = time.perf_counter()
                await store.page(0, 5, OPEN_STATES)
                pages.append(time.perf_counter() - started)
                started = time.perf_counter()
                await store.count(OPEN_STATES)
                counts.append(time.perf_counter() - started)
        finally:
            await database.dispose()
    return (
        f"case_list: cases={count} page_ms={1000 * statistics.median(pages):.1f} "
        f"count_ms={1000 * statistics.median(counts):.1f}"
    )


async def _fill(database: Database, count: int) -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    async with database.transaction() as connection:
        await connection.execute(
            insert(UserRow),
            [
                {"channel": "cli", "channel_user_id": f"person{n}", "created_at": start}
                for n in range(count)
            ],
        )
        await connection.execute(
            insert(QuestionRow),
            [
                {
                    "user_id": n + 1, "text": f"spørgsmål nummer {n}", "topic_id": None,
                    "score": 0.1, "in_scope": False, "created_at": start,
                }
                for n in range(count)
            ],
        )  # fmt: skip
        await connection.execute(
            insert(CaseRow),
            [
                {
                    "state": STATES[n % len(STATES)], "channel": "cli", "topic_ids": [],
                    "created_at": start + timedelta(minutes=n),
                    "updated_at": start + timedelta(minutes=n),
                }
                for n in range(count)
            ],
        )  # fmt: skip
        await connection.execute(
            insert(CaseAskerRow),
            [
                {
                    "case_id": n + 1, "question_id": n + 1, "user_id": n + 1,
                    "text": f"spørgsmål nummer {n}", "asked_at": start, "channel": "cli",
                }
                for n in range(count)
            ],
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=HOLDOUT, help="JSONL questions")
    parser.add_argument("--cases", type=int, default=10_000, help="cases in the list")
    args = parser.parse_args()
    print(grouping(args.questions))
    print(asyncio.run(case_list(args.cases)))


if __name__ == "__main__":
    main()
