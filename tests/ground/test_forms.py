"""A card form names its inputs after the card and takes every Danish word from strings.yml."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pytest

from ground.card_ids import plain_values
from ground.forms import Form
from ground.messages import Action, Choice, ChoiceInput, TextInput
from ground.texts import Texts, TextsError

STRINGS = """\
survey:
  mood: Hvordan går det?
  mood_good: Godt
  mood_bad: Skidt
  note: Noget at tilføje?
  note_short: Kort sagt?
  note_placeholder: Fx en sætning
  colour: Yndlingsfarve
colours:
  red: Rød
  green: Grøn
"""


class Mood(StrEnum):
    GOOD = "good"
    BAD = "bad"


@pytest.fixture
def form(tmp_path: Path) -> Form:
    (tmp_path / "strings.yml").write_text(STRINGS, encoding="utf-8")
    return Form(Texts(tmp_path), "survey", "c0ffee00")


def test_an_enum_becomes_a_choice_with_titles_from_the_form_group(form: Form) -> None:
    assert form.choice("mood", Mood, default=Mood.BAD.value) == ChoiceInput(
        id="mood_c0ffee00",
        label="Hvordan går det?",
        choices=(Choice("Godt", "good"), Choice("Skidt", "bad")),
        default="bad",
    )
    [good, _] = form.choice("mood", Mood).choices
    assert type(good.value) is str  # the plain value, not the enum member


def test_option_titles_can_come_from_a_group_of_their_own(form: Form) -> None:
    colour = form.choice("colour", ("red", "green"), titles="colours", multiple=True)

    assert colour.choices == (Choice("Rød", "red"), Choice("Grøn", "green"))
    assert colour.multiple and colour.id == "colour_c0ffee00"


def test_a_text_is_multiline_with_its_own_or_another_label(form: Form) -> None:
    assert form.text("note", placeholder=True) == TextInput(
        id="note_c0ffee00", label="Noget at tilføje?", placeholder="Fx en sætning", multiline=True
    )
    short = form.text("note", label_key="note_short", max_length=80)
    assert (short.label, short.placeholder, short.max_length) == ("Kort sagt?", "", 80)


def test_a_missing_option_title_is_a_clear_error(form: Form) -> None:
    with pytest.raises(TextsError, match=r"survey\.mood_meh"):
        form.choice("mood", ("good", "meh"))


def test_the_submit_button_names_the_card_its_inputs_are_named_after(form: Form) -> None:
    button = form.submit("mood", "survey_submit", {"survey_id": 7})

    assert button == Action(
        "Hvordan går det?", "survey_submit", {"survey_id": 7, "card": "c0ffee00"}
    )
    value = {"verb": button.verb, **button.data, "mood_c0ffee00": "good"}
    assert plain_values(value, ["mood"])["mood"] == "good"
