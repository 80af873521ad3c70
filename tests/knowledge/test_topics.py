"""Loading topics: front matter, rendered contacts, short answer and details, broken files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ground.settings import Contacts
from knowledge.topics import EMPTY_CONTACT, ContentError, load_topics
from tests.knowledge.conftest import FIXTURE_CONTENT


def test_fixture_topics_load_sorted_with_their_fields() -> None:
    topics = load_topics(FIXTURE_CONTENT, Contacts())
    assert [t.id for t in topics] == [
        "billeder-og-ophavsret",
        "godkendte-vaerktoejer",
        "kvalitetssikring",
        "persondata",
        "sikkerhedshaendelse",
    ]
    persondata = topics[3]
    assert persondata.spor == 1
    assert persondata.reviewed == date(2026, 6, 1)
    assert persondata.questions[0] == "Må jeg skrive et CPR-nummer i en chatbot?"
    assert "cpr" in persondata.keywords
    assert persondata.short_answer.startswith("Nej. Skriv aldrig CPR-numre")
    assert "\n\n" not in persondata.short_answer
    assert persondata.details.startswith("Fjern alt")
    assert persondata.source_path == FIXTURE_CONTENT / "kompas" / "persondata.md"


def test_contacts_are_rendered_and_empty_ones_get_a_neutral_notice() -> None:
    empty = {t.id: t for t in load_topics(FIXTURE_CONTENT, Contacts())}
    assert EMPTY_CONTACT in empty["persondata"].details
    assert "{{" not in empty["persondata"].details
    filled = {
        t.id: t
        for t in load_topics(FIXTURE_CONTENT, Contacts(dpo="dpo@kommune.dk", it_security="1234"))
    }
    assert "(dpo@kommune.dk)" in filled["persondata"].details
    assert "(1234)" in filled["sikkerhedshaendelse"].short_answer


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GOOD_META = """---
id: emne
title: Et emne
spor: 2
owner: Digitalisering
reviewed: 2026-01-01
questions: [Et spørgsmål?]
keywords: [ord]
---
"""


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "kompas" / "emne.md", GOOD_META.replace("spor: 2", "spor: [2"))
    with pytest.raises(ContentError) as caught:
        load_topics(tmp_path, Contacts())
    assert caught.value.path == path
    assert caught.value.line in (5, 6)  # where YAML noticed the unclosed list
    assert str(path) in str(caught.value)


def test_undefined_template_variable_names_its_line(tmp_path: Path) -> None:
    write(tmp_path / "kompas" / "emne.md", GOOD_META + "Svar.\n\nRing til {{ kontakt.telefon }}.\n")
    with pytest.raises(ContentError) as caught:
        load_topics(tmp_path, Contacts())
    assert caught.value.line == 12
    assert "telefon" in caught.value.message


def test_missing_front_matter_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "kompas" / "emne.md", "Bare tekst.\n")
    with pytest.raises(ContentError) as caught:
        load_topics(tmp_path, Contacts())
    assert caught.value.line == 1


def test_id_must_match_file_name(tmp_path: Path) -> None:
    write(tmp_path / "kompas" / "andet.md", GOOD_META + "Svar.\n")
    with pytest.raises(ContentError, match="must equal the file name") as caught:
        load_topics(tmp_path, Contacts())
    assert caught.value.line == 2


def test_a_draft_is_skipped_even_when_it_is_half_written(tmp_path: Path) -> None:
    write(tmp_path / "kompas" / "emne.md", GOOD_META + "Svar.\n")
    write(tmp_path / "kompas" / "kladde.md", "---\nid: kladde\nstatus: udkast\nkeywords: []\n---\n")
    assert [t.id for t in load_topics(tmp_path, Contacts())] == ["emne"]


@pytest.mark.parametrize("status", ["godkendt", "Godkendt "])
def test_an_approved_status_is_served(tmp_path: Path, status: str) -> None:
    approved = GOOD_META.replace("spor: 2\n", f"spor: 2\nstatus: {status}\n")
    write(tmp_path / "kompas" / "emne.md", approved + "Svar.\n")
    assert [t.id for t in load_topics(tmp_path, Contacts())] == ["emne"]


@pytest.mark.parametrize("status", ["udkats", "", "[udkast]", "ja"])
def test_an_unknown_status_is_an_error_at_its_line(tmp_path: Path, status: str) -> None:
    path = write(
        tmp_path / "kompas" / "emne.md",
        GOOD_META.replace("spor: 2\n", f"spor: 2\nstatus: {status}\n") + "Svar.\n",
    )
    with pytest.raises(ContentError, match="'status' must be 'godkendt'") as caught:
        load_topics(tmp_path, Contacts())
    assert (caught.value.path, caught.value.line) == (path, 5)
