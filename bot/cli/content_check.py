"""`kompas content check`: validate topics, synonyms and templates before publishing."""

from __future__ import annotations

from typing import TextIO

from dialogs.template_samples import SAMPLE_CONTEXTS
from ground.content import ContentProblem
from ground.settings import Settings
from ground.texts import Texts, TextsError
from knowledge.validation import Draft, check_content, find_drafts


def run_content_check(settings: Settings, out: TextIO) -> int:
    """Print every problem with file and line; exit code 1 when any is an error."""
    problems: list[ContentProblem] = list(check_content(settings.content_dir, settings.contacts))
    templates_dir = settings.content_dir / "templates"
    try:
        problems.extend(Texts(templates_dir).check(SAMPLE_CONTEXTS))
    except TextsError as error:
        problems.append(ContentProblem(templates_dir / "strings.yml", 0, str(error)))
    errors = [problem for problem in problems if problem.severity == "error"]
    warnings = [problem for problem in problems if problem.severity != "error"]
    for problem in errors + warnings:
        out.write(f"{problem}\n")
    drafts = find_drafts(settings.content_dir)
    print_drafts(drafts, out)
    verdict = "FEJL" if errors else "OK"
    waiting = f", {len(drafts)} udkast" if drafts else ""
    out.write(
        f"content check: {verdict} – {len(errors)} fejl, {len(warnings)} advarsler{waiting} "
        f"({settings.content_dir})\n"
    )
    return 1 if errors else 0


def print_drafts(drafts: list[Draft], out: TextIO) -> None:
    """The drafts waiting for review (nothing when there are none)."""
    if not drafts:
        return
    out.write(
        f"Udkast til gennemsyn ({len(drafts)}) – vises ikke for medarbejdere, før 'status: "
        "udkast' er ændret til 'status: godkendt' og tjekket er uden fejl:\n"
    )
    for draft in drafts:
        title = f"»{draft.title}«" if draft.title else "(ingen titel)"
        out.write(f"  {draft.path}: {title}, {draft.questions} spørgsmål\n")
