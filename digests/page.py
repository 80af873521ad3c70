"""The full digest page: a Digest turned into one self-contained HTML page with SVG charts.

The page needs nothing from outside (no scripts, fonts or images from elsewhere), so it
works offline, in a PDF and behind a strict Content-Security-Policy. It reads only the
Digest, whose figures are already safe; a withheld figure is shown as a short Danish note
(content/templates/web/digest_labels.html.j2) with the full reason alongside.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol

import jinja2
from markupsafe import Markup

from digests.charts import Chart, bar_chart, participation_chart, trend_chart
from insights.digest import (
    Count,
    Digest,
    Participation,
    PilotFigures,
    Series,
    Suppressed,
)

logger = logging.getLogger(__name__)

PAGE_TEMPLATE = "web/digest_page.html.j2"
ERROR_TEMPLATE = "web/digest_error.html.j2"
LABELS_TEMPLATE = "web/digest_labels.html.j2"
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)")


class MonthNames(Protocol):
    """Danish month names (ground.texts.Texts fits: label("months", "11") → november)."""

    def label(self, group: str, key: str, **values: str) -> str: ...


def markdown_light(text: str) -> Markup:
    """**bold** and *italic* of the content templates as HTML; everything else escaped."""
    escaped = html.escape(text, quote=False)
    return Markup(_ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", escaped)))


def number(value: int) -> str:
    """A whole number the Danish way: 10.000."""
    return f"{value:,}".replace(",", ".")


def decimal(value: float) -> str:
    """One decimal the Danish way: 3,7."""
    return f"{value:.1f}".replace(".", ",")


class DigestPages:
    """Renders digest pages and the short error pages from content/templates/web/."""

    def __init__(self, templates_dir: Path, months: MonthNames) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._months = months
        self.labels: Mapping[str, Any] = self._env.get_template(LABELS_TEMPLATE).module.labels  # type: ignore[attr-defined]

    # -- small formatting helpers -----------------------------------------------------------

    def month_name(self, month: str, short: bool = False) -> str:
        """ "oktober 2026", or "okt." for chart axes."""
        year, number_text = month.split("-")
        name = self._months.label("months", str(int(number_text)))
        if short:
            return name[:3]
        return f"{name} {year}"

    def figure(self, value: Count | float | None) -> dict[str, Any]:
        """A number to show, or the short note and reason of a withheld one."""
        if isinstance(value, Suppressed):
            note = self.labels["suppressed"].get(value.kind.value, value.kind.value)
            return {"hidden": True, "note": note, "reason": value.reason}
        if value is None:
            return {"hidden": True, "note": self.labels["suppressed"]["no_data"], "reason": ""}
        if isinstance(value, float):
            return {"hidden": False, "text": decimal(value), "value": value}
        return {"hidden": False, "text": number(value), "value": value}

    def change(self, series: Series) -> dict[str, Any]:
        """The change since last month: +3, −2, ±0, or withheld."""
        change = series.change
        if isinstance(change, Suppressed):
            return self.figure(change)
        text = "±0" if change == 0 else (f"+{change}" if change > 0 else f"−{-change}")
        return {"hidden": False, "text": text, "value": change}

    # -- sections ---------------------------------------------------------------------------

    def _participation(self, digest: Digest) -> dict[str, Any]:
        rows = []
        for item in digest.participation:
            rows.append(
                {
                    "month": self.month_name(item.month),
                    "asked": self.figure(item.asked),
                    "answered": self.figure(item.answered),
                    "nothing": self.figure(item.nothing_to_share),
                    "shared": self.figure(item.shared),
                    "not_answered": self.figure(item.not_answered),
                    "rate": _rate(item),
                }
            )
        chart = participation_chart(
            [self.month_name(m, short=True) for m in digest.months],
            [p.asked if isinstance(p.asked, int) else None for p in digest.participation],
            [p.answered if isinstance(p.answered, int) else None for p in digest.participation],
            self.labels,
        )
        current = rows[-1] if rows else None
        return {"rows": rows, "current": current, "chart": chart}

    def _series_rows(self, series: Sequence[Series]) -> list[dict[str, Any]]:
        return [
            {
                "key": item.key,
                "label": item.label,
                "current": self.figure(item.current),
                "change": self.change(item),
                "points": [self.figure(value) for _, value in item.points],
            }
            for item in series
        ]

    def _task_types(self, digest: Digest) -> dict[str, Any]:
        shown: list[tuple[str, int]] = []
        for series in digest.task_types:
            current = series.current
            if isinstance(current, int):
                shown.append((series.label, current))
        chart = bar_chart("opgaver", shown, self.labels["task_types_description"])
        return {"rows": self._series_rows(digest.task_types), "chart": chart}

    def _gains(self, digest: Digest) -> dict[str, Any]:
        chart = trend_chart(
            "gevinster",
            [self.month_name(m, short=True) for m in digest.months],
            [
                (s.label, [v if isinstance(v, int) else None for _, v in s.points])
                for s in digest.gains
            ],
            self.labels["gains_description"],
        )
        return {"rows": self._series_rows(digest.gains), "chart": chart}

    def _pilot_figures(self, figures: PilotFigures) -> dict[str, Any]:
        return {
            "respondents": self.figure(figures.respondents),
            "average": self.figure(figures.average_rating),
            "continue": self.figure(figures.continue_),
            "adjust": self.figure(figures.adjust),
            "stop": self.figure(figures.stop),
            "yes": self.figure(figures.recommend_yes),
            "maybe": self.figure(figures.recommend_maybe),
            "no": self.figure(figures.recommend_no),
        }

    def _pilots(self, digest: Digest) -> dict[str, Any]:
        section = digest.pilots
        return {
            "active": section.active,
            "finished": section.finished,
            "total": self._pilot_figures(section.total),
            "pilots": [
                {
                    "title": p.title,
                    "status": self.labels["status"].get(p.status, p.status),
                    "unit": p.unit.name,
                    "figures": self._pilot_figures(p.figures),
                }
                for p in section.pilots
            ],
        }

    def _texts(self, value: tuple[Any, ...] | Suppressed) -> dict[str, Any]:
        if isinstance(value, Suppressed):
            return {"hidden": self.figure(value), "entries": []}
        return {"hidden": None, "entries": list(value)}

    def context(self, digest: Digest, organisation: str) -> dict[str, Any]:
        """Everything the page template shows, already formatted."""
        participation = self._participation(digest)
        return {
            "organisation": organisation,
            "unit": digest.unit,
            "scope": self.labels["kinds"].get(digest.unit.kind, ""),
            "month": self.month_name(digest.month),
            "first_month": self.month_name(digest.months[0]),
            "min_group": digest.min_group,
            "min_text_group": digest.min_text_group,
            "scope_marker": None
            if digest.scope_marker is None
            else self.figure(digest.scope_marker),
            "notes": list(digest.notes),
            "participation": participation,
            "task_types": self._task_types(digest),
            "gains": self._gains(digest),
            "barriers": self._series_rows(digest.barriers),
            "units": [
                {
                    "name": row.unit.name,
                    "asked": self.figure(row.participation.asked),
                    "answered": self.figure(row.participation.answered),
                    "rate": _rate(row.participation),
                    "top_task": _top(row.task_types),
                    "top_barrier": _top(row.barriers),
                }
                for row in digest.units
            ],
            "folded": [
                {"name": f.unit.name, "marker": self.figure(f.marker)} for f in digest.folded
            ],
            "cross_unit": [
                {
                    "category": self.labels["categories"].get(p.category, p.category),
                    "label": p.label,
                    "units": [u.name for u in p.units],
                }
                for p in digest.cross_unit
            ],
            "themes": self._texts(digest.themes),
            "quotes": self._texts(digest.quotes),
            "gaps": self._texts(digest.knowledge_gaps),
            "pilots": self._pilots(digest),
            "reach": self._reach(digest),
            "cases": self._cases(digest),
            "next_steps": [markdown_light(step.text) for step in digest.next_steps],
            "has_answers": any(
                isinstance(p.answered, int) and p.answered > 0 for p in digest.participation
            ),
        }

    def _cases(self, digest: Digest) -> dict[str, Any] | None:
        figures = digest.cases
        if figures is None:
            return None
        return {
            "cases": self.figure(figures.cases),
            "answered": self.figure(figures.answered),
            "referred": self.figure(figures.referred),
            "closed": self.figure(figures.closed),
            "waiting": self.figure(figures.waiting),
            "median": self.figure(figures.median_hours),
        }

    def _reach(self, digest: Digest) -> dict[str, Any] | None:
        if digest.reach is None:
            return None
        return {
            "rows": [
                {
                    "name": row.unit.name,
                    "people": self.figure(row.people),
                    "reachable": self.figure(row.reachable),
                    "share": _share(row.people, row.reachable),
                }
                for row in digest.reach.rows
            ],
            "folded": [
                {"name": f.unit.name, "marker": self.figure(f.marker)} for f in digest.reach.folded
            ],
        }

    # -- pages ------------------------------------------------------------------------------

    def render(
        self,
        digest: Digest,
        *,
        organisation: str = "",
        expires: datetime | None = None,
        now: datetime | None = None,
        tz: tzinfo | None = None,
    ) -> str:
        """The whole page as HTML."""
        context = self.context(digest, organisation)
        context["expires"] = _date(expires, tz) if expires is not None else ""
        context["generated"] = _date(now, tz) if now is not None else ""
        charts: list[Chart | None] = [
            context["participation"]["chart"],
            context["task_types"]["chart"],
            context["gains"]["chart"],
        ]
        context["chart_count"] = sum(1 for chart in charts if chart is not None)
        return self._env.get_template(PAGE_TEMPLATE).render(
            **context, svg=lambda chart: Markup(chart.svg)
        )

    def error(self, problem: str) -> str:
        """A short Danish page for a link that does not open a digest (problem: see template)."""
        return self._env.get_template(ERROR_TEMPLATE).render(problem=problem)


def _rate(item: Participation) -> str | None:
    if isinstance(item.asked, int) and isinstance(item.answered, int) and item.asked > 0:
        return f"{round(100 * item.answered / item.asked)} %"
    return None


def _share(people: Count, reachable: Count) -> str | None:
    """The share Kompas can reach, when both figures behind it are shown."""
    if isinstance(people, int) and isinstance(reachable, int) and people:
        return f"{round(100 * reachable / people)} %"
    return None


def _top(series: Sequence[Series]) -> str | None:
    best = [s for s in series if isinstance(s.current, int) and s.current > 0]
    return max(best, key=lambda s: (s.current, s.label)).label if best else None


def _date(moment: datetime | None, tz: tzinfo | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(tz) if tz is not None else moment
    return f"{local:%d.%m.%Y}"
