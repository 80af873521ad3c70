"""`kompas content suggestions`: suggested answers become drafts `content check` lists."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import content_suggestions
from bot.main import main
from ground.messages import Person
from knowledge.suggestions import Suggestion, write_suggestions
from storage.case_records import OPEN_STATES, CaseState
from storage.case_store import CaseStore
from storage.conversation_store import Store
from storage.database import Database
from tests.bot.test_cli import kompas
from tests.paths import PROJECT_ROOT

INTERPRETER = Suggestion(
    id="41",
    questions=("må jeg bruge en ai-tolk til en borgersamtale", "kan ai tolke for mig"),
    answer="Nej, ikke i samtaler om en sag. Bestil en tolk gennem kommunens tolkeaftale.\n",
    closest_topic="godkendte-vaerktoejer",
)
REFERRED = Suggestion(
    id="42",
    questions=("må man bruge gemini på arbejdet", "Er Copilot godkendt?"),
    answer="",
    referred_topic="godkendte-vaerktoejer",
)
DRAFT_NAME = "maa-jeg-bruge-en-ai-tolk-til-en-borgersamtale.md"


class RecordedSource:
    """The suggestion records the cases store will hand over, given by the test."""

    def __init__(self, records: list[Suggestion]) -> None:
        self.records = records

    async def suggestions(self) -> list[Suggestion]:
        return list(self.records)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the shipped content."""
    target = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


@pytest.fixture
def from_records(monkeypatch: pytest.MonkeyPatch, database_url: str) -> list[Suggestion]:
    """The command runs in-process on a migrated database, reading the records of the list."""
    for name in ("KOMPAS_CONTENT_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    records: list[Suggestion] = []
    monkeypatch.setattr(
        content_suggestions, "suggestion_source", lambda _database: RecordedSource(records)
    )
    return records


def topic_files(content: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((content / "kompas").iterdir())}


def test_the_command_writes_a_draft_and_adds_questions_once(
    content: Path, from_records: list[Suggestion], capsys: pytest.CaptureFixture[str]
) -> None:
    from_records.extend([INTERPRETER, REFERRED])

    assert main(["content", "suggestions", "--out", str(content)]) == 0

    out = capsys.readouterr().out.splitlines()
    draft = content / "kompas" / DRAFT_NAME
    tools = content / "kompas" / "godkendte-vaerktoejer.md"
    assert out == [
        f"draft written: {draft} (suggestion 41, 2 questions)",
        f"questions added: {tools} (suggestion 42)",
        "  + må man bruge gemini på arbejdet",
        f"content suggestions: new drafts 1, topics with new questions 1, unchanged 0, "
        f"skipped 0 ({content})",
        "Next: review the changes (content/README.md, 'Udkast fra ambassadørernes svar'), "
        f"then run `KOMPAS_CONTENT_DIR={content} kompas content check`.",
    ]
    text = draft.read_text(encoding="utf-8")
    assert "status: udkast\nsuggestion: '41'\nspor: 1\n" in text
    assert text.endswith(
        "---\nNej, ikke i samtaler om en sag. Bestil en tolk gennem kommunens tolkeaftale.\n"
    )
    files = topic_files(content)

    assert main(["content", "suggestions", "--out", str(content)]) == 0

    assert capsys.readouterr().out.splitlines()[:2] == [
        f"unchanged: {draft} (suggestion 41, written before)",
        f"unchanged: {tools} (suggestion 42, written before)",
    ]
    assert topic_files(content) == files


def test_a_suggestion_that_cannot_be_written_is_reported(
    content: Path, from_records: list[Suggestion], capsys: pytest.CaptureFixture[str]
) -> None:
    from_records.append(Suggestion("43", ("hvad nu",), "", referred_topic="kantinen"))
    files = topic_files(content)

    assert main(["content", "suggestions", "--out", str(content)]) == 0

    out = capsys.readouterr().out
    assert "skipped: suggestion 43: the referred topic 'kantinen' is gone\n" in out
    assert "skipped 1 (" in out and "Next:" not in out
    assert topic_files(content) == files


async def test_a_case_an_ambassador_suggested_becomes_a_draft_the_index_does_not_serve(
    store: Store,
    database: Database,
    database_url: str,
    content: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cases = CaseStore(database)
    asker = Person("teams", "29:ane", "Ane Berg", "aad-ane")
    question = await store.record_question(asker, "må jeg bruge en ai-tolk hos borgeren", None, 0.1)
    handed = await cases.hand_on(
        question, asker, contact_ok=False, conversation_id=None, topic_ids=("persondata",)
    )
    assert handed is not None
    await cases.transition(
        handed.case_id, CaseState.ANSWERED, allowed_from=OPEN_STATES, answer="Nej, bestil en tolk."
    )
    assert await cases.suggest(handed.case_id, None)
    monkeypatch.setenv("DATABASE_URL", database_url)

    command = ["content", "suggestions", "--out", str(content)]
    assert await asyncio.to_thread(main, command) == 0  # main runs its own event loop
    assert "draft written" in capsys.readouterr().out
    [draft] = [p for p in (content / "kompas").glob("*.md") if "suggestion:" in p.read_text()]
    text = draft.read_text(encoding="utf-8")
    assert "status: udkast" in text and "Nej, bestil en tolk." in text
    assert "må jeg bruge en ai-tolk hos borgeren" in text
    assert await asyncio.to_thread(main, command) == 0  # again: unchanged
    assert "unchanged" in capsys.readouterr().out


async def test_without_the_cases_table_there_are_no_suggestions_and_a_hint(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "gammel.db"
    sqlite3.connect(empty).execute("CREATE TABLE other (id INTEGER)").connection.close()
    old = await Database.connect(f"sqlite:///{empty}")
    try:
        with caplog.at_level(logging.WARNING):
            assert await content_suggestions.suggestion_source(old).suggestions() == []
    finally:
        await old.dispose()
    assert "kompas migrate" in caplog.text


def test_without_a_database_the_command_writes_nothing_and_creates_nothing(
    content: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "ingen" / "kompas.db"
    files = topic_files(content)

    result = kompas(
        "content",
        "suggestions",
        "--out",
        str(content),
        env={"DATABASE_URL": f"sqlite:///{missing}"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "No suggestions to write.\n"
    assert not missing.parent.exists()
    assert topic_files(content) == files


def test_the_command_creates_no_table_in_an_existing_database(
    content: Path, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the table list is read with sqlite3")
    path = database_url.removeprefix("sqlite:///")
    tables = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    before = sqlite3.connect(path).execute(tables).fetchall()

    result = kompas(
        "content", "suggestions", "--out", str(content), env={"DATABASE_URL": database_url}
    )

    assert (result.returncode, result.stdout) == (0, "No suggestions to write.\n"), result.stderr
    assert sqlite3.connect(path).execute(tables).fetchall() == before


def test_a_written_draft_is_listed_by_content_check_and_never_answered(content: Path) -> None:
    (written,) = write_suggestions(content, [INTERPRETER])
    env = {"KOMPAS_CONTENT_DIR": str(content)}

    check = kompas("content", "check", env=env)
    asked = kompas("ask", "--json", *INTERPRETER.questions[:1], env=env)

    assert check.returncode == 0, check.stdout + check.stderr
    assert "Udkast til gennemsyn (1)" in check.stdout
    assert f"  {written.path}: »Må jeg bruge en ai-tolk til en borgersamtale«, 2 spørgsmål" in (
        check.stdout
    )
    assert "warning: draft (not served): 'keywords' must be a non-empty list" in check.stdout
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["topic_id"] != DRAFT_NAME.removesuffix(".md")
