"""Q&A accuracy benchmark: Kompas retrieval against a plain BM25 baseline on a question set.

Usage: python bench/qa_accuracy.py [--questions tests/data/qa_dev.jsonl] [--content content]

Prints top-1 accuracy on in-scope questions, out-of-scope precision and recall (out of scope
is the positive class), p50/p95 latency per question, the same for a plain BM25 baseline
(rank_bm25's BM25Okapi, whitespace tokens, its out-of-scope threshold picked on the same
questions by maximising F1), and the figures on even and odd lines separately (Kompas'
constants were tuned on even lines; odd lines are the held-out check).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402

from ground.settings import Contacts  # noqa: E402
from knowledge.api import Topic  # noqa: E402
from knowledge.index import KnowledgeBase  # noqa: E402


@dataclass(frozen=True)
class Case:
    line: int  # 1-based line in the question file
    question: str
    topic_id: str | None


@dataclass(frozen=True)
class Outcome:
    case: Case
    predicted: str | None  # None: out of scope
    ranked_first: str | None  # best topic before the in-scope decision
    seconds: float
    confidence: float = 0.0  # calibrated score of the topic ranked first
    suggested: tuple[str, ...] = ()  # "Mente du …?" topics shown when declined


@dataclass(frozen=True)
class Figures:
    top1: float
    top1_ranked: float
    oos_precision: float
    oos_recall: float
    in_scope: int
    out_of_scope: int

    def line(self) -> str:
        return (
            f"top1={self.top1:.3f} (ranking alone {self.top1_ranked:.3f}, n={self.in_scope})  "
            f"oos_precision={self.oos_precision:.3f} oos_recall={self.oos_recall:.3f} "
            f"(n={self.out_of_scope})"
        )


def read_cases(path: Path) -> list[Case]:
    cases: list[Case] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text.strip():
            row = json.loads(text)
            cases.append(Case(number, str(row["question"]), row.get("topic_id")))
    return cases


def figures(outcomes: Sequence[Outcome]) -> Figures:
    inside = [o for o in outcomes if o.case.topic_id is not None]
    outside = [o for o in outcomes if o.case.topic_id is None]
    predicted_out = [o for o in outcomes if o.predicted is None]
    true_out = [o for o in predicted_out if o.case.topic_id is None]
    return Figures(
        top1=sum(o.predicted == o.case.topic_id for o in inside) / max(len(inside), 1),
        top1_ranked=sum(o.ranked_first == o.case.topic_id for o in inside) / max(len(inside), 1),
        oos_precision=len(true_out) / len(predicted_out) if predicted_out else 1.0,
        oos_recall=len(true_out) / len(outside) if outside else 1.0,
        in_scope=len(inside),
        out_of_scope=len(outside),
    )


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def run_kompas(knowledge: KnowledgeBase, cases: Sequence[Case]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for case in cases:
        start = time.perf_counter()
        result = knowledge.search(case.question)
        seconds = time.perf_counter() - start
        ranked = knowledge.ranked(case.question)
        outcomes.append(
            Outcome(
                case,
                result.best.topic.id if result.best else None,
                ranked[0].topic.id if ranked else None,
                seconds,
                ranked[0].score if ranked else 0.0,
                tuple(match.topic.id for match in result.suggestions),
            )
        )
    return outcomes


class Baseline:
    """Plain BM25 (rank_bm25 BM25Okapi) over title+questions+keywords+body, lower-case words."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self.ids = [topic.id for topic in topics]
        documents = [
            " ".join(
                [topic.title, *topic.questions, *topic.keywords, topic.short_answer, topic.details]
            )
            for topic in topics
        ]
        self.bm25 = BM25Okapi([document.lower().split() for document in documents])

    def best(self, question: str) -> tuple[str, float, float]:
        start = time.perf_counter()
        scores = self.bm25.get_scores(question.lower().split())
        index = max(range(len(scores)), key=lambda i: scores[i])
        return self.ids[index], float(scores[index]), time.perf_counter() - start


