"""The Danish message templates render, and a broken one is reported with its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dialogs.template_samples import SAMPLE_CONTEXTS
from ground.texts import Texts, TextsError
from tests.paths import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "content" / "templates"


def test_every_shipped_template_renders_with_its_sample() -> None:
    texts = Texts(TEMPLATES)

    assert texts.check(SAMPLE_CONTEXTS) == []
    assert set(SAMPLE_CONTEXTS) <= set(texts.template_names())


def test_redaction_notice_names_what_was_removed_in_danish() -> None:
    texts = Texts(TEMPLATES)

    one = texts.render("redaction_notice", removed={"cpr": 1, "phone": 0, "email": 0})
    many = texts.render("redaction_notice", removed={"cpr": 2, "phone": 1, "email": 1})

    assert "Jeg har fjernet et CPR-nummer fra din tekst" in one
    assert "2 CPR-numre, et telefonnummer og en e-mailadresse" in many


def test_a_missing_label_is_a_clear_error() -> None:
    texts = Texts(TEMPLATES)

    with pytest.raises(TextsError, match=r"answer_card\.nope"):
        texts.label("answer_card", "nope")


def test_a_template_with_a_syntax_error_is_reported_with_file_and_line(tmp_path: Path) -> None:
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    (tmp_path / "templates" / "apology.md.j2").write_text("ok\n{{ \n", encoding="utf-8")

    problems = Texts(tmp_path / "templates").check(SAMPLE_CONTEXTS)

    assert [(p.path.name, p.severity) for p in problems] == [("apology.md.j2", "error")]
    assert problems[0].line == 2
