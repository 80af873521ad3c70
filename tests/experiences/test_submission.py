"""Reading the experience card: choices checked, free text redacted and bounded."""

from __future__ import annotations

import pytest

from experiences.submission import (
    MAX_TEXT_CHARS,
    Field,
    InvalidSubmissionError,
    parse_submission,
)
from privacy.redaction import RedactionKind


def test_a_full_card_becomes_an_experience_with_redacted_texts() -> None:
    submission = parse_submission(
        {
            "verb": "experience_submit",
            "campaign": "2026-12",
            "used_for": "  Brev til borger 010190-1234  ",
            "task_type": "kommunikation",
            "gain": "kvalitet",
            "barriers": "tid,regler",
            "hard_text": "Ring til mig på 12 34 56 78 eller skriv til a@b.dk",
            "consent": "citat_med_navn",
        }
    )

    experience = submission.experience
    assert submission.campaign_month == "2026-12"
    assert experience.used_for == "Brev til borger [CPR-nummer fjernet]"
    assert "12 34 56 78" not in experience.hard_text and "a@b.dk" not in experience.hard_text
    assert experience.barriers == ("regler", "tid")  # card order, whatever order was sent
    assert (experience.task_type, experience.gain, experience.consent) == (
        "kommunikation",
        "kvalitet",
        "citat_med_navn",
    )
    assert submission.removed == {
        RedactionKind.CPR: 1,
        RedactionKind.PHONE: 1,
        RedactionKind.EMAIL: 1,
    }


def test_consent_defaults_to_anonymous_aggregates_and_empty_inputs_are_ignored() -> None:
    submission = parse_submission({"gain": "ingen_endnu", "used_for": "", "barriers": ""})

    assert submission.experience.consent == "kun_samlet"
    assert submission.experience.barriers == ()
    assert submission.campaign_month is None
    assert not submission.redacted


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"task_type": "spåkugle"}, Field.TASK_TYPE),
        ({"gain": "tid,kvalitet"}, Field.GAIN),
        ({"barriers": "teknik,chefen"}, Field.BARRIERS),
        ({"gain": "tid", "consent": "offentligt"}, Field.CONSENT),
    ],
)
def test_unknown_choices_are_refused_with_the_field(value: dict[str, str], field: Field) -> None:
    with pytest.raises(InvalidSubmissionError) as raised:
        parse_submission(value)

    assert (raised.value.reason, raised.value.field) == ("unknown_choice", field)


@pytest.mark.parametrize(
    "value",
    [{"campaign": "december"}, {"used_for": 42}, {"barriers": {"a": 1}}],
)
def test_malformed_values_are_refused(value: dict[str, object]) -> None:
    with pytest.raises(InvalidSubmissionError, match="malformed"):
        parse_submission(value)


def test_an_empty_card_is_refused() -> None:
    with pytest.raises(InvalidSubmissionError, match="empty"):
        parse_submission({"campaign": "2026-12", "consent": "kun_samlet", "used_for": "  "})


def test_long_text_is_cut_after_redaction_so_no_cpr_half_survives() -> None:
    text = "x" * (MAX_TEXT_CHARS - 5) + " 010190-1234 og mere"

    submission = parse_submission({"used_for": text})

    assert submission.truncated
    assert len(submission.experience.used_for) <= MAX_TEXT_CHARS
    assert "0101" not in submission.experience.used_for
