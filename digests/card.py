"""The digest card (Teams, terminal): a few headline figures and the signed link to the page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any, Protocol

from ground.messages import Card, Section
from insights.digest import Digest, Series, Suppressed

CARD_TEMPLATE = "digest_card"
TITLE_TEMPLATE = "digest_card_title"
WITHHELD = "Vises ikke:"  # how insights.anonymity's reasons begin


class CardTexts(Protocol):
    """Templates and labels (ground.texts.Texts fits)."""

    def render(self, template_name: str, /, **context: Any) -> str: ...

    def label(self, group: str, key: str, **values: str) -> str: ...


def month_name(texts: CardTexts, month: str) -> str:
    """ "oktober 2026"."""
    year, number = month.split("-")
    return f"{texts.label('months', str(int(number)))} {year}"


def _top(series: Sequence[Series]) -> str:
    shown = [(s.current, s.label) for s in series if isinstance(s.current, int) and s.current > 0]
    return max(shown)[1] if shown else ""


def _why(value: object) -> str:
    """Why a figure is withheld, without the reason's own "Vises ikke:" (the card says it)."""
    if not isinstance(value, Suppressed):
        return ""
    return value.reason.removeprefix(WITHHELD).strip()


def card_context(
    texts: CardTexts, digest: Digest, url: str, expires: datetime, tz: tzinfo
) -> dict[str, Any]:
    """What the card template shows; only shown figures, never a withheld one.

    The card tells the page's story: "asked" is shown whenever the page shows it, also
    when "answered" is withheld (then the card says why, as the page does).
    """
    current = digest.current
    asked = current.asked if isinstance(current.asked, int) else None
    answered = current.answered if isinstance(current.answered, int) else None
    asked_hidden = _why(current.asked)
    answered_hidden = _why(current.answered)
    pilots = digest.pilots
    pilot_text = ""
    if pilots.active or pilots.finished:
        pilot_text = f"{pilots.active} i gang, {pilots.finished} afsluttet"
    return {
        "month_name": month_name(texts, digest.month),
        "unit": digest.unit.name,
        "scope_note": digest.scope_marker.reason if digest.scope_marker else "",
        "asked": asked or 0,
        "answered": answered,
        "rate": round(100 * answered / asked) if asked and answered is not None else None,
        "participation_hidden": asked_hidden,
        "answered_hidden": answered_hidden,
        "top_task": _top(digest.task_types),
        "top_gain": _top(digest.gains),
        "top_barrier": _top(digest.barriers),
        "pilots": pilot_text,
        "url": url,
        "expires": f"{expires.astimezone(tz):%d.%m.%Y}",
    }


def digest_card(texts: CardTexts, digest: Digest, url: str, expires: datetime, tz: tzinfo) -> Card:
    """The card a leader gets each month and on `digest`."""
    context = card_context(texts, digest, url, expires, tz)
    return Card(
        title=texts.render(TITLE_TEMPLATE, **context),
        sections=(Section(text=texts.render(CARD_TEMPLATE, **context)),),
    )
