"""The experience card: the monthly AI-erfaringer prompt, its reminder and the ad-hoc card."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from experiences.submission import CAMPAIGN_KEY, MAX_TEXT_CHARS, Field
from ground.card_ids import CARD_ID_KEY, new_card_id
from ground.forms import Form
from ground.messages import Action, Card, ChoiceInput, Section
from ground.texts import Texts
from storage.experience_choices import Barrier, Consent, Gain, TaskType

SUBMIT_VERB = "experience_submit"
NOTHING_VERB = "experience_nothing"
SHARE_VERB = "experience_share"  # a button that asks for the card (e.g. from help)

CARD_LABELS = "experience_card"
# The strings.yml group naming the options of each choice field.
CHOICE_GROUPS: Mapping[Field, tuple[str, type[StrEnum]]] = {
    Field.TASK_TYPE: ("experience_task_types", TaskType),
    Field.GAIN: ("experience_gains", Gain),
    Field.BARRIERS: ("experience_barriers", Barrier),
    Field.CONSENT: ("experience_consents", Consent),
}


def choice_title(texts: Texts, field: Field, value: str) -> str:
    """The Danish title of one option, e.g. ("gain", "tid") → "Tid"."""
    group, _ = CHOICE_GROUPS[field]
    return texts.label(group, value)


def field_label(texts: Texts, field: Field) -> str:
    """The Danish question of a card field."""
    return texts.label(CARD_LABELS, field.value)


def month_name(texts: Texts, month: str) -> str:
    """ "2026-12" → "december 2026"."""
    year, number = month.split("-")
    return f"{texts.label('months', str(int(number)))} {year}"


def _choices(form: Form, field: Field, *, multiple: bool = False, default: str = "") -> ChoiceInput:
    group, options = CHOICE_GROUPS[field]
    return form.choice(field.value, options, titles=group, multiple=multiple, default=default)


def monthly_prompt_card(
    texts: Texts, campaign_month: str | None, *, reminder: bool = False, card_id: str = ""
) -> Card:
    """The experience card; with a campaign month it is the monthly prompt (or its reminder).

    Each card gets its own id (`card_id`, random unless given): its inputs are named
    after it and its buttons send it, so it can be submitted once.
    """
    card_id = card_id or new_card_id()
    campaign = campaign_month is not None
    intro = texts.render(
        "monthly_prompt",
        month_name=month_name(texts, campaign_month) if campaign_month else "",
        campaign=campaign,
        reminder=reminder and campaign,
    )
    data: dict[str, str] = {CARD_ID_KEY: card_id}
    if campaign_month:
        data[CAMPAIGN_KEY] = campaign_month
    actions = [Action(texts.label(CARD_LABELS, "send"), SUBMIT_VERB, data)]
    if campaign:
        # "Intet at dele" must not submit (and so silently discard) what was typed.
        actions.append(
            Action(texts.label(CARD_LABELS, "nothing"), NOTHING_VERB, data, with_inputs=False)
        )
    title = (
        texts.label(CARD_LABELS, "title_campaign", month=month_name(texts, campaign_month))
        if campaign_month
        else texts.label(CARD_LABELS, "title_adhoc")
    )
    form = Form(texts, CARD_LABELS, card_id)
    inputs = (
        form.text(
            Field.USED_FOR.value,
            label_key="used_for" if campaign else "used_for_adhoc",
            placeholder=True,
            max_length=MAX_TEXT_CHARS,
        ),
        _choices(form, Field.TASK_TYPE),
        _choices(form, Field.GAIN),
        _choices(form, Field.BARRIERS, multiple=True),
        form.text(Field.HARD_TEXT.value, placeholder=True, max_length=MAX_TEXT_CHARS),
        _choices(form, Field.CONSENT, default=Consent.AGGREGATE_ONLY.value),
    )
    return Card(title=title, sections=(Section(text=intro),), actions=tuple(actions), inputs=inputs)
