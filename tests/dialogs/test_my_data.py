"""`mine data`, `eksportér mine data`, `slet mine data`: the person's own data, theirs alone."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from dialogs.my_data import CONFIRM_DELETE_VERB
from dialogs.router import Router
from digests.digest_store import scrub_withdrawn_quotes
from experiences.personal_data import PersonalDataService, export_json
from ground.clock import utc_now
from ground.messages import Card, Incoming, IncomingKind, Person, Reply
from knowledge.answer_card import ASK_AMBASSADOR_VERB
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.models import ConversationReferenceRow, QuestionRow
from storage.models_cases import CaseAskerRow
from storage.models_experiences import CampaignRecipientRow, ExperienceRow, ReminderOptOutRow
from storage.team_rosters import InstalledTeam, TeamMember, TeamRosterStore
from tests.dialogs.helpers import KOLLEGA, MEDARBEJDER, message, press

PERSONAL_TABLES = (
    QuestionRow,
    CaseAskerRow,
    ExperienceRow,
    CampaignRecipientRow,
    ConversationReferenceRow,
    ReminderOptOutRow,
)


def _submit(card: Card, person: Person, button: int = 0, **inputs: str) -> Incoming:
    action = card.actions[button]
    return Incoming(
        kind=IncomingKind.SUBMIT,
        person=person,
        conversation_id=f"a:{person.user_id}",
        value={"verb": action.verb, **action.data, **inputs},
    )


async def _lives_with_kompas(router: Router, person: Person, word: str) -> None:
    """The person asks, hands a question to an ambassador, shares, answers and pauses."""
    await router.handle(message(f"Må jeg bruge AI til {word}?", person=person))
    unknown = (await router.handle(message("Hvornår har kantinen åbent?", person=person)))[-1]
    assert unknown.card is not None and unknown.card.actions[-1].verb == ASK_AMBASSADOR_VERB
    await router.handle(press(unknown.card.actions[-1], person=person))
    card = (await router.handle(message("del erfaring", person=person)))[0].card
    assert card is not None
    await router.handle(_submit(card, person, used_for=f"{word} med 010190-1234", gain="tid"))
    campaign_card_action = {"campaign": "2026-12"}
    await router.handle(
        Incoming(
            kind=IncomingKind.SUBMIT,
            person=person,
            conversation_id=f"a:{person.user_id}",
            value={"verb": "experience_nothing", **campaign_card_action},
        )
    )
    await router.handle(message("pause", person=person))


@pytest.fixture
async def two_people(router: Router, database: Database) -> None:
    await ExperienceStore(database, scrub_withdrawn_quotes).start_campaign(
        "2026-12", date(2026, 12, 1), date(2026, 12, 15), utc_now()
    )
    await _lives_with_kompas(router, MEDARBEJDER, "mettes")
    await _lives_with_kompas(router, KOLLEGA, "jonas")


async def _rows_of(database: Database, store: Store, person: Person) -> dict[str, int]:
    user_id = await store.remember_person(person)
    counts = {}
    async with database.session() as session:
        for table in PERSONAL_TABLES:
            query = select(func.count()).select_from(table).where(table.user_id == user_id)
            counts[table.__tablename__] = (await session.execute(query)).scalar_one()
    return counts


async def _export(replies: list[Reply], database: Database, store: Store) -> dict[str, Any]:
    """The export card is a readable summary with the link; the JSON is only the download's."""
    [reply] = replies
    assert reply.card is not None
    shown = json.dumps([reply.card.sections, reply.card.facts], default=str, ensure_ascii=False)
    assert "```" not in shown and "/exports/" in shown
    user_id = await store.remember_person(MEDARBEJDER)
    return dict(json.loads(export_json(await PersonalDataService(database).collect(user_id))))


async def test_mine_data_shows_counts_and_the_latest_items(
    router: Router, two_people: None
) -> None:
    replies = await router.handle(message("mine data"))

    card = replies[0].card
    assert card is not None and card.title == "Dine data i Kompas"
    text = card.sections[0].text
    assert "**Spørgsmål, du har stillet:** 2" in text
    assert "Må jeg bruge AI til mettes?" in text
    assert "jonas" not in text
    assert "**Spørgsmål sendt til en AI-ambassadør:** 1" in text
    assert "**Erfaringer, du har delt:** 1" in text
    assert "mettes med [CPR-nummer fjernet]" in text
    assert "heraf besvaret: 1" in text
    assert "på pause" in text
    assert [a.title for a in card.actions] == ["Eksportér mine data", "Slet mine data"]


