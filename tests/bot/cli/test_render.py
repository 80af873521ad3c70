"""Terminal rendering: links stay whole so they can be opened, buttons are numbered."""

from __future__ import annotations

from bot.cli.render import parse_input_answer, plain, render_reply
from ground.messages import Action, Card, Choice, ChoiceInput, Reply, Section

LINK = "http://127.0.0.1:3978/digests/vRjIOHMe0rBCCyaGgR0Fwg?t=1799207034.E-N1B2wlfWcQo3y_lZZTpK"


def test_a_markdown_link_is_shown_whole_on_its_own_line() -> None:
    text = plain(f"[Åbn hele overblikket]({LINK}) med grafer og forslag til næste skridt.")

    assert LINK in text.splitlines()
    assert text.startswith("Åbn hele overblikket:")


def test_buttons_are_numbered_across_replies() -> None:
    card = Card(title="Svar", sections=(Section("Tekst"),), actions=(Action("👍", "feedback"),))

    text, actions = render_reply(Reply(card=card), first_number=3)

    assert "[3] 👍" in text and [a.verb for a in actions] == ["feedback"]


def test_choice_answers_are_numbers_and_bad_ones_are_refused() -> None:
    gains = ChoiceInput("gain", "Gevinst", (Choice("Tid", "tid"), Choice("Kvalitet", "kvalitet")))
    many = ChoiceInput("barriers", "Svært", gains.choices, multiple=True)

    assert parse_input_answer(gains, "2") == "kvalitet"
    assert parse_input_answer(gains, "1,2") is None
    assert parse_input_answer(gains, "7") is None
    assert parse_input_answer(many, "1, 2") == "tid,kvalitet"
