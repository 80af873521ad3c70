"""Block Kit rendering: Markdown as mrkdwn, Slack's limits kept, presses read back as Teams'."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from dataclasses import replace

import pytest

from bot.slack.blocks import (
    MAX_BUTTON_TEXT_CHARS,
    MAX_MESSAGE_BLOCKS,
    MAX_TEXT_CHARS,
    card_blocks,
    limit_problems,
    message,
    split_message,
    submission,
)
from bot.slack.modals import FormPlace, form_view, read_submission, view_problems
from bot.slack.mrkdwn import pieces, to_mrkdwn
from bot.slack.packed_forms import FORM_PREFIX, unpack_form
from ground.messages import (
    Action,
    Card,
    Choice,
    ChoiceInput,
    Fact,
    Reply,
    Section,
    TextInput,
)


def test_markdown_becomes_mrkdwn_and_slack_control_characters_are_escaped() -> None:
    markdown = (
        "## Kort sagt\n\nDu må **ikke** skrive *CPR-numre* i <ChatGPT> & co.\n"
        "- et punkt\n* et andet\n1. nummereret\nSe [AI-kompasset](https://intra.kommune.dk/ai?a=1&b=2)."
    )

    assert to_mrkdwn(markdown) == (
        "*Kort sagt*\n\nDu må *ikke* skrive _CPR-numre_ i &lt;ChatGPT&gt; &amp; co.\n"
        "• et punkt\n• et andet\n1. nummereret\n"
        "Se <https://intra.kommune.dk/ai?a=1&amp;b=2|AI-kompasset>."
    )
    assert to_mrkdwn("<!channel> <!here> <http://x|y>") == (
        "&lt;!channel&gt; &lt;!here&gt; &lt;http://x|y&gt;"  # nobody pinged, nothing hidden
    )
    # A person's mention, as the ambassador finder writes it (SlackAddressing.chat_link).
    assert to_mrkdwn("- <@U0MAJA01>, Jobcenter") == "• <@U0MAJA01>, Jobcenter"
    assert to_mrkdwn("Spørgsmålet:\n\n> Må jeg <x>?") == "Spørgsmålet:\n\n> Må jeg &lt;x&gt;?"


def test_long_text_is_cut_between_paragraphs_then_words_within_the_limit() -> None:
    paragraphs = "\n\n".join(f"Afsnit {n}: " + "ord " * 300 for n in range(6))

    cut = pieces(paragraphs, MAX_TEXT_CHARS)

    assert all(len(piece) <= MAX_TEXT_CHARS for piece in cut)
    assert " ".join(" ".join(cut).split()) == " ".join(paragraphs.split())  # nothing lost
    assert cut[1].startswith("Afsnit 2:")  # two paragraphs fit in a piece, not three
    assert [len(p) for p in pieces("x" * 7000, MAX_TEXT_CHARS)] == [3000, 3000, 1000]


def test_a_card_becomes_header_sections_context_and_buttons() -> None:
    card = Card(
        title="Persondata og CPR-numre",
        sections=(Section("Nej."), Section("Detaljer **her**.", "Læs mere", collapsed=True)),
        facts=(Fact("Kilde", "AI-kompasset"), Fact("Senest gennemgået", "20.11.2026")),
        actions=(Action("👍 Brugbart", "feedback", {"question_id": 7, "helpful": True}),),
    )

    blocks = card_blocks(card)

    assert [block["type"] for block in blocks] == [
        "header",
        "section",
        "divider",
        "section",
        "context",
        "actions",
    ]
    assert blocks[3]["text"]["text"] == "*Læs mere*\nDetaljer *her*."
    assert blocks[4]["elements"][1]["text"] == "*Senest gennemgået:* 20.11.2026"
    [button] = blocks[5]["elements"]
    assert json.loads(button["value"]) == {"verb": "feedback", "question_id": 7, "helpful": True}
    assert limit_problems({"text": "x", "blocks": blocks}) == []


def test_read_more_goes_in_the_thread_when_there_is_one() -> None:
    card = Card(
        title="Persondata",
        sections=(Section("Nej."), Section("Detaljer.", "Læs mere", collapsed=True)),
        actions=(Action("👍", "feedback", {"question_id": 7}),),
    )

    first, details = split_message(Reply(card=card), details_in_thread=True)
    [whole] = split_message(Reply(card=card), details_in_thread=False)

    assert [b["type"] for b in first["blocks"]] == ["header", "section", "context", "actions"]
    assert first["blocks"][2]["elements"][0]["text"] == "🧵 Læs mere"
    assert details == {
        "text": "Læs mere",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Læs mere*\nDetaljer."}}
        ],
    }
    assert whole == message(Reply(card=card))
    assert "Detaljer." in json.dumps(whole["blocks"], ensure_ascii=False)


def test_what_does_not_fit_is_cut_and_no_limit_is_broken() -> None:
    card = Card(
        title="T" * 400,
        sections=tuple(Section("Et afsnit. " * 40) for _ in range(60)),
        facts=tuple(Fact(f"Felt {n}", "værdi") for n in range(12)),
        actions=(
            Action("A" * 200, "feedback", {"question_id": 1}),
            Action("For meget data", "feedback", {"blob": "x" * 3000}),  # cannot be sent
            *(Action(f"Knap {n}", "help") for n in range(30)),
        ),
    )

    rendered = message(Reply(text="Indledning", card=card))

    assert limit_problems(rendered) == []
    assert len(rendered["blocks"]) == MAX_MESSAGE_BLOCKS
    buttons = [e for b in rendered["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 31  # every button but the one whose data does not fit
    assert buttons[0]["text"]["text"] == "A" * (MAX_BUTTON_TEXT_CHARS - 1) + "…"
    assert rendered["blocks"][0]["text"]["text"] == "Indledning"


def test_the_limit_check_finds_what_slack_would_refuse() -> None:
    button = {"type": "button", "text": {"type": "plain_text", "text": "x" * 80}}
    surface = {
        "text": "x",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}},
            {"type": "actions", "elements": [{**button, "action_id": "a", "value": "v" * 2001}]},
            {"type": "actions", "elements": [{**button, "action_id": "a"}]},
            *({"type": "divider"} for _ in range(50)),
        ],
    }

    problems = "\n".join(limit_problems(surface))

    assert "53 blocks (at most 50)" in problems
    assert "text of 3001 characters" in problems
    assert "over 75" in problems and "button value over 2000" in problems
    assert "action_ids used twice: ['a']" in problems


EXPERIENCE_CARD = Card(
    title="AI-erfaringer",
    inputs=(
        TextInput("used_for_abc", "Hvad har du brugt AI til?", multiline=True),
        ChoiceInput("gain_abc", "Gevinst", (Choice("Tid", "time"), Choice("Kvalitet", "quality"))),
        ChoiceInput(
            "barriers_abc",
            "Barrierer",
            (Choice("Regler", "rules"), Choice("Tid", "time")),
            multiple=True,
        ),
    ),
    actions=(
        Action("Send", "experience_submit", {"card": "abc"}),
        Action("Intet at dele", "experience_nothing", {"card": "abc"}, with_inputs=False),
    ),
)
FILLED_IN = {
    "values": {
        "used_for_abc": {"used_for_abc": {"type": "plain_text_input", "value": "Referater"}},
        "gain_abc": {"gain_abc": {"type": "radio_buttons", "selected_option": {"value": "time"}}},
        "barriers_abc": {
            "barriers_abc": {
                "type": "checkboxes",
                "selected_options": [{"value": "rules"}, {"value": "time"}],
            }
        },
    }
}
SUBMITTED = {
    "verb": "experience_submit",
    "card": "abc",
    "used_for_abc": "Referater",
    "gain_abc": "time",
    "barriers_abc": "rules,time",
}


def test_a_card_asking_for_text_opens_its_form_in_a_modal_that_submits_as_teams_does() -> None:
    blocks = card_blocks(EXPERIENCE_CARD)
    assert [block for block in blocks if block["type"] == "input"] == []
    send, nothing = blocks[-1]["elements"]
    assert send["action_id"].startswith(FORM_PREFIX) and send["text"]["text"] == "Send…"
    form = unpack_form(send["value"])
    assert form is not None
    place = FormPlace("D0METTEDM", message_ts="1762162200.000100")
    view = form_view(form, place, close="Annuller")
    assert view_problems(view) == []
    inputs = [block for block in view["blocks"] if block["type"] == "input"]
    assert [block["element"]["type"] for block in inputs] == [
        "plain_text_input",
        "radio_buttons",
        "checkboxes",
    ]
    assert view["submit"]["text"] == "Send"

    submitted = read_submission({**view, "state": FILLED_IN})

    assert submitted is not None
    assert submitted.value == SUBMITTED
    assert submitted.place == place
    # "Intet at dele" sends nothing that was typed, and opens no form.
    assert submission(nothing, FILLED_IN) == {"verb": "experience_nothing", "card": "abc"}


def test_a_form_too_large_for_its_button_is_filled_in_the_message() -> None:
    written = " ".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(60))
    long_text = TextInput("draft_abc", "Udkast", multiline=True, max_length=3000, value=written)
    card = replace(EXPERIENCE_CARD, inputs=(*EXPERIENCE_CARD.inputs, long_text))
    blocks = card_blocks(card)
    inputs = [block["block_id"] for block in blocks if block["type"] == "input"]
    assert inputs == ["used_for_abc", "gain_abc", "barriers_abc", "draft_abc"]
    send, _ = blocks[-1]["elements"]
    assert submission(send, FILLED_IN) == SUBMITTED
    assert limit_problems({"blocks": blocks}) == []


def test_a_card_of_choices_alone_is_answered_in_the_message() -> None:
    card = replace(EXPERIENCE_CARD, inputs=EXPERIENCE_CARD.inputs[1:])
    blocks = card_blocks(card)
    assert [block["block_id"] for block in blocks if block["type"] == "input"] == [
        "gain_abc",
        "barriers_abc",
    ]
    send, _ = blocks[-1]["elements"]
    chosen = {"values": {k: v for k, v in FILLED_IN["values"].items() if k != "used_for_abc"}}
    assert submission(send, chosen) == {k: v for k, v in SUBMITTED.items() if k != "used_for_abc"}


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not base64!",
        base64.urlsafe_b64encode(zlib.compress(b'{"title": "x"}')).decode(),
        base64.urlsafe_b64encode(zlib.compress(b"[" * 100_000)).decode(),  # unpacks too large
        "A" * 3000,
        5,
    ],
)
def test_a_form_button_whose_value_is_not_a_form_opens_nothing(value: object) -> None:
    assert unpack_form(value) is None


def test_a_submitted_view_that_is_not_kompas_form_is_not_read() -> None:
    view = form_view(
        unpack_form(card_blocks(EXPERIENCE_CARD)[-1]["elements"][0]["value"]),  # type: ignore[arg-type]
        FormPlace("D0METTEDM"),
        close="Annuller",
    )
    assert read_submission({**view, "callback_id": "other"}) is None
    assert read_submission({**view, "private_metadata": "{"}) is None
    assert read_submission({**view, "private_metadata": '{"value": {"verb": 1}}'}) is None
    assert read_submission("view") is None


@pytest.mark.parametrize(
    "action",
    [
        {"action_id": "other-app", "value": '{"verb": "help"}'},
        {"action_id": "kompas:1", "value": "not json"},
        {"action_id": "kompas:1", "value": '{"no": "verb"}'},
        {"action_id": "kompas:1", "value": '["help"]'},
        {"action_id": 5},
    ],
)
def test_a_press_that_is_not_a_kompas_card_button_submits_nothing(
    action: dict[str, object],
) -> None:
    assert submission(action, {}) is None


def test_many_choices_become_a_select_and_defaults_are_preselected() -> None:
    choices = tuple(Choice(f"Enhed {n}", f"u{n}") for n in range(15))
    [single, multiple] = card_blocks(
        Card(
            title="",
            inputs=(
                ChoiceInput("unit", "Enhed", choices, default="u3"),
                ChoiceInput("units", "Enheder", choices, multiple=True, default="u1,u2"),
            ),
        )
    )

    assert single["element"]["type"] == "static_select"
    assert single["element"]["initial_option"]["value"] == "u3"
    assert multiple["element"]["type"] == "multi_static_select"
    assert [o["value"] for o in multiple["element"]["initial_options"]] == ["u1", "u2"]
    assert limit_problems({"text": "", "blocks": [single, multiple]}) == []
