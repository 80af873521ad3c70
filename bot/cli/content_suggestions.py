"""`kompas content suggestions`: ambassadors' suggested answers into AI-kompas drafts."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ground.settings import Settings
from knowledge.suggestions import Outcome, Suggestion, SuggestionSource, Written, write_suggestions

if TYPE_CHECKING:
    from storage.database import Database

logger = logging.getLogger(__name__)

CASES_TABLE = "cases"  # migration 0013; the command reads it and never creates it


def register(content_commands: Any) -> None:
    """Add `content suggestions` to the `content` command."""
    suggestions = content_commands.add_parser(
        "suggestions",
        help="write the answers ambassadors suggested for the AI-kompas as drafts (status: "
        "udkast) or as listed questions of the topic they referred to",
    )
    suggestions.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="content folder to write into (the one holding kompas/; default: "
        "KOMPAS_CONTENT_DIR or the sample content)",
    )
    suggestions.set_defaults(handler=run_suggestions)


class _CaseSuggestions:
    """knowledge.suggestions.SuggestionSource over the ambassadors' cases (storage.case_store):
    every case an ambassador marked "Foreslå til AI-kompasset"."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def suggestions(self) -> list[Suggestion]:
        from storage.case_store import CaseStore  # sqlalchemy: not for every `kompas` command

        if not await self._database.has_table(CASES_TABLE):
            logger.warning("no %s table: run `kompas migrate` first", CASES_TABLE)
            return []
        return [
            Suggestion(
                id=str(case.case_id),
                questions=case.questions,
                answer=case.answer or "",
                referred_topic=case.referred_topic_id,
                closest_topic=case.closest_topic_id,
            )
            for case in await CaseStore(self._database).suggestions()
        ]


def suggestion_source(database: Database) -> SuggestionSource:
    """Where the suggestions come from: the cases ambassadors proposed."""
    return _CaseSuggestions(database)


async def read_suggestions(settings: Settings) -> list[Suggestion]:
    """The suggestions in the database; none when it does not exist yet (nothing is created)."""
    from storage.database import Database, sqlite_path

    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        return []
    database = await Database.connect(settings.database_url)
    try:
        return await suggestion_source(database).suggestions()
    finally:
        await database.dispose()


def run_suggestions(args: argparse.Namespace, settings: Settings) -> int:
    """Read the suggestions, write them and say what was written (exit 2 without a database)."""
    from storage.database import StorageError

    try:
        suggestions = asyncio.run(read_suggestions(settings))
    except StorageError as error:
        print(f"kompas content suggestions: {error}", file=sys.stderr)
        return 2
    content_dir: Path = args.out or settings.content_dir
    write_and_print(suggestions, content_dir, settings.content_dir, sys.stdout)
    return 0


def write_and_print(
    suggestions: Sequence[Suggestion],
    content_dir: Path,
    served_dir: Path,
    out: TextIO,
    today: date | None = None,
) -> list[Written]:
    """Write `suggestions` into content_dir and print the report; served_dir is the content
    Kompas answers from (KOMPAS_CONTENT_DIR), named in the hint when it is another folder."""
    written = write_suggestions(content_dir, suggestions, today) if suggestions else []
    print_written(written, content_dir, served_dir, out)
    return written


def print_written(
    written: Sequence[Written], content_dir: Path, served_dir: Path, out: TextIO
) -> None:
    """One line per suggestion, the questions added, a summary and what to do next."""
    if not written:
        out.write("No suggestions to write.\n")
        return
    for result in written:
        case = f"suggestion {result.suggestion_id}"
        if result.outcome is Outcome.DRAFT:
            out.write(f"draft written: {result.path} ({case}, {len(result.questions)} questions)\n")
        elif result.outcome is Outcome.QUESTIONS:
            out.write(f"questions added: {result.path} ({case})\n")
            out.writelines(f"  + {question}\n" for question in result.questions)
        elif result.outcome is Outcome.UNCHANGED:
            out.write(f"unchanged: {result.path} ({case}, written before)\n")
        else:
            out.write(f"skipped: {case}: {result.reason}\n")
    counts = Counter(result.outcome for result in written)
    out.write(
        f"content suggestions: new drafts {counts[Outcome.DRAFT]}, "
        f"topics with new questions {counts[Outcome.QUESTIONS]}, "
        f"unchanged {counts[Outcome.UNCHANGED]}, skipped {counts[Outcome.SKIPPED]} "
        f"({content_dir})\n"
    )
    if counts[Outcome.DRAFT] or counts[Outcome.QUESTIONS]:
        check = "kompas content check"
        if content_dir.resolve() != served_dir.resolve():
            check = f"KOMPAS_CONTENT_DIR={content_dir} {check}"
        out.write(
            f"Next: review the changes (content/README.md, 'Udkast fra ambassadørernes svar'), "
            f"then run `{check}`.\n"
        )
