"""Submitting the AI-erfaringer card: stored redacted, confirmed in Danish, never twice."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import select

from dialogs.router import Router
from digests.digest_store import scrub_withdrawn_quotes
from experiences.prompt_card import monthly_prompt_card
from ground.clock import utc_now
from ground.messages import Card, Incoming, IncomingKind, Person
from ground.texts import Texts
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.models_experiences import CampaignRecipientRow, ExperienceRow
from tests.dialogs.helpers import KOLLEGA, MEDARBEJDER, message
from tests.paths import PROJECT_ROOT


@pytest.fixture
def texts() -> Texts:
    return Texts(PROJECT_ROOT / "content" / "templates")


@pytest.fixture
async def december(database: Database) -> str:
    await ExperienceStore(database, scrub_withdrawn_quotes).start_campaign(
        "2026-12", date(2026, 12, 1), date(2026, 12, 15), utc_now()
    )
    return "2026-12"


def submit(card: Card, button: int = 0, person: Person = MEDARBEJDER, **inputs: str) -> Incoming:
    """Press a card button with the inputs filled in, as Teams sends it."""
    action = card.actions[button]
    return Incoming(
        kind=IncomingKind.SUBMIT,
        person=person,
        conversation_id=f"a:{person.user_id}",
        value={"verb": action.verb, **action.data, **inputs},
    )


async def _experiences(database: Database) -> list[ExperienceRow]:
    async with database.session() as session:
        rows = await session.execute(select(ExperienceRow).order_by(ExperienceRow.id))
        return list(rows.scalars())


async def test_a_submitted_card_is_stored_redacted_and_confirmed(
    router: Router,
    texts: Texts,
    december: str,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    card = monthly_prompt_card(texts, december)

    replies = await router.handle(
        submit(
            card,
            used_for="Svar til borger med CPR 010190-1234",
            task_type="kommunikation",
            gain="tid",
            barriers="regler,svarkvalitet",
            hard_text="Min leder (22 33 44 55) var i tvivl",
            consent="citat_anonymt",
        )
    )

    summary = replies[0]
    assert summary.updates_submitted_card and summary.card is not None
    assert not summary.card.inputs and not summary.card.actions
    facts = {fact.label: fact.value for fact in summary.card.facts}
    assert facts["Brugt til"] == "Svar til borger med CPR [CPR-nummer fjernet]"
    assert facts["Brug af din erfaring"] == "I må citere mig anonymt"
    assert replies[1].text.startswith("🔒 Jeg har fjernet et CPR-nummer og et telefonnummer")
    assert "Tak, fordi du delte din erfaring" in replies[-1].text
    assert "citeret, men uden dit navn" in replies[-1].text
    [stored] = await _experiences(database)
    assert stored.used_for == "Svar til borger med CPR [CPR-nummer fjernet]"
    assert stored.hard_text == "Min leder ([telefonnummer fjernet]) var i tvivl"
    assert (stored.task_type, stored.gain, stored.barriers, stored.consent) == (
        "kommunikation",
        "tid",
        ["regler", "svarkvalitet"],
        "citat_anonymt",
    )
    assert stored.campaign_id is not None and stored.unit is None
    assert "010190" not in caplog.text and "22 33 44 55" not in caplog.text


async def test_answering_the_same_month_again_updates_the_answer(
    router: Router, texts: Texts, december: str, database: Database
) -> None:
    card = monthly_prompt_card(texts, december)
    reminder = monthly_prompt_card(texts, december, reminder=True)

    await router.handle(submit(card, used_for="Referat", task_type="moedereferater"))
    replies = await router.handle(submit(reminder, used_for="Referat og dagsorden", gain="tid"))

    assert "opdateret dit svar" in replies[-1].text
    [stored] = await _experiences(database)
    assert (stored.used_for, stored.task_type, stored.gain) == ("Referat og dagsorden", None, "tid")


async def test_two_people_answering_the_same_month_are_two_experiences(
    router: Router, texts: Texts, december: str, database: Database
) -> None:
    card = monthly_prompt_card(texts, december)

    await router.handle(submit(card, gain="tid"))
    await router.handle(submit(card, person=KOLLEGA, gain="kvalitet"))

    assert sorted(row.gain or "" for row in await _experiences(database)) == ["kvalitet", "tid"]


async def test_an_unknown_choice_is_explained_and_nothing_is_stored(
    router: Router, texts: Texts, december: str, database: Database
) -> None:
    card = monthly_prompt_card(texts, december)

    replies = await router.handle(submit(card, used_for="Brev", gain="penge"))

    assert "»Hvad fik du ud af det?«" in replies[0].text
    assert "der blev ikke gemt noget" in replies[0].text
    assert await _experiences(database) == []


async def test_an_empty_card_is_explained_and_nothing_is_stored(
    router: Router, texts: Texts, december: str, database: Database
) -> None:
    card = monthly_prompt_card(texts, december)

    replies = await router.handle(submit(card, used_for="   ", consent="kun_samlet"))

    assert "Du har ikke udfyldt noget" in replies[0].text
    assert "Intet at dele denne måned" in replies[0].text
    assert await _experiences(database) == []


async def test_very_long_text_is_cut_and_the_person_is_told(
    router: Router, texts: Texts, december: str, database: Database
) -> None:
    card = monthly_prompt_card(texts, december)

    replies = await router.handle(submit(card, used_for="Jeg skrev et langt brev. " * 200))

    assert "de første 1000 tegn" in replies[-1].text
    [stored] = await _experiences(database)
    assert 900 < len(stored.used_for) <= 1000


async def test_named_quoting_is_confirmed_as_chosen(
    router: Router, texts: Texts, december: str
) -> None:
    card = monthly_prompt_card(texts, december)

    replies = await router.handle(submit(card, gain="service", consent="citat_med_navn"))

    assert "citeret med dit navn" in replies[-1].text


async def test_nothing_to_share_counts_as_an_answer(
    router: Router, texts: Texts, december: str, database: Database
) -> None:
    card = monthly_prompt_card(texts, december)

    replies = await router.handle(submit(card, button=1))

    assert replies[0].updates_submitted_card
    assert "det tæller også" in replies[-1].text
    async with database.session() as session:
        [answer] = (await session.execute(select(CampaignRecipientRow))).scalars().all()
    assert answer.answer_kind == "nothing" and answer.answered_at is not None
    assert await _experiences(database) == []


async def test_an_experience_shared_any_time_has_no_campaign(
    router: Router, database: Database
) -> None:
    card = (await router.handle(message("del erfaring")))[0].card
    another = (await router.handle(message("del erfaring")))[0].card
    assert card is not None and another is not None

    first = await router.handle(submit(card, used_for="Oversatte en vejledning til engelsk"))
    await router.handle(submit(another, used_for="Lavede en tjekliste", task_type="andet"))

    assert "Tak, fordi du delte din erfaring" in first[-1].text
    stored = await _experiences(database)
    assert [(row.campaign_id, row.used_for) for row in stored] == [
        (None, "Oversatte en vejledning til engelsk"),
        (None, "Lavede en tjekliste"),
    ]


async def test_a_card_submitted_twice_is_stored_once_and_the_second_gets_a_note(
    router: Router, texts: Texts, december: str, database: Database
) -> None:
    card = monthly_prompt_card(texts, december)

    await router.handle(submit(card, used_for="Referat", consent="citat_med_navn"))
    again = await router.handle(submit(card, used_for="Referat", consent="kun_samlet"))
    nothing = await router.handle(submit(card, button=1))

    for replies in (again, nothing):
        assert [reply.text for reply in replies] == [
            "Det kort har du allerede sendt, så jeg har ikke gemt noget nyt. "
            "Vil du dele mere, så skriv **del erfaring**."
        ]
    [stored] = await _experiences(database)
    assert stored.consent == "citat_med_navn"


async def test_two_cards_never_share_an_input_id(texts: Texts, december: str) -> None:
    first, second = monthly_prompt_card(texts, december), monthly_prompt_card(texts, december)

    assert not {i.id for i in first.inputs} & {i.id for i in second.inputs}
    assert first.actions[0].data["card"] != second.actions[0].data["card"]


async def test_an_invalid_submission_leaves_the_card_usable(
    router: Router, texts: Texts, december: str, database: Database
) -> None:
    card = monthly_prompt_card(texts, december)

    await router.handle(submit(card, used_for="Brev", gain="penge"))
    replies = await router.handle(submit(card, used_for="Brev", gain="tid"))

    assert "Tak, fordi du delte din erfaring" in replies[-1].text
    assert len(await _experiences(database)) == 1
