"""Ambassadors' suggestions written into the content: drafts, added questions, idempotence."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ground.settings import Contacts
from knowledge.index import KnowledgeBase
from knowledge.suggestions import (
    Outcome,
    Suggestion,
    Written,
    clean_questions,
    slug,
    title,
    write_suggestions,
)
from knowledge.topics import load_topics
from knowledge.validation import check_content, find_drafts

TODAY = date(2026, 11, 22)
FILLED = Contacts(dpo="dpo@kommune.dk", it_security="IT-sikkerhed, tlf. 1234", ambassadors="x")
INTERPRETER = Suggestion(
    id="17",
    questions=(
        "må jeg bruge en ai-app som tolk til en samtale med en borger ??",
        "kan jeg bruge google translate når borgeren ikke taler dansk",
        "Må jeg bruge en AI-app som tolk til en samtale med en borger?",  # a repeat
    ),
    answer=(
        "Nej, ikke til samtaler om borgerens sag. Brug kommunens tolkeaftale.\n\n"
        "Til en kort praktisk besked må du bruge **Copilot** med din arbejdskonto.\n"
    ),
    closest_topic="godkendte-vaerktoejer",
)
DRAFT_TEXT = """---
id: maa-jeg-bruge-en-ai-app-som-tolk-til-en-samtale
title: Må jeg bruge en ai-app som tolk til en samtale med en borger?
status: udkast
suggestion: '17'
spor: 1
owner: Digitalisering
reviewed: 2026-11-22
questions:
  - må jeg bruge en ai-app som tolk til en samtale med en borger ??
  - kan jeg bruge google translate når borgeren ikke taler dansk
keywords: []
---
Nej, ikke til samtaler om borgerens sag. Brug kommunens tolkeaftale.

