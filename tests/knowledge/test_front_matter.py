"""Adding listed questions to a topic file without touching anything else in it."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest

from knowledge.front_matter import (
    FrontMatterEditError,
    add_listed_questions,
    topic_text,
    write_atomically,
)


def test_items_follow_the_last_one_with_its_indentation_and_comments_stay() -> None:
    text = (
        "---\nid: e\nquestions:   # eksempler\n    -   a  # første\n    - >-\n      lang\n"
        "      tekst\n\n# næste felt\nkeywords: [ord]\n---\nSvar\n"
    )
    assert add_listed_questions(text, ["to", "tre: fire"]) == text.replace(
        "      tekst\n", "      tekst\n    -   to\n    -   'tre: fire'\n"
    )


def test_windows_line_endings_and_a_byte_order_mark_are_kept() -> None:
    text = "\ufeff---\r\nid: e\r\nquestions:\r\n- a\r\nkeywords: [ord]\r\n---\r\nSvar\r\n"
    assert add_listed_questions(text, ["b"]) == text.replace("- a\r\n", "- a\r\n- b\r\n")


def test_a_flow_list_becomes_a_block_list_and_nothing_else_changes() -> None:
    text = "---\nid: e\nquestions: [Et?, to]  # kort\nkeywords: [ord]\n---\nSvar\n"
    expected = "---\nid: e\nquestions:\n  - Et?\n  - to\n  - tre\nkeywords: [ord]\n---\nSvar\n"
    assert add_listed_questions(text, ["tre"]) == expected


def test_a_missing_list_is_added_at_the_end_of_the_front_matter() -> None:
    text = "---\nid: e\nkeywords: [ord]\n---\nSvar\n"
    expected = "---\nid: e\nkeywords: [ord]\nquestions:\n  - ny\n---\nSvar\n"
    assert add_listed_questions(text, ["ny"]) == expected
    assert add_listed_questions(text, []) == text


@pytest.mark.parametrize(
    "text",
    [
        "Svar uden front matter\n",
        "---\nid: e\nquestions:\n  - a\n",
        '---\nid: e\n"questions": [a]\n---\nSvar\n',
        "---\nid: e\nquestions: [a\n---\nSvar\n",
        "---\n- en liste\n---\nSvar\n",
    ],
)
def test_a_layout_it_cannot_edit_safely_is_refused(text: str) -> None:
    with pytest.raises(FrontMatterEditError):
        add_listed_questions(text, ["ny"])


def test_a_new_topic_text_quotes_what_yaml_needs_and_keeps_template_code_raw() -> None:
    meta = {"id": "x", "suggestion": "17", "reviewed": date(2026, 5, 1), "questions": ["a: b"]}
    assert topic_text(meta, "\nSvar {{ navn }}.\n\n") == (
        "---\nid: x\nsuggestion: '17'\nreviewed: 2026-05-01\nquestions:\n  - 'a: b'\n---\n"
        "{% raw %}\nSvar {{ navn }}.\n{% endraw %}\n"
    )


def test_replacing_a_file_keeps_its_permissions_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "emne.md"
    path.write_text("gammel\n", encoding="utf-8")
    path.chmod(0o640)
    write_atomically(path, "ny\r\n")
    assert path.read_bytes() == b"ny\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["emne.md"]
