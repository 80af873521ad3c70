"""Fit the in-scope decision (knowledge/calibration.py) on the even lines of a question set.

Usage: python bench/calibrate.py [--questions tests/data/qa_dev.jsonl] [--content content]
       [--features coverage,domain,vote,similarity] [--c 10]

For every question the evidence of its best-ranked topic is collected; a logistic regression
(label: the question is in scope) is fitted on even lines only. Feature sets are compared by
cross-validated log loss on those lines (5 folds, repeated 20 times with shuffling). It prints
the raw and the rounded (half units) weights, then picks the answer threshold on even lines:
the one that comes closest to the issue's targets there (the largest smallest margin to
top-1 ≥ 0.90 and out-of-scope precision and recall ≥ 0.85). Last it shows what the rounded
weights and that threshold give on even lines (fitted) and odd lines (held out). Copy them
into knowledge/calibration.py by hand; nothing is written."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score  # noqa: E402

from bench.qa_accuracy import Case, Outcome, figures, read_cases  # noqa: E402
from ground.settings import Contacts  # noqa: E402
from knowledge.calibration import CALIBRATION, Evidence, logistic  # noqa: E402
from knowledge.index import KnowledgeBase  # noqa: E402

TOP1_TARGET = 0.90  # the targets: top-1 accuracy in scope,
OUT_OF_SCOPE_TARGET = 0.85  # out-of-scope precision and recall
Row = tuple[Case, Evidence | None, str | None]  # question, best evidence, best topic id


def collect(knowledge: KnowledgeBase, cases: Sequence[Case]) -> list[Row]:
    rows: list[Row] = []
    for case in cases:
        found = knowledge.evidence(case.question)
        best = found[0] if found else None
        rows.append((case, best, knowledge.topics[best.index].id if best else None))
    return rows


def outcomes(
    rows: Sequence[Row], weights: dict[str, float], bias: float, threshold: float
) -> list[Outcome]:
    result: list[Outcome] = []
    for case, best, topic in rows:
        confidence = logistic(best, weights, bias) if best is not None else 0.0
        answered = topic if confidence >= threshold else None
        result.append(Outcome(case, answered, topic, 0.0, confidence))
    return result


def half_units(value: float) -> float:
    return round(value * 2) / 2


def right_outcomes(decided: Sequence[Outcome]) -> float:
    """Share of questions that get the right outcome: in scope answered with the expected
    topic, out of scope declined."""
    return sum(o.predicted == o.case.topic_id for o in decided) / max(len(decided), 1)


def pick_threshold(rows: Sequence[Row], weights: dict[str, float], bias: float) -> float:
    """The answer threshold (0.20–0.90 in steps of 0.05) that comes closest to the issue's
    targets on even lines: the largest smallest margin to top-1 ≥ 0.90 and out-of-scope
    precision and recall ≥ 0.85; ties go to more right outcomes, then closest to 0.5."""
    even = [row for row in rows if row[0].line % 2 == 0]
    candidates = [round(0.20 + 0.05 * step, 2) for step in range(15)]

    def merit(threshold: float) -> tuple[float, float, float]:
        decided = outcomes(even, weights, bias, threshold)
        found = figures(decided)
        margin = min(
            found.top1 - TOP1_TARGET,
            found.oos_precision - OUT_OF_SCOPE_TARGET,
            found.oos_recall - OUT_OF_SCOPE_TARGET,
        )
        return round(margin, 6), right_outcomes(decided), -abs(threshold - 0.5)

    return max(candidates, key=merit)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--questions", type=Path, default=ROOT / "tests/data/qa_dev.jsonl")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--features", default=",".join(CALIBRATION))
    parser.add_argument("--c", type=float, default=10.0, help="inverse regularisation strength")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.features.split(",") if name.strip()]

    knowledge = KnowledgeBase.load(args.content, Contacts())
    rows = collect(knowledge, read_cases(args.questions))
    fitted = [(case, best) for case, best, _ in rows if best is not None and case.line % 2 == 0]
    x = [[float(getattr(best, name)) for name in names] for _, best in fitted]
    y = [case.topic_id is not None for case, _ in fitted]
    model = LogisticRegression(C=args.c, max_iter=10_000)
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=20, random_state=0)
    log_loss = -cross_val_score(model, x, y, cv=folds, scoring="neg_log_loss").mean()
    model.fit(x, y)
    raw = dict(zip(names, (float(w) for w in model.coef_[0]), strict=True))
    bias = float(model.intercept_[0])
    rounded = {name: half_units(w) for name, w in raw.items()}
    print(f"features: {', '.join(names)}; C={args.c}; cross-validated log loss {log_loss:.3f}")
    print("raw:     " + "  ".join(f"{n}={w:.2f}" for n, w in raw.items()) + f"  bias={bias:.2f}")
    print(
        "rounded: "
        + "  ".join(f"{n}={w:.1f}" for n, w in rounded.items())
        + f"  bias={half_units(bias):.1f}"
    )
    threshold = pick_threshold(rows, rounded, half_units(bias))
    print(f"answer threshold (picked on even lines): {threshold:.2f}")
    decided = outcomes(rows, rounded, half_units(bias), threshold)
    for label, keep in (("even", 0), ("odd ", 1)):
        print(f"{label}: {figures([o for o in decided if o.case.line % 2 == keep]).line()}")
    print(f"all : {figures(decided).line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
