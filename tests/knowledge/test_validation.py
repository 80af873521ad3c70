"""`kompas content check`: every problem names its file and line; contacts give warnings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ground.content import ContentProblem
from ground.settings import Contacts
from knowledge.validation import REQUIRED_TOPIC_IDS, check_content

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
