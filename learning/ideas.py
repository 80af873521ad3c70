"""The idea bank: colleagues' consented experiences and finished pilots, a page at a time.

What a page may show comes from the insights rules, never from counting here:
- an experience is shown only when its author agreed to be quoted (named only when they
  chose that), so a withdrawn consent or a deleted person takes it off at once;
- its unit is the author's *text cell* of the month (insights.anonymity rule 5, the same
  placement leaders' digests use for quotes): a shown unit with at least
  KOMPAS_MIN_TEXT_GROUP writers. A month whose digest has not been made shows no unit;
- a finished pilot, its unit and its recommendation figures are taken from the month's
  organisation-wide digest as published, so every figure is one the digest already shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from digests.digest_store import Audience, DigestStore
from digests.serial import SerialError, text_layout_from_json
from digests.sources import match_users, month_of
from insights.aggregate import previous_months
from insights.anonymity import Layout
from insights.digest import Digest, PilotSummary
from knowledge.danish import stem, words
from organisation.model import OrgPerson, OrgTree
from organisation.roles import RoleBook
from storage.idea_store import EXPERIENCE, PILOT, IdeaRef, IdeaStore, SharedIdea

logger = logging.getLogger(__name__)

PAGE_SIZE = 5
MONTHS_SHOWN = 12  # ideas of the newest twelve months
_FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Idea:
    """One idea as a page shows it; every field is already safe to show to everyone."""

    ref: IdeaRef
    text: str
    month: str
    task_type: str | None = None
    gain: str | None = None
    unit: str | None = None  # a unit name, only where its writers reach the text threshold
    author: str | None = None  # only when the author chose to be named
    interest: int = 0  # how many want to try it (orders the page; never shown on it)
    recommend_yes: int | None = None  # a finished pilot: as its digest shows them
    respondents: int | None = None
    created_at: datetime = _FAR_PAST


@dataclass(frozen=True)
class IdeaPage:
    """A page of ideas, newest and most wanted first."""

    ideas: tuple[Idea, ...]
    offset: int
    total: int
    task_type: str | None

    @property
    def more(self) -> bool:
        return self.offset + len(self.ideas) < self.total


def shown_unit(tree: OrgTree, layout: Layout | None, unit_id: str | None) -> str | None:
    """The name an idea of a writer in `unit_id` may carry: their text cell in the month's
    text layout (a shown unit whose writers, and those of its rest, are at least
    KOMPAS_MIN_TEXT_GROUP), or None (no layout yet, or above the top shown unit)."""
    if layout is None or not unit_id:
        return None
    cell = layout.cell_of(unit_id)
    return tree.units[cell].name if cell is not None and cell in tree.units else None


class TaskWords:
    """Recognises a task type in a message by the words content lists for it (stems)."""

    def __init__(self, words_by_type: Mapping[str, str]) -> None:
        self._stems = {
            task_type: frozenset(stem(word.form) for word in words(listed))
            for task_type, listed in words_by_type.items()
        }

    def task_type_of(self, text: str) -> str | None:
        """The first task type a word of `text` names (compounds: "mødereferater")."""
        for word in words(text):
            found = stem(word.form)
            for task_type, stems in self._stems.items():
                if any(found == s or (len(s) >= 4 and found.endswith(s)) for s in stems):
                    return task_type
        return None

    def mentions(self, text: str, task_type: str) -> bool:
        """True when `text` names `task_type`."""
        stems = self._stems.get(task_type, frozenset())
        return any(
            stem(word.form) in stems
            or any(len(s) >= 4 and stem(word.form).endswith(s) for s in stems)
            for word in words(text)
        )


class IdeaBank:
    """Reads the idea bank's pages; built once per process."""

    def __init__(
        self,
        store: IdeaStore,
        digests: DigestStore,
        roles: RoleBook,
        timezone: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self._digests = digests
        self._roles = roles
        self._tz = ZoneInfo(timezone)
        self._clock = clock
        # Published month tables and digests never change their figures: read each once.
        self._layouts: dict[str, Layout | None] = {}
        self._pilots: dict[str, tuple[PilotSummary, ...]] = {}

    async def page(
        self, task_type: str | None, offset: int, words: TaskWords, size: int = PAGE_SIZE
    ) -> IdeaPage:
        """Ideas for `task_type` (None: all), from `offset`."""
        now = self._clock()
        months = previous_months(month_of(now, self._tz), MONTHS_SHOWN)
        since = now - timedelta(days=31 * MONTHS_SHOWN)
        roles = await self._roles.current()
        tree = roles.tree
        # Order everything by its keys, then read only the page's experiences in full.
        keys = await self.store.idea_keys(since, (task_type,) if task_type else ())
        pilots = await self._finished_pilots(tree, months, task_type, words)
        ranked: list[tuple[str, int, datetime, int, Idea | None]] = [
            (key.month or month_of(key.created_at, self._tz), key.interest, key.created_at,
             key.id, None)
            for key in keys
        ]  # fmt: skip
        ranked += [(p.month, p.interest, p.created_at, -p.ref.id, p) for p in pilots]
        ranked.sort(key=lambda entry: entry[:4], reverse=True)
        offset = max(0, min(offset, len(ranked)))
        chosen = ranked[offset : offset + size]
        shared = await self.store.shared_ideas([e[3] for e in chosen if e[4] is None])
        layouts = await self._text_layouts({self._month(idea) for idea in shared.values()})
        unplaced = [idea.author for idea in shared.values() if idea.unit_id is None]
        authors = match_users(roles, unplaced)
        ideas = [
            entry[4]
            if entry[4] is not None
            else self._experience(shared[entry[3]], tree, layouts, authors)
            for entry in chosen
            if entry[4] is not None or entry[3] in shared
        ]
        return IdeaPage(tuple(ideas), offset, len(ranked), task_type)

    def _month(self, idea: SharedIdea) -> str:
        return idea.month or month_of(idea.created_at, self._tz)

    def _experience(
        self,
        idea: SharedIdea,
        tree: OrgTree,
        layouts: Mapping[str, Layout | None],
        authors: Mapping[int, OrgPerson],
    ) -> Idea:
        """The experience as a page shows it: its unit is the author's text cell of the
        month (their unit then, or now where none was kept, as the digest counts them)."""
        month = self._month(idea)
        layout = layouts.get(month)
        person = authors.get(idea.author.id)
        unit_id = idea.unit_id or (person.unit_id if person is not None else None)
        unit = shown_unit(tree, layout, unit_id)
        return Idea(
            ref=IdeaRef(EXPERIENCE, idea.id),
            text=idea.text,
            month=month,
            task_type=idea.task_type,
            gain=idea.gain,
            unit=unit,
            author=idea.author_name,
            interest=idea.interest,
            created_at=idea.created_at,
        )

    async def _text_layouts(self, months: Collection[str]) -> dict[str, Layout | None]:
        """Each month's stored text layout (None: its digest has not been made yet)."""
        missing = [month for month in months if month not in self._layouts]
        if missing:
            for month, payload in (await self._digests.text_layouts(missing)).items():
                try:
                    self._layouts[month] = text_layout_from_json(payload)
                except SerialError as error:
                    logger.error("stored tables of %s unreadable (%s): no units", month, error)
                    self._layouts[month] = None
        return {month: self._layouts.get(month) for month in months}

    async def _finished_pilots(
        self, tree: OrgTree, months: tuple[str, ...], task_type: str | None, words: TaskWords
    ) -> list[Idea]:
        """Finished pilots as the newest organisation-wide digest showing them has them."""
        newest: dict[str, tuple[str, PilotSummary]] = {}
        for month in months:  # oldest first: a later month's figures replace earlier ones
            for summary in await self._digest_pilots(tree, month):
                if summary.status == "finished":
                    newest[summary.pilot_id] = (month, summary)
        chosen = {
            pilot_id: found
            for pilot_id, found in newest.items()
            if pilot_id.isdigit()
            and (task_type is None or words.mentions(found[1].title, task_type))
        }
        interest = await self.store.pilot_interest([int(p) for p in chosen])
        ideas = []
        for pilot_id, (month, summary) in chosen.items():
            yes, respondents = summary.figures.recommend_yes, summary.figures.respondents
            shown = isinstance(yes, int) and isinstance(respondents, int) and respondents > 0
            ideas.append(
                Idea(
                    ref=IdeaRef(PILOT, int(pilot_id)),
                    text=summary.title,
                    month=month,
                    unit=summary.unit.name,
                    interest=interest.get(int(pilot_id), 0),
                    recommend_yes=yes if shown and isinstance(yes, int) else None,
                    respondents=respondents if shown and isinstance(respondents, int) else None,
                )
            )
        return ideas

    async def _digest_pilots(self, tree: OrgTree, month: str) -> tuple[PilotSummary, ...]:
        """The pilots of `month`'s organisation-wide digests (none before they are made)."""
        key = f"{month}:{','.join(tree.roots)}"
        cached = self._pilots.get(key)
        if cached is not None:
            return cached
        found: list[PilotSummary] = []
        complete = True
        for root in tree.roots:
            stored = await self._digests.find(root, month, Audience.ORGANISATION)
            if stored is None:
                complete = False
                continue
            try:
                digest: Digest = stored.digest()
            except SerialError as error:
                logger.error("organisation digest %s unreadable: %s", stored.id, error)
                continue
            found.extend(digest.pilots.pilots)
        if complete:
            self._pilots[key] = tuple(found)
        return tuple(found)
