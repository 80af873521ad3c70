"""The read-only summary that replaces an experience card once it was submitted."""

from __future__ import annotations

from experiences.prompt_card import choice_title
from experiences.submission import Field
from ground.messages import Card, Fact, Section
from ground.texts import Texts
from storage.experience_store import NewExperience

LABELS = "experience_summary"


def submitted_card(texts: Texts, experience: NewExperience | None) -> Card:
    """What was sent (already redacted), without inputs or buttons; None: "Intet at dele"."""
    if experience is None:
        return Card(
            title=texts.label(LABELS, "title_nothing"),
            sections=(Section(text=texts.render("experience_summary", nothing=True)),),
        )
    facts: list[Fact] = []

    def add(field: Field, value: str) -> None:
        if value:
            facts.append(Fact(texts.label(LABELS, field.value), value))

    add(Field.USED_FOR, experience.used_for)
    if experience.task_type:
        add(Field.TASK_TYPE, choice_title(texts, Field.TASK_TYPE, experience.task_type))
    if experience.gain:
        add(Field.GAIN, choice_title(texts, Field.GAIN, experience.gain))
    add(
        Field.BARRIERS,
        ", ".join(choice_title(texts, Field.BARRIERS, b) for b in experience.barriers),
    )
    add(Field.HARD_TEXT, experience.hard_text)
    add(Field.CONSENT, choice_title(texts, Field.CONSENT, experience.consent))
    return Card(
        title=texts.label(LABELS, "title_shared"),
        sections=(Section(text=texts.render("experience_summary", nothing=False)),),
        facts=tuple(facts),
    )
