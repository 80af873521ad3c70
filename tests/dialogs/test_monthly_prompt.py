"""The AI-erfaringer card: quick to fill in, Danish from content, and there on `del erfaring`."""

from __future__ import annotations

import pytest

from dialogs.router import Router
from experiences.prompt_card import NOTHING_VERB, SUBMIT_VERB, monthly_prompt_card
from ground.messages import ChoiceInput, TextInput
from ground.texts import Texts
from tests.dialogs.helpers import message
from tests.paths import PROJECT_ROOT


@pytest.fixture
def texts() -> Texts:
    return Texts(PROJECT_ROOT / "content" / "templates")


def test_the_monthly_card_asks_the_five_questions_with_their_choices(texts: Texts) -> None:
    card = monthly_prompt_card(texts, "2026-12", card_id="c0ffee00")

    inputs = {card_input.id.removesuffix("_c0ffee00"): card_input for card_input in card.inputs}
    assert list(inputs) == ["used_for", "task_type", "gain", "barriers", "hard_text", "consent"]
    assert isinstance(inputs["used_for"], TextInput) and not inputs["used_for"].required
    assert isinstance(inputs["hard_text"], TextInput) and not inputs["hard_text"].required
    choices = {
        key: [(c.title, c.value) for c in card_input.choices]
        for key, card_input in inputs.items()
        if isinstance(card_input, ChoiceInput)
    }
    assert [title for title, _ in choices["task_type"]] == [
        "Kommunikation og vejledning",
        "Sagsbehandling",
        "Mødereferater",
        "Oversættelse",
        "Dataanalyse",
        "Andet",
    ]
    assert [title for title, _ in choices["gain"]] == [
        "Tid",
        "Kvalitet",
        "Bedre service",
        "Ingen endnu",
    ]
    assert [title for title, _ in choices["barriers"]] == [
        "Usikkerhed om reglerne",
        "Teknikken",
        "Kvaliteten af svarene",
        "Tid",
        "Andet",
    ]
    barriers = inputs["barriers"]
    assert isinstance(barriers, ChoiceInput) and barriers.multiple
    consent = inputs["consent"]
    assert isinstance(consent, ChoiceInput)
    assert [c.title for c in consent.choices] == [
        "Kun anonymt i samlede tal",
        "I må citere mig anonymt",
        "I må citere mig med mit navn",
    ]
    assert consent.default == "kun_samlet"
    assert not any(card_input.required for card_input in card.inputs)


def test_the_monthly_card_text_comes_from_the_templates(texts: Texts) -> None:
    card = monthly_prompt_card(texts, "2026-12", card_id="c0ffee00")

    assert card.title == "AI-erfaringer for december 2026"
    assert card.sections[0].text == texts.render(
        "monthly_prompt", month_name="december 2026", campaign=True, reminder=False
    )
    assert "under to minutter" in card.sections[0].text
    assert "også dem, hvor det ikke virkede" in card.sections[0].text
    assert [(a.title, a.verb, a.data) for a in card.actions] == [
        ("Send", SUBMIT_VERB, {"campaign": "2026-12", "card": "c0ffee00"}),
        ("Intet at dele denne måned", NOTHING_VERB, {"campaign": "2026-12", "card": "c0ffee00"}),
    ]


def test_the_reminder_says_it_is_the_only_one(texts: Texts) -> None:
    card = monthly_prompt_card(texts, "2026-12", reminder=True)

    assert "eneste påmindelse" in card.sections[0].text
    assert [a.verb for a in card.actions] == [SUBMIT_VERB, NOTHING_VERB]


@pytest.mark.parametrize("command", ["del erfaring", "Del en erfaring!", "ny erfaring"])
async def test_anyone_can_ask_for_the_card_any_time(router: Router, command: str) -> None:
    replies = await router.handle(message(command))

    card = replies[0].card
    assert card is not None
    assert card.title == "Del en AI-erfaring"
    [send] = card.actions
    card_id = send.data["card"]
    assert [(send.title, send.verb, send.data) for send in card.actions] == [
        ("Send", SUBMIT_VERB, {"card": card_id, "for_user": send.data["for_user"]})
    ]
    ids = [card_input.id for card_input in card.inputs]
    assert ids[:2] == [f"used_for_{card_id}", f"task_type_{card_id}"]
