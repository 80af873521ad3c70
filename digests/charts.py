"""Server-side charts for the digest page: matplotlib drawn straight to inline SVG.

No pyplot and no display: each chart is a Figure rendered by the SVG backend into a
string, stripped to its <svg> element, with a viewBox so CSS can scale it to a phone.
Only shown figures (ints) are drawn; a withheld month or option is simply not drawn (the
page says why next to the chart). A chart with nothing to draw is not made at all (None).
"""

from __future__ import annotations

import io
import logging
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib takes a third of a second to import: only when drawing
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

# Colour-blind-safe (Okabe–Ito), dark enough on white for text and thin lines.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
ASKED_COLOUR = "#BFD7EA"
ANSWERED_COLOUR = "#0B5394"
TEXT_COLOUR = "#1F2933"
GRID_COLOUR = "#D9E2EC"
WIDTH_INCHES = 5.0
LABEL_CHARS = 18  # bar labels wrap onto a second line beyond this
_STYLE: Any = {
    "svg.fonttype": "none",  # text stays text: selectable, sharp, small
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.edgecolor": GRID_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "text.color": TEXT_COLOUR,
}
_SVG_START = re.compile(r"<svg\b", re.IGNORECASE)
_SIZE_ATTRIBUTE = re.compile(r'\s(width|height)="[^"]*pt"')


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart and the sentence that describes it to a screen reader."""

    name: str
    svg: str
    description: str


def _figure(height_inches: float) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, height_inches), dpi=72)
    figure.patch.set_alpha(0)
    return figure


def _to_svg(figure: Figure, name: str, description: str) -> Chart:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    style: Any = {**_STYLE, "svg.hashsalt": f"kompas-{name}"}
    with matplotlib.rc_context(style):
        FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    start = _SVG_START.search(text)
    svg = text[start.start() :] if start else text
    head, _, rest = svg.partition(">")
    head = _SIZE_ATTRIBUTE.sub("", head)
    # ids must be unique on a page with several charts: prefix them with the chart's name.
    svg = f'{head} role="img" aria-label="{_attribute(description)}" class="chart">{rest}'
    svg = re.sub(r'id="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{name}-\1"', svg)
    return Chart(name, svg.strip(), description)


def _style() -> Any:
    """matplotlib's settings for Kompas's charts, for a `with` block."""
    import matplotlib

    return matplotlib.rc_context(_STYLE)


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_CHARS)) or label


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _tidy(axes: object) -> None:
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)  # type: ignore[attr-defined]
    axes.tick_params(length=0)  # type: ignore[attr-defined]
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.8)  # type: ignore[attr-defined]
    axes.set_axisbelow(True)  # type: ignore[attr-defined]


def _whole_numbers(axes: object, top: int) -> None:
    step = max(1, math.ceil(top / 5))
    axes.set_yticks(range(0, top + step + 1, step))  # type: ignore[attr-defined]


def participation_chart(
    months: Sequence[str],
    asked: Sequence[int | None],
    answered: Sequence[int | None],
    labels: Mapping[str, str],
) -> Chart | None:
    """Grouped bars per month: asked and answered; None when no month has a figure."""
    if not any(value for value in asked if value):
        return None
    figure = _figure(3.0)
    with _style():
        axes = figure.add_subplot()
        positions = range(len(months))
        width = 0.38
        asked_values = [value or 0 for value in asked]
        answered_values = [value or 0 for value in answered]
        axes.bar(
            [p - width / 2 for p in positions],
            asked_values,
            width,
            color=ASKED_COLOUR,
            label=labels["asked"],
        )
        axes.bar(
            [p + width / 2 for p in positions],
            answered_values,
            width,
            color=ANSWERED_COLOUR,
            label=labels["answered"],
        )
        for position, value in zip(positions, asked, strict=True):
            if value is None:
                axes.text(position, 0, labels["hidden"], ha="center", va="bottom", fontsize=9)
        axes.set_xticks(list(positions), list(months))
        _whole_numbers(axes, max(asked_values))
        axes.legend(frameon=False, loc="upper left", ncols=2, bbox_to_anchor=(0, 1.18))
        _tidy(axes)
        figure.subplots_adjust(left=0.08, right=0.97, top=0.84, bottom=0.12)
    return _to_svg(figure, "deltagelse", labels["participation_description"])


def bar_chart(name: str, options: Sequence[tuple[str, int]], description: str) -> Chart | None:
    """Horizontal bars, largest first; None when every value is 0 (or there is none)."""
    shown = [(label, value) for label, value in options if value > 0]
    if not shown:
        return None
    shown.sort(key=lambda item: (-item[1], item[0]))
    figure = _figure(0.5 + 0.5 * len(shown))
    with _style():
        axes = figure.add_subplot()
        rows = list(range(len(shown)))[::-1]
        values = [value for _, value in shown]
        axes.barh(rows, values, color=PALETTE[0], height=0.6)
        axes.set_yticks(rows, [_wrap(label) for label, _ in shown])
        for row, value in zip(rows, values, strict=True):
            axes.text(value, row, f" {value}", va="center", fontsize=10)
        axes.set_xlim(0, max(values) * 1.15)
        axes.set_xticks([])
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        axes.tick_params(length=0)
        figure.subplots_adjust(left=0.36, right=0.96, top=0.97, bottom=0.06)
    return _to_svg(figure, name, description)


def trend_chart(
    name: str,
    months: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    description: str,
) -> Chart | None:
    """One line per option over the months; withheld months are gaps; None when empty."""
    drawn = [(label, values) for label, values in series if any(v for v in values if v)]
    if not drawn:
        return None
    figure = _figure(3.0)
    with _style():
        axes = figure.add_subplot()
        positions = list(range(len(months)))
        top = 0
        for number, (label, values) in enumerate(drawn):
            points = [math.nan if value is None else value for value in values]
            top = max(top, *(value for value in values if value is not None))
            axes.plot(
                positions,
                points,
                marker="o",
                markersize=4,
                linewidth=2,
                color=PALETTE[number % len(PALETTE)],
                label=label,
            )
        axes.set_xticks(positions, list(months))
        _whole_numbers(axes, top)
        axes.set_ylim(bottom=0)
        axes.legend(
            frameon=False, loc="upper left", ncols=min(3, len(drawn)), bbox_to_anchor=(0, 1.24)
        )
        _tidy(axes)
        figure.subplots_adjust(left=0.08, right=0.96, top=0.8, bottom=0.12)
    return _to_svg(figure, name, description)
