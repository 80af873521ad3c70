"""Benchmark: leaders' digests over a synthetic municipality (8 centres, 24 months by default)."""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digests.card import digest_card
from digests.page import DigestPages
from digests.serial import digest_from_json, digest_to_json, tables_from_json, tables_to_json
from digests.sources import CATEGORY_KEYS, DigestRecords, within
from ground.settings import default_content_dir
from ground.texts import Texts
from insights.aggregate import DigestBuilder, previous_months
from insights.anonymity import AnonymityRules
from insights.index import InsightsIndex
from insights.inputs import (
    AnswerRecord,
    Consent,
    Decision,
    MicroSuccess,
    PilotRecord,
    PilotStatus,
    PromptRecord,
    QuestionGapRecord,
    Recommendation,
)
from organisation.model import OrgPerson, OrgTree, Role, Unit, UnitKind

NOW = datetime(2026, 12, 1, tzinfo=UTC)
TASKS = ("kommunikation", "sagsbehandling", "moedereferater", "oversaettelse", "dataanalyse")
GAINS = ("tid", "kvalitet", "service", "ingen_endnu")
BARRIERS = ("regler", "teknik", "svarkvalitet", "tid", "andet")
SUBJECTS = (
    "mødereferater",
    "breve til borgere",
    "oversættelse af vejledninger",
    "opsummering af lange sager",
    "idéer til aktiviteter",
    "tjeklister til hjemmebesøg",
    "svar på mails",
    "dataanalyse i Excel",
)
TROUBLES = (
    "jeg var i tvivl om persondata",
    "svarene var for lange",
    "det tog tid at lære at skrive gode prompts",
    "Copilot kunne ikke åbne vores dokumenter",
    "kollegerne var skeptiske",
    "det var svært at finde tid til at prøve",
)
QUESTIONS = (
    "Må jeg bruge Copilot til referater fra MED-udvalget?",
    "må jeg bruge copilot til referat af MED møder",
    "Hvor længe gemmer Copilot mine data?",
    "Må borgere få svar skrevet af AI uden at vide det?",
    "Kan jeg bruge ChatGPT på min private telefon til arbejde?",
    "Må jeg lave billeder med AI til en plakat?",
)


@dataclass(frozen=True)
class Dataset:
    """A synthetic organisation with its records."""

    tree: OrgTree
    prompts: list[PromptRecord]
    answers: list[AnswerRecord]
    pilots: list[PilotRecord]
    gaps: list[QuestionGapRecord]
    months: tuple[str, ...]


def build_tree(people: int, rng: random.Random) -> OrgTree:
    """Direktion → 8 centres → units → (sometimes) teams, with a leader in every unit."""
    units = [Unit("dir", "Direktionen", UnitKind.DIRECTORATE)]
    leaves: list[str] = []
    unit_count = max(20, round(people / 83))  # 10,000 people → 120 units in all
    for c in range(8):
        units.append(Unit(f"c{c}", f"Center {c + 1}", UnitKind.CENTRE, "dir"))
    for u in range(unit_count):
        if len(units) >= unit_count:
            break
        centre = f"c{u % 8}"
        units.append(Unit(f"u{u}", f"Enhed {u + 1}", UnitKind.UNIT, centre))
        if u % 3 == 0:
            for t in range(2):
                units.append(Unit(f"u{u}t{t}", f"Team {u + 1}.{t + 1}", UnitKind.TEAM, f"u{u}"))
                leaves.append(f"u{u}t{t}")
        else:
            leaves.append(f"u{u}")
    persons = []
    for unit in units:
        persons.append(
            OrgPerson(
                f"l-{unit.id}",
                f"Leder {unit.name}",
                unit.id,
                roles=frozenset({Role.LEADER}),
                leads=frozenset({unit.id}),
            )
        )
    weights = [rng.lognormvariate(0, 0.8) for _ in leaves]
    for i in range(max(0, people - len(persons))):
        unit_id = rng.choices(leaves, weights)[0]
        persons.append(OrgPerson(f"p{i}", f"Person {i}", unit_id))
    return OrgTree.build(units, persons, name="Benchmark Kommune")


def _text(rng: random.Random) -> str:
    return f"Jeg brugte AI til {rng.choice(SUBJECTS)}, men {rng.choice(TROUBLES)}."


def _answers(tree: OrgTree, month: str, rng: random.Random) -> Iterator[AnswerRecord]:
    for person in tree.people.values():
        if rng.random() > 0.83:
            continue
        if rng.random() < 0.1:
            yield AnswerRecord(person.id, month, nothing_to_share=True)
            continue
        consent = rng.choices(list(Consent), (75, 20, 5))[0]
        yield AnswerRecord(
            person.id,
            month,
            task_types=(rng.choice(TASKS),),
            gains=(rng.choice(GAINS),),
            barriers=tuple(rng.sample(BARRIERS, rng.randint(0, 2))),
            text=_text(rng) if rng.random() < 0.4 else "",
            consent=consent,
            author_name=person.name,
        )