@pytest.mark.parametrize("command", ["eksportér mine data", "Eksporter mine data"])
async def test_the_export_is_json_with_my_data_and_nobody_elses(
    router: Router, two_people: None, command: str, database: Database, store: Store
) -> None:
    replies = await router.handle(message(command))

    assert "JSON" in replies[0].card.sections[0].text  # type: ignore[union-attr]
    exported = await _export(replies, database, store)
    assert (exported["channel"], exported["channel_user_id"]) == ("teams", "29:mette")
    assert exported["questions"]["count"] == 2
    assert exported["open_questions"]["count"] == 1
    [experience] = exported["experiences"]["items"]
    assert experience["used_for"] == "mettes med [CPR-nummer fjernet]"
    assert exported["campaign_answers"]["items"][0]["answer_kind"] == "nothing"
    assert exported["paused_since"] is not None
    assert "jonas" not in json.dumps(exported).lower()
    assert "010190" not in json.dumps(exported)


async def test_delete_asks_first_and_no_keeps_everything(
    router: Router, store: Store, database: Database, two_people: None
) -> None:
    before = await _rows_of(database, store, MEDARBEJDER)

    asked = await router.handle(message("slet mine data"))
    card = asked[0].card
    assert card is not None
    assert "endelig" in card.sections[0].text
    assert [a.title for a in card.actions] == ["Ja, slet alt", "Nej"]
    kept = await router.handle(press(card.actions[1]))

    assert "ikke slettet noget" in kept[0].text
    assert await _rows_of(database, store, MEDARBEJDER) == before


async def test_delete_is_final_and_leaves_other_people_alone(
    router: Router, store: Store, database: Database, two_people: None
) -> None:
    colleague_before = await _rows_of(database, store, KOLLEGA)
    assert all(colleague_before.values())
    user_id = await store.remember_person(MEDARBEJDER)
    card = (await router.handle(message("slet mine data")))[0].card
    assert card is not None and card.actions[0].verb == CONFIRM_DELETE_VERB

    replies = await router.handle(press(card.actions[0]))

    assert "Dine data er slettet" in replies[0].text
    data = await PersonalDataService(database).collect(user_id)
    assert data.is_empty
    assert data.name == ""
    assert set((await _rows_of(database, store, MEDARBEJDER)).values()) == {0}
    assert await _rows_of(database, store, KOLLEGA) == colleague_before
    assert not await ExperienceStore(database, scrub_withdrawn_quotes).is_opted_out(user_id)


async def test_after_deleting_the_export_holds_only_the_conversation_in_use(
    router: Router, two_people: None, database: Database, store: Store
) -> None:
    card = (await router.handle(message("slet mine data")))[0].card
    assert card is not None
    await router.handle(press(card.actions[0]))

    exported = await _export(await router.handle(message("eksportér mine data")), database, store)

    for part in ("questions", "open_questions", "experiences", "campaign_answers"):
        assert exported[part] == {"count": 0, "items": []}
    assert exported["paused_since"] is None
    # Writing to Kompas (this export) stores the conversation again so it can answer.
    assert [c["conversation_id"] for c in exported["conversations"]["items"]] == ["a:29:mette"]


async def test_delete_removes_me_from_the_rosters_of_teams_kompas_is_in(
    router: Router, store: Store, database: Database
) -> None:
    rosters = TeamRosterStore(database)
    team = InstalledTeam("teams", "19:team", "Hjemmeplejen", None, "https://smba/")
    await rosters.installed(team)
    await rosters.replace_members(
        "teams",
        team.team_id,
        [TeamMember(MEDARBEJDER.user_id, "aad-mette"), TeamMember(KOLLEGA.user_id)],
    )
    card = (await router.handle(message("slet mine data")))[0].card
    assert card is not None

    replies = await router.handle(press(card.actions[0]))

    assert "Dine data er slettet" in replies[0].text
    members = await rosters.members("teams", team.team_id)
    assert [m.user_id for m in members] == [KOLLEGA.user_id]