def pick_threshold(scored: Sequence[tuple[Case, str, float]]) -> float:
    """The top-score threshold (out of scope below it) that maximises out-of-scope F1."""
    best_threshold, best_f1 = 0.0, -1.0
    positives = sum(case.topic_id is None for case, _, _ in scored)
    for threshold in sorted({score for _, _, score in scored} | {0.0}):
        flagged = [case for case, _, score in scored if score < threshold]
        hits = sum(case.topic_id is None for case in flagged)
        precision = hits / len(flagged) if flagged else 0.0
        recall = hits / positives if positives else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1:
            best_threshold, best_f1 = threshold, f1
    return best_threshold


def baseline_outcomes(
    scored: Sequence[tuple[Case, str, float, float]], threshold: float
) -> list[Outcome]:
    return [
        Outcome(case, topic if score >= threshold else None, topic, seconds)
        for case, topic, score, seconds in scored
    ]


def split(outcomes: Sequence[Outcome], keep: Callable[[int], bool]) -> list[Outcome]:
    return [o for o in outcomes if keep(o.case.line)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--questions", type=Path, default=ROOT / "tests/data/qa_dev.jsonl")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--errors", action="store_true", help="list every wrong answer")
    args = parser.parse_args(argv)

    cases = read_cases(args.questions)
    start = time.perf_counter()
    knowledge = KnowledgeBase.load(args.content, Contacts())
    build_ms = (time.perf_counter() - start) * 1000
    known = {topic.id for topic in knowledge.topics}
    unknown = sorted({c.topic_id for c in cases if c.topic_id and c.topic_id not in known})
    if unknown:
        print(f"warning: question set names topics the content lacks: {', '.join(unknown)}")

    kompas = run_kompas(knowledge, cases)
    latencies = [o.seconds * 1000 for o in kompas]
    baseline = Baseline(knowledge.topics)
    scored = [(case, *baseline.best(case.question)) for case in cases]
    threshold = pick_threshold([(case, topic, score) for case, topic, score, _ in scored])
    plain = baseline_outcomes(scored, threshold)
    even = [s for s in scored if s[0].line % 2 == 0]
    even_threshold = pick_threshold([(case, topic, score) for case, topic, score, _ in even])
    plain_held_out = baseline_outcomes([s for s in scored if s[0].line % 2 == 1], even_threshold)

    ours, theirs = figures(kompas), figures(plain)
    p50, p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
    base_latencies = [s[3] * 1000 for s in scored]
    print(f"questions: {args.questions} ({len(cases)}), content: {args.content}")
    machine = f"{platform.machine()} {platform.processor()}".strip()
    print(f"machine: {machine}, {os.cpu_count()} cpus, python {platform.python_version()}")
    print(f"index build: {build_ms:.0f} ms for {len(knowledge.topics)} topics")
    print(f"kompas   all : {ours.line()}  p50_ms={p50:.2f} p95_ms={p95:.2f}")
    print(f"kompas   even: {figures(split(kompas, lambda n: n % 2 == 0)).line()}")
    print(f"kompas   odd : {figures(split(kompas, lambda n: n % 2 == 1)).line()}")
    print(
        f"baseline all : {theirs.line()}  p50_ms={percentile(base_latencies, 0.5):.2f} "
        f"p95_ms={percentile(base_latencies, 0.95):.2f} (threshold {threshold:.2f})"
    )
    print(
        f"baseline odd : {figures(plain_held_out).line()} "
        f"(threshold {even_threshold:.2f} picked on even lines)"
    )
    declined = [o for o in kompas if o.case.topic_id is not None and o.predicted is None]
    helped = sum(o.case.topic_id in o.suggested for o in declined)
    print(
        f"kompas in scope but declined: {len(declined)}, "
        f"of which the expected topic is among the 'Mente du …?' suggestions: {helped}"
    )
    if args.errors:
        for outcome in kompas:
            if outcome.predicted != outcome.case.topic_id:
                print(
                    f"  line {outcome.case.line}: expected {outcome.case.topic_id}, got "
                    f"{outcome.predicted} (ranked first: {outcome.ranked_first}, "
                    f"confidence {outcome.confidence:.2f}): "
                    f"{outcome.case.question}"
                )
    print(
        f"qa: top1={ours.top1:.2f} oos_precision={ours.oos_precision:.2f} "
        f"oos_recall={ours.oos_recall:.2f} p95_ms={p95:.1f} baseline_top1={theirs.top1:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
