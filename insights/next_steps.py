"""Two or three suggested next steps, derived only from a Digest's already-safe figures."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from insights.digest import Digest, NextStep, Series

logger = logging.getLogger(__name__)

MAX_STEPS = 3
LOW_PARTICIPATION = 0.3  # below this share of answers, suggest a nudge


class StepTexts(Protocol):
    """Renders content templates (ground.texts.Texts fits)."""

    def render(self, template_name: str, /, **context: Any) -> str: ...


def _rising(series: Series) -> bool:
    change = series.change
    return isinstance(change, int) and change > 0


def _candidates(digest: Digest) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) in order of priority; every number comes from the digest."""
    found: list[tuple[str, dict[str, Any]]] = []
    rising: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for row in digest.units:
        for series in row.barriers:
            labels[series.key] = series.label
            if _rising(series):
                rising.setdefault(series.key, []).append(row.unit.name)
    for key, units in sorted(rising.items(), key=lambda item: (-len(item[1]), item[0])):
        if len(units) >= 2:
            found.append(
                ("digest_next_barrier", {"barrier": labels[key], "key": key, "units": units})
            )
    if not any(template == "digest_next_barrier" for template, _ in found):
        for series in digest.barriers:
            if _rising(series):
                found.append(
                    (
                        "digest_next_barrier",
                        {"barrier": series.label, "key": series.key, "units": []},
                    )
                )
                break
    if isinstance(digest.knowledge_gaps, tuple) and digest.knowledge_gaps:
        found.append(("digest_next_gap", {"question": digest.knowledge_gaps[0].question}))
    for pilot in digest.pilots.pilots:
        go, adjust, stop = pilot.figures.continue_, pilot.figures.adjust, pilot.figures.stop
        counted = isinstance(go, int) and isinstance(adjust, int) and isinstance(stop, int)
        if counted and go > adjust + stop:  # type: ignore[operator]
            found.append(("digest_next_pilot", {"pilot": pilot.title, "unit": pilot.unit.name}))
            break
    if isinstance(digest.themes, tuple):
        for theme in digest.themes:
            if theme.across_units:
                found.append(("digest_next_theme", {"terms": list(theme.terms)}))
                break
    current = digest.current
    if isinstance(current.asked, int) and isinstance(current.answered, int) and current.asked:
        share = current.answered / current.asked
        if share < LOW_PARTICIPATION:
            found.append(("digest_next_participation", {"percent": round(share * 100)}))
    found.append(("digest_next_celebrate", {}))
    return found


def suggest_next_steps(digest: Digest, texts: StepTexts) -> tuple[NextStep, ...]:
    """Up to three next steps worded by content/templates/digest_next_*.md.j2."""
    steps: list[NextStep] = []
    used: set[str] = set()
    for template, context in _candidates(digest):
        if template in used:
            continue
        used.add(template)
        steps.append(
            NextStep(template.removeprefix("digest_next_"), texts.render(template, **context))
        )
        if len(steps) == MAX_STEPS:
            break
    return tuple(steps)
