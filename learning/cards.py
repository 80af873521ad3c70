"""The idea bank's page as a card: the ideas as text, a "Det vil jeg prøve" button each, "Flere"."""

from __future__ import annotations

from typing import Any

from ground.messages import Action, Card, Choice, ChoiceInput, Reply, Section
from ground.texts import Texts, TextsError
from learning.ideas import Idea, IdeaPage
from learning.interest import shortened
from storage.idea_store import PILOT

TRY_VERB = "idea_try"
MORE_VERB = "idea_more"
PILOT_VERB = "idea_pilot"
IDEA_INPUT = "idea"
MAX_CHOICE_TITLE = 70  # Slack shows at most 75 characters of an option
LABELS = "idea_bank"


def _label(texts: Texts, group: str, key: str | None) -> str:
    if not key:
        return ""
    try:
        return texts.label(group, key)
    except TextsError:  # an option content does not name is shown as stored
        return key


def _line(texts: Texts, idea: Idea) -> dict[str, Any]:
    return {
        "pilot": idea.ref.kind == PILOT,
        "text": idea.text,
        "author": idea.author or "",
        "unit": idea.unit or "",
        "task": _label(texts, "experience_task_types", idea.task_type),
        "gain": _label(texts, "experience_gains", idea.gain),
        "recommend_yes": idea.recommend_yes,
        "respondents": idea.respondents,
    }


def idea_value(idea: Idea) -> str:
    """How the pilot choice names an idea: "erfaring:12", "pilot:3"."""
    return f"{idea.ref.kind}:{idea.ref.id}"


def idea_page_reply(texts: Texts, page: IdeaPage, ambassador: bool = False) -> Reply:
    """The page as a card, or a short text when there is nothing to show; an AI-ambassador
    also gets "Start en pilot på det" with a choice of the page's ideas."""
    task = _label(texts, "experience_task_types", page.task_type)
    if not page.ideas:
        return Reply(text=texts.render("idea_bank_empty", task=task))
    title = texts.label(LABELS, "title_task", task=task) if task else texts.label(LABELS, "title")
    actions = [
        Action(
            texts.label(LABELS, "try", number=str(page.offset + number)),
            TRY_VERB,
            {"kind": idea.ref.kind, "id": idea.ref.id},
            with_inputs=False,
        )
        for number, idea in enumerate(page.ideas, start=1)
    ]
    if page.more:
        data: dict[str, Any] = {"offset": page.offset + len(page.ideas)}
        if page.task_type:
            data["task_type"] = page.task_type
        actions.append(Action(texts.label(LABELS, "more"), MORE_VERB, data, with_inputs=False))
    inputs: tuple[ChoiceInput, ...] = ()
    if ambassador:
        choices = tuple(
            Choice(
                shortened(f"{page.offset + number}. {idea.text}", MAX_CHOICE_TITLE),
                idea_value(idea),
            )
            for number, idea in enumerate(page.ideas, start=1)
        )
        inputs = (
            ChoiceInput(
                IDEA_INPUT,
                texts.label(LABELS, "pilot_choice"),
                choices,
                default=choices[0].value,
                compact=True,
            ),
        )
        actions.append(Action(texts.label(LABELS, "pilot"), PILOT_VERB))
    text = texts.render(
        "idea_page",
        ideas=[_line(texts, idea) for idea in page.ideas],
        offset=page.offset,
        total=page.total,
        task=task,
    )
    card = Card(title=title, sections=(Section(text),), actions=tuple(actions), inputs=inputs)
    return Reply(card=card)