def build_dataset(people: int, months: int, seed: int = 7) -> Dataset:
    """Every person asked every month; ~83 % answer; 60 pilots over the period."""
    rng = random.Random(seed)
    tree = build_tree(people, rng)
    month_list = previous_months("2026-11", months)
    prompts = [PromptRecord(p, m) for m in month_list for p in tree.people]
    answers = [a for m in month_list for a in _answers(tree, m, rng)]
    leaves = [u for u in tree.units if not tree.children(u)]
    pilots = []
    for n in range(60):
        unit_id = rng.choice(leaves)
        members = list(tree.members(unit_id)) or list(tree.people)[:10]
        start = rng.randrange(len(month_list))
        for offset, month in enumerate(month_list[start : start + 3]):
            last = offset == 2 or start + offset == len(month_list) - 1
            who = rng.sample(members, min(len(members), rng.randint(3, 15)))
            pilots.append(
                PilotRecord(
                    f"pilot{n}",
                    month,
                    unit_id,
                    f"AI til {rng.choice(SUBJECTS)}",
                    PilotStatus.FINISHED if last else PilotStatus.ACTIVE,
                    ratings={p: rng.randint(1, 5) for p in who},
                    decisions={p: rng.choice(list(Decision)) for p in who},
                    recommendations={p: rng.choice(list(Recommendation)) for p in who}
                    if last
                    else {},
                    micro_successes=tuple(
                        MicroSuccess(_text(rng), Consent.QUOTE_ANONYMOUS, "", p) for p in who[:2]
                    ),
                )
            )
    gaps = [
        QuestionGapRecord(rng.choice(QUESTIONS), p, m, unanswered=True)
        for m in month_list
        for p in tree.people
        if rng.random() < 0.03
    ]
    return Dataset(tree, prompts, answers, pilots, gaps, month_list)


def _tables_json(index: InsightsIndex, months: tuple[str, ...]) -> dict[str, str]:
    """The month tables as the digest job stores them (JSON text per month)."""
    return {m: json.dumps(tables_to_json(index.tables(m))) for m in months}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    started = time.perf_counter()
    data = build_dataset(args.people, args.months)
    print(
        f"generated {len(data.tree.units)} units, {len(data.tree.people)} people, "
        f"{len(data.answers)} experiences, {len(data.pilots)} pilot-months in "
        f"{time.perf_counter() - started:.1f} s"
    )
    templates = default_content_dir() / "templates"
    texts = Texts(templates)
    pages = DigestPages(templates, texts)
    rules = AnonymityRules()
    month = data.months[-1]
    trend = previous_months(month, 6)

    def index(months: tuple[str, ...] = trend) -> InsightsIndex:
        return InsightsIndex(
            data.tree,
            rules,
            data.prompts,
            data.answers,
            data.pilots,
            data.gaps,
            category_keys=CATEGORY_KEYS,
            months=months,
        )

    # The monthly job: protect the months once, every leader's digest, stored as JSON, and
    # each leader's card (pages are rendered on request, below).
    started = time.perf_counter()
    builder = DigestBuilder(index(), texts)
    indexed = time.perf_counter() - started
    digests = builder.leader_digests(month)
    stored = {key: json.dumps(digest_to_json(d)) for key, d in digests.items()}
    tables = _tables_json(builder.index, trend)
    for (_, unit_id), digest in digests.items():
        digest_card(texts, digest, f"https://kompas.example/digests/{unit_id}", NOW, UTC)
    all_seconds = time.perf_counter() - started
    print(
        f"job: index {indexed:.2f} s; {len(digests)} leader digests for {month}, stored as "
        f"JSON ({sum(map(len, stored.values())) // 1024} KiB) with the month tables "
        f"({sum(map(len, tables.values())) // 1024} KiB) and their cards: {all_seconds:.2f} s"
    )

    # On request: one centre's page computed from the stored month tables (only the
    # month's records of the centre's people are read, for its free texts), then rendered
    # with its charts.
    centre = "c0"
    this_month = DigestRecords(
        tuple(p for p in data.prompts if p.month == month),
        tuple(a for a in data.answers if a.month == month),
        tuple(p for p in data.pilots if p.month == month),
        tuple(g for g in data.gaps if g.month == month),
    )  # what the database query for the month returns
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        mine = within(this_month, data.tree, centre)
        on_request = InsightsIndex(
            data.tree,
            rules,
            mine.prompts,
            mine.answers,
            mine.pilots,
            mine.gaps,
            category_keys=CATEGORY_KEYS,
            months=(month,),
        )
        for text in tables.values():
            on_request.seed(tables_from_json(json.loads(text)))
        digest = DigestBuilder(on_request, texts).digest(centre, month)
        html = pages.render(digest, organisation="Benchmark Kommune", expires=NOW, now=NOW)
        timings.append((time.perf_counter() - started) * 1000)
    one_page_ms = min(timings)
    started = time.perf_counter()
    pages.render(digest_from_json(json.loads(stored[next(iter(stored))])), expires=NOW, now=NOW)
    stored_page_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    for text in stored.values():
        pages.render(digest_from_json(json.loads(text)), expires=NOW, now=NOW)
    every_page = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"one centre page on request: {one_page_ms:.0f} ms computed from the stored month "
        f"tables and rendered (runs {', '.join(f'{t:.0f}' for t in timings)} ms; "
        f"{len(html) // 1024} KiB); from its stored digest: {stored_page_ms:.0f} ms"
    )
    print(f"every leader's page rendered once: {every_page:.1f} s; peak memory {peak_mb:.0f} MB")
    print(
        f"digest: people={len(data.tree.people)} experiences={len(data.answers)} "
        f"all_seconds={all_seconds:.2f} one_page_ms={one_page_ms:.0f}"
    )


if __name__ == "__main__":
    main()
