"""`kompas content check`: every problem names its file and line; contacts give warnings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ground.content import ContentProblem
from ground.settings import Contacts
from knowledge.validation import REQUIRED_TOPIC_IDS, check_content, find_drafts

TODAY = date(2026, 11, 22)
FILLED = Contacts(dpo="dpo@kommune.dk", it_security="IT-sikkerhed, tlf. 1234", ambassadors="x")
FIXTURE_IDS = {
    "billeder-og-ophavsret",
    "godkendte-vaerktoejer",
    "kvalitetssikring",
    "persondata",
    "sikkerhedshaendelse",
}


def errors(problems: list[ContentProblem]) -> list[ContentProblem]:
    return [p for p in problems if p.severity == "error"]


def not_about_missing_topics(problems: list[ContentProblem]) -> list[ContentProblem]:
    return [p for p in problems if "required topic" not in p.message]


def test_fixture_content_lacks_only_the_required_topics_it_does_not_have(
    content_copy: Path,
) -> None:
    problems = check_content(content_copy, FILLED, today=TODAY)
    assert not_about_missing_topics(problems) == []
    missing = {p.path.stem for p in problems if "required topic" in p.message}
    assert missing == set(REQUIRED_TOPIC_IDS) - FIXTURE_IDS
    assert all(p.severity == "error" and p.line == 0 for p in errors(problems))


def test_a_missing_required_topic_is_reported(content_copy: Path) -> None:
    (content_copy / "kompas" / "persondata.md").unlink()
    problems = check_content(content_copy, FILLED, today=TODAY)
    (missing,) = [p for p in problems if p.path.stem == "persondata"]
    assert missing.severity == "error"
    assert "required topic 'persondata' is missing" in missing.message


def test_broken_front_matter_reports_file_and_line(content_copy: Path) -> None:
    path = content_copy / "kompas" / "kvalitetssikring.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[3] == "spor: 1"
    lines[3] = "spor: [1"  # line 4: an unclosed list
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (problem,) = not_about_missing_topics(check_content(content_copy, FILLED, today=TODAY))
    assert problem.path == path
    assert problem.severity == "error"
    assert problem.line == 5  # YAML notices on the next line and names the start
    assert "line 4" in problem.message
    assert str(problem).startswith(f"{path}:5: error: front matter is not valid YAML")


def test_a_file_without_front_matter_is_reported_on_line_one(content_copy: Path) -> None:
    path = content_copy / "kompas" / "noter.md"
    path.write_text("Bare noter.\n", encoding="utf-8")
    (problem,) = not_about_missing_topics(check_content(content_copy, FILLED, today=TODAY))
    assert (problem.path, problem.line) == (path, 1)
    assert "front matter" in problem.message


def test_a_duplicate_id_is_reported_at_its_id_line(content_copy: Path) -> None:
    original = content_copy / "kompas" / "persondata.md"
    copy = content_copy / "kompas" / "persondata-kopi.md"
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    problems = not_about_missing_topics(check_content(content_copy, FILLED, today=TODAY))
    (duplicate,) = [p for p in problems if p.message.startswith("duplicate id 'persondata'")]
    assert duplicate.line == 2 and duplicate.severity == "error"
    assert {duplicate.path, Path(duplicate.message.split("also in ")[1][:-1])} == {copy, original}
    assert any(p.path == copy and "must equal the file name" in p.message for p in problems)


def test_an_undefined_template_variable_is_an_error_with_its_line(content_copy: Path) -> None:
    path = content_copy / "kompas" / "kvalitetssikring.md"
    text = path.read_text(encoding="utf-8") + "\nSpørg {{ kontakt.jurist }} eller {{ ukendt }}.\n"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("Spørg {{ kontakt.jurist }} eller {{ ukendt }}.") + 1
    (problem,) = not_about_missing_topics(check_content(content_copy, FILLED, today=TODAY))
    assert (problem.path, problem.line, problem.severity) == (path, line, "error")
    assert "jurist" in problem.message


def test_wrong_types_and_values_are_errors_at_their_keys(content_copy: Path) -> None:
    path = content_copy / "kompas" / "kvalitetssikring.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("spor: 1", "spor: 7").replace("reviewed: 2026-06-01", "reviewed: snart")
    text = text.replace(
        "keywords: [hallucinationer, faktatjek, kilder, fejl, korrektur]", "keywords:"
    )
    path.write_text(text, encoding="utf-8")
    problems = not_about_missing_topics(check_content(content_copy, FILLED, today=TODAY))
    found = {(p.line, p.message.split(" ")[0]) for p in problems}
    assert found == {(4, "'spor'"), (6, "'reviewed'"), (10, "'keywords'")}
    assert all(p.severity == "error" for p in problems)


def test_a_missing_key_and_an_empty_short_answer_are_errors(content_copy: Path) -> None:
    path = content_copy / "kompas" / "kvalitetssikring.md"
    text = path.read_text(encoding="utf-8").replace("owner: Digitalisering\n", "")
    path.write_text(text.split("---\n")[0] + "---\n" + text.split("---\n")[1] + "---\n\n", "utf-8")
    messages = [p.message for p in not_about_missing_topics(check_content(content_copy, FILLED))]
    assert "front matter lacks 'owner:'" in messages
    assert any("short answer" in message for message in messages)


def test_unfilled_contacts_are_warnings_naming_the_setting_and_the_line(
    content_copy: Path,
) -> None:
    problems = not_about_missing_topics(check_content(content_copy, Contacts(), today=TODAY))
    assert problems and all(p.severity == "warning" for p in problems)
    persondata = content_copy / "kompas" / "persondata.md"
    line = (
        persondata.read_text(encoding="utf-8")
        .splitlines()
        .index("spørg databeskyttelsesrådgiveren ({{ kontakt.dpo }}).")
        + 1
    )
    dpo = [p for p in problems if "KOMPAS_CONTACT_DPO" in p.message]
    assert [(p.path, p.line) for p in dpo] == [(persondata, line)]
    it_security = [p for p in problems if "KOMPAS_CONTACT_IT_SECURITY" in p.message]
    assert {p.path.stem for p in it_security} == {"godkendte-vaerktoejer", "sikkerhedshaendelse"}
    only_dpo_missing = Contacts(it_security="1234", ambassadors="x")
    remaining = not_about_missing_topics(check_content(content_copy, only_dpo_missing, today=TODAY))
    assert [p.message.split(" is used")[0] for p in remaining] == ["{{ kontakt.dpo }}"]


def test_a_topic_not_reviewed_for_a_year_gets_a_warning(content_copy: Path) -> None:
    problems = not_about_missing_topics(check_content(content_copy, FILLED, date(2027, 7, 1)))
    assert len(problems) == len(FIXTURE_IDS)
    assert all(p.severity == "warning" and p.line == 6 for p in problems)
    assert all("more than 12 months ago" in p.message for p in problems)


def test_broken_synonyms_report_their_line(content_copy: Path) -> None:
    synonyms = content_copy / "synonyms.yml"
    synonyms.write_text("groups:\n  - [a, b]\n  - enkelt\n", encoding="utf-8")
    (problem,) = not_about_missing_topics(check_content(content_copy, FILLED, today=TODAY))
    assert (problem.path, problem.line, problem.severity) == (synonyms, 3, "error")
    synonyms.write_text("groups:\n  - [a, b\n  - [c, d]\n", encoding="utf-8")
    (problem,) = not_about_missing_topics(check_content(content_copy, FILLED, today=TODAY))
    assert problem.path == synonyms and problem.line == 3
    synonyms.write_text("grupper:\n  - [a, b]\n", encoding="utf-8")
    (problem,) = not_about_missing_topics(check_content(content_copy, FILLED, today=TODAY))
    assert "groups" in problem.message


def make_draft(content_copy: Path, name: str, front_matter: str, body: str = "Svar.\n") -> Path:
    path = content_copy / "kompas" / f"{name}.md"
    path.write_text(f"---\n{front_matter}---\n{body}", encoding="utf-8")
    return path


def test_a_broken_draft_is_reported_as_warnings_and_fails_nothing(content_copy: Path) -> None:
    path = make_draft(
        content_copy,
        "ny-kladde",
        "id: ny-kladde\ntitle: Ny kladde\nstatus: udkast\nreviewed: 2026-11-01\n"
        "questions: [Hvad så?]\nkeywords: []\n",
        body="Ring til {{ kontakt.jurist }}.\n",
    )
    problems = not_about_missing_topics(check_content(content_copy, FILLED, TODAY))
    assert problems and {p.path for p in problems} == {path}
    assert all(p.severity == "warning" for p in problems)
    assert all(p.message.startswith("draft (not served): ") for p in problems)
    messages = " | ".join(p.message for p in problems)
    for what in ("lacks 'spor:'", "lacks 'owner:'", "'keywords' must be", "jurist"):
        assert what in messages


def test_once_approved_the_same_problems_are_errors(content_copy: Path) -> None:
    make_draft(content_copy, "ny-kladde", "id: ny-kladde\ntitle: Ny\nstatus: godkendt\n")
    problems = not_about_missing_topics(check_content(content_copy, FILLED, TODAY))
    assert problems and all(p.severity == "error" for p in problems)


def test_an_unknown_status_is_an_error(content_copy: Path) -> None:
    path = content_copy / "kompas" / "bias.md"
    text = (content_copy / "kompas" / "persondata.md").read_text(encoding="utf-8")
    path.write_text(text.replace("id: persondata\n", "id: bias\nstatus: kladde\n"), "utf-8")
    (problem,) = not_about_missing_topics(check_content(content_copy, FILLED, TODAY))
    assert (problem.path, problem.line, problem.severity) == (path, 3, "error")
    assert "'status' must be 'godkendt' (served) or 'udkast'" in problem.message


def test_a_required_topic_that_is_only_a_draft_is_an_error(content_copy: Path) -> None:
    path = content_copy / "kompas" / "persondata.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: persondata\n", "id: persondata\nstatus: udkast\n"), "utf-8")
    problems = check_content(content_copy, FILLED, today=TODAY)
    (missing,) = [p for p in problems if p.path == path]
    assert missing.severity == "error"
    assert missing.message == "required topic 'persondata' is only a draft (status: udkast)"


def test_a_draft_with_a_served_topics_id_is_a_warning(content_copy: Path) -> None:
    served = (content_copy / "kompas" / "persondata.md").read_text(encoding="utf-8")
    draft = content_copy / "kompas" / "persondata-udkast.md"
    draft.write_text(served.replace("id: persondata\n", "id: persondata\nstatus: udkast\n"))
    problems = not_about_missing_topics(check_content(content_copy, FILLED, TODAY))
    assert problems and all(p.severity == "warning" for p in problems)
    (duplicate,) = [p for p in problems if "duplicate id 'persondata'" in p.message]
    assert str(draft) in str(duplicate)


def test_find_drafts_lists_only_drafts_with_title_and_question_count(content_copy: Path) -> None:
    make_draft(content_copy, "b-kladde", "id: b-kladde\nstatus: udkast\n")
    make_draft(
        content_copy,
        "a-kladde",
        "id: a-kladde\ntitle: Må jeg det?\nstatus: Udkast\nquestions: [én, to]\n",
    )
    make_draft(content_copy, "ulaeselig", "id: [\nstatus: udkast\n")
    found = find_drafts(content_copy)
    assert [(d.path.name, d.title, d.questions) for d in found] == [
        ("a-kladde.md", "Må jeg det?", 2),
        ("b-kladde.md", "", 0),
    ]


@pytest.mark.parametrize(("value", "fine"), [("17", True), ("'sag-17'", True), ("[17]", False)])
def test_suggestion_names_a_case_by_text_or_number(
    content_copy: Path, value: str, fine: bool
) -> None:
    path = content_copy / "kompas" / "persondata.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: persondata\n", f"id: persondata\nsuggestion: {value}\n"))
    problems = not_about_missing_topics(check_content(content_copy, FILLED, TODAY))
    assert (problems == []) is fine
    assert all(
        p.line == 3 and "'suggestion' must be the id of a case" in p.message for p in problems
    )