Til en kort praktisk besked må du bruge **Copilot** med din arbejdskonto.
"""


def topic_files(content: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((content / "kompas").iterdir())}


def test_a_new_answer_becomes_a_draft_in_the_content_format(content_copy: Path) -> None:
    (written,) = write_suggestions(content_copy, [INTERPRETER], TODAY)

    path = content_copy / "kompas" / "maa-jeg-bruge-en-ai-app-som-tolk-til-en-samtale.md"
    assert written == Written("17", Outcome.DRAFT, path, clean_questions(INTERPRETER.questions))
    assert path.read_text(encoding="utf-8") == DRAFT_TEXT


def test_a_draft_is_not_served_but_listed_and_checked_without_failing(
    content_copy: Path,
) -> None:
    served_before = [topic.id for topic in load_topics(content_copy, Contacts())]
    (written,) = write_suggestions(content_copy, [INTERPRETER], TODAY)

    knowledge = KnowledgeBase.load(content_copy, Contacts())
    assert [topic.id for topic in knowledge.topics] == served_before
    for question in INTERPRETER.questions:
        found = knowledge.search(question)
        shown = [m.topic.source_path for m in (found.best, *found.suggestions) if m is not None]
        assert written.path not in shown
    problems = [
        p for p in check_content(content_copy, FILLED, TODAY) if "required topic" not in p.message
    ]
    assert [(p.path, p.severity, p.message) for p in problems] == [
        (written.path, "warning", "draft (not served): 'keywords' must be a non-empty list")
    ]
    (draft,) = find_drafts(content_copy)
    assert (draft.path, draft.questions) == (written.path, 2)


def test_an_approved_draft_is_served(content_copy: Path) -> None:
    (written,) = write_suggestions(content_copy, [INTERPRETER], TODAY)
    assert written.path is not None
    text = written.path.read_text(encoding="utf-8")
    text = text.replace("status: udkast", "status: godkendt")
    written.path.write_text(text.replace("keywords: []", "keywords: [tolk]"), encoding="utf-8")

    knowledge = KnowledgeBase.load(content_copy, Contacts())
    topic = knowledge.topic(written.path.stem)
    assert topic is not None and topic.owner == "Digitalisering"
    assert topic.short_answer.startswith("Nej, ikke til samtaler")
    assert [p for p in check_content(content_copy, FILLED, TODAY) if p.path == written.path] == []


def test_writing_the_same_suggestions_again_changes_nothing(content_copy: Path) -> None:
    referred = Suggestion("18", ("er chatgpt godkendt",), "", "godkendte-vaerktoejer")
    first = write_suggestions(content_copy, [INTERPRETER, referred], TODAY)
    files = topic_files(content_copy)

    again = write_suggestions(content_copy, [INTERPRETER, referred], date(2027, 1, 5))

    assert [w.outcome for w in first] == [Outcome.DRAFT, Outcome.QUESTIONS]
    assert [(w.outcome, w.path) for w in again] == [
        (Outcome.UNCHANGED, first[0].path),
        (Outcome.UNCHANGED, first[1].path),
    ]
    assert topic_files(content_copy) == files


def test_a_draft_edited_or_renamed_by_its_reviewer_is_still_found(content_copy: Path) -> None:
    (written,) = write_suggestions(content_copy, [INTERPRETER], TODAY)
    assert written.path is not None
    renamed = written.path.with_name("tolkning.md")
    text = written.path.read_text(encoding="utf-8").replace(written.path.stem, "tolkning")
    renamed.write_text(text.replace("status: udkast\n", ""), encoding="utf-8")
    written.path.unlink()
    files = topic_files(content_copy)

    (again,) = write_suggestions(content_copy, [INTERPRETER], TODAY)

    assert (again.outcome, again.path) == (Outcome.UNCHANGED, renamed)
    assert topic_files(content_copy) == files


def test_referred_topic_gets_the_new_questions_and_keeps_every_other_byte(
    content_copy: Path,
) -> None:
    path = content_copy / "kompas" / "godkendte-vaerktoejer.md"
    before = path.read_text(encoding="utf-8")
    suggestion = Suggestion(
        id="19",
        questions=(
            "er copilot godkendt",  # listed already as "Er Copilot godkendt?"
            "må jeg bruge gemini på min arbejdscomputer",
            "må jeg bruge gemini på min arbejdscomputer?",
            "Hvad med Perplexity: er den godkendt?",
        ),
        answer="Se emnet om godkendte værktøjer.",
        referred_topic="godkendte-vaerktoejer",
    )

    (written,) = write_suggestions(content_copy, [suggestion], TODAY)

    added = ("må jeg bruge gemini på min arbejdscomputer", "Hvad med Perplexity: er den godkendt?")
    assert written == Written("19", Outcome.QUESTIONS, path, added)
    last = "  - Er Copilot godkendt?\n"
    new_items = "  - må jeg bruge gemini på min arbejdscomputer\n"
    new_items += "  - 'Hvad med Perplexity: er den godkendt?'\n"
    assert path.read_text(encoding="utf-8") == before.replace(last, last + new_items)
    (topic,) = [t for t in load_topics(content_copy, Contacts()) if t.source_path == path]
    assert topic.questions[-2:] == added
    assert not find_drafts(content_copy)


def test_id_collisions_get_a_number(content_copy: Path) -> None:
    (content_copy / "kompas" / "er-ai-farligt.md").write_text(
        "---\nid: er-ai-farligt\nstatus: udkast\n---\nMåske.\n", encoding="utf-8"
    )
    broken = content_copy / "kompas" / "er-ai-farligt-2.md"
    broken.write_text("ikke en emnefil\n", encoding="utf-8")
    same_start = [
        Suggestion(str(number), ("Er AI farligt?", f"variant {number}"), f"Svar {number}.")
        for number in (1, 2, 3)
    ]

    written = write_suggestions(content_copy, same_start, TODAY)

    assert [w.path.name for w in written if w.path] == [
        "er-ai-farligt-3.md",
        "er-ai-farligt-4.md",
        "er-ai-farligt-5.md",
    ]
    assert broken.read_text(encoding="utf-8") == "ikke en emnefil\n"
    for result in written:
        assert result.path is not None
        assert f"\nid: {result.path.stem}\n" in result.path.read_text(encoding="utf-8")
    assert len(find_drafts(content_copy)) == 4


def test_the_same_suggestion_twice_in_one_run_is_written_once(content_copy: Path) -> None:
    first, second = write_suggestions(content_copy, [INTERPRETER, INTERPRETER], TODAY)
    assert (first.outcome, second.outcome) == (Outcome.DRAFT, Outcome.UNCHANGED)
    assert second.path == first.path
    assert len(find_drafts(content_copy)) == 1


@pytest.mark.parametrize(
    ("suggestion", "reason"),
    [
        (Suggestion("20", (), "Svar."), "it has no questions"),
        (Suggestion("20", ("  ", "?"), "Svar."), "it has no questions"),
        (Suggestion("20", ("hvad nu",), "  \n"), "it has no answer text"),
        (Suggestion(" ", ("hvad nu",), "Svar."), "it has no id"),
        (Suggestion("20", ("hvad nu",), "", "findes-ikke"), "topic 'findes-ikke' is gone"),
    ],
)
def test_what_cannot_be_written_is_skipped_with_a_reason(
    content_copy: Path, suggestion: Suggestion, reason: str
) -> None:
    files = topic_files(content_copy)
    (written,) = write_suggestions(content_copy, [suggestion], TODAY)
    assert written.outcome is Outcome.SKIPPED and reason in written.reason
    assert topic_files(content_copy) == files


def test_a_referred_topic_that_cannot_be_read_is_skipped(content_copy: Path) -> None:
    path = content_copy / "kompas" / "persondata.md"
    path.write_text("---\nid: persondata\nquestions: [\n---\nSvar.\n", encoding="utf-8")
    suggestion = Suggestion("21", ("må jeg skrive cpr",), "", "persondata")
    (written,) = write_suggestions(content_copy, [suggestion], TODAY)
    assert written.outcome is Outcome.SKIPPED and "cannot be read" in written.reason


def test_personal_data_in_the_questions_is_removed_once_more(content_copy: Path) -> None:
    suggestion = Suggestion("22", ("må jeg sende 010190-1234 til copilot",), "Nej.")
    (written,) = write_suggestions(content_copy, [suggestion], TODAY)
    assert written.path is not None
    text = written.path.read_text(encoding="utf-8")
    assert "1234" not in text and "0101" not in text
    assert "[CPR-nummer fjernet]" in text


def test_template_code_in_an_answer_is_kept_as_written(content_copy: Path) -> None:
    answer = "Skriv {{ navn }} i skabelonen, ikke borgerens navn.\n\n{% ikke kode %}"
    (written,) = write_suggestions(content_copy, [Suggestion("23", ("skabelon?",), answer)], TODAY)
    assert written.path is not None
    written.path.write_text(
        written.path.read_text(encoding="utf-8")
        .replace("status: udkast\n", "spor: 3\nowner: IT\n")
        .replace("keywords: []", "keywords: [skabelon]"),
        encoding="utf-8",
    )
    (topic,) = [t for t in load_topics(content_copy, Contacts()) if t.source_path == written.path]
    assert topic.short_answer == "Skriv {{ navn }} i skabelonen, ikke borgerens navn."
    assert topic.details == "{% ikke kode %}"


def test_a_missing_topic_folder_is_created(tmp_path: Path) -> None:
    (written,) = write_suggestions(tmp_path, [INTERPRETER], TODAY)
    assert written.outcome is Outcome.DRAFT and written.path is not None
    text = written.path.read_text(encoding="utf-8")
    assert "owner:" not in text and "spor:" not in text  # no closest topic to copy from


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Må jeg bruge ChatGPT?", "maa-jeg-bruge-chatgpt"),
        ("Hvad gør jeg, hvis Copilot har lækket data fra én sag?", None),
        ("Æbler, øl & ål — café", "aebler-oel-aal-cafe"),
        ("??? !!!", "udkast"),
        ("[CPR-nummer fjernet] i prompten", "cpr-nummer-fjernet-i-prompten"),
    ],
)
def test_slugs_are_lower_case_ascii_words(question: str, expected: str | None) -> None:
    made = slug(question)
    assert len(made) <= 50 and made == made.lower() and made.isascii()
    assert "--" not in made and not made.startswith("-") and not made.endswith("-")
    if expected is not None:
        assert made == expected


def test_a_long_question_gives_a_slug_cut_at_a_word() -> None:
    made = slug("hvad gør jeg hvis copilot har lækket data fra en sag om en borger i går")
    assert made == "hvad-goer-jeg-hvis-copilot-har-laekket-data-fra-en"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("  må jeg   bruge ai ?? ", "Må jeg bruge ai?"),
        ("hvad så !!", "Hvad så!"),
        ("x" * 10 + " " + "ord " * 30, "X" * 1 + "x" * 9 + " " + "ord " * 16 + "ord…"),
    ],
)
def test_titles_are_tidied(question: str, expected: str) -> None:
    made = title(question)
    assert made == expected
    assert len(made) <= 80
