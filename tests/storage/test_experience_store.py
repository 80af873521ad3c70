"""Tests for the ExperienceStore: campaigns, recipients, answers, reminders and opt-outs."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from digests.digest_store import scrub_withdrawn_quotes
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from storage.conversation_store import Store
from storage.database import Database, StorageError
from storage.experience_store import ExperienceStore, NewExperience
from storage.models_experiences import CampaignRecipientRow, ExperienceRow

ANE = Person("teams", "29:ane", "Ane Hansen", tenant_id="tenant-1")
BO = Person("teams", "29:bo", "Bo Jensen", tenant_id="tenant-1")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
EXPERIENCE = NewExperience(
    used_for="Mødereferat",
    task_type="moedereferater",
    gain="tid",
    barriers=("teknik",),
    hard_text="",
    consent="kun_samlet",
)


def _incoming(
    person: Person,
    conversation_id: str,
    conversation_type: ConversationType = ConversationType.PERSONAL,
) -> Incoming:
    return Incoming(
        kind=IncomingKind.MESSAGE,
        person=person,
        conversation_id=conversation_id,
        conversation_type=conversation_type,
        reference={"conversation": {"id": conversation_id}},
    )


@pytest.fixture
def experiences(database: Database) -> ExperienceStore:
    return ExperienceStore(database, scrub_withdrawn_quotes)


async def _count(database: Database, entity: type[object]) -> int:
    async with database.session() as session:
        return (await session.execute(select(func.count()).select_from(entity))).scalar_one()


async def test_a_month_has_one_campaign_even_when_started_concurrently(
    experiences: ExperienceStore,
) -> None:
    results = await asyncio.gather(
        *(experiences.start_campaign("2026-12", TODAY, date(2026, 12, 15), NOW) for _ in range(4))
    )

    assert len({campaign.id for campaign, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await experiences.campaign("2026-12") == results[0][0]
    assert await experiences.campaign("2027-01") is None


async def test_targets_are_each_persons_newest_active_personal_chat_not_yet_asked(
    experiences: ExperienceStore, store: Store
) -> None:
    await store.save_reference(_incoming(ANE, "a:old"))
    await store.save_reference(_incoming(ANE, "a:new"))
    await store.save_reference(_incoming(ANE, "19:channel", ConversationType.CHANNEL))
    await store.save_reference(_incoming(BO, "a:bo"))
    await store.deactivate_reference("teams", "a:bo")
    campaign, _ = await experiences.start_campaign("2026-12", TODAY, date(2026, 12, 15), NOW)

    targets = await experiences.campaign_targets(campaign.id)

    ane = await store.remember_person(ANE)
    assert [(t.user_id, t.conversation_id) for t in targets] == [(ane, "a:new")]
    assert await experiences.record_recipients(campaign.id, [ane], NOW, TODAY) == 1
    assert await experiences.record_recipients(campaign.id, [ane], NOW, TODAY) == 0
    assert await experiences.campaign_targets(campaign.id) == []


async def test_a_second_answer_to_a_campaign_replaces_the_first_ad_hoc_ones_add_up(
    experiences: ExperienceStore, store: Store, database: Database
) -> None:
    ane = await store.remember_person(ANE)
    await experiences.start_campaign("2026-12", TODAY, date(2026, 12, 15), NOW)

    first = await experiences.save_experience(ane, EXPERIENCE, "2026-12", NOW, TODAY)
    changed = NewExperience("Oversættelse", "oversaettelse", "service", (), "", "citat_anonymt")
    second = await experiences.save_experience(
        ane, changed, "2026-12", NOW + timedelta(hours=1), TODAY
    )
    await experiences.save_experience(ane, EXPERIENCE, None, NOW, TODAY)
    await experiences.save_experience(ane, EXPERIENCE, None, NOW, TODAY)

    assert (first.updated, second.updated) == (False, True)
    assert second.experience.id == first.experience.id
    assert second.experience.used_for == "Oversættelse"
    assert second.experience.created_at == NOW
    assert second.experience.campaign_month == "2026-12"
    assert await _count(database, ExperienceRow) == 3


async def test_an_answer_for_an_unknown_month_is_kept_as_ad_hoc(
    experiences: ExperienceStore, store: Store
) -> None:
    ane = await store.remember_person(ANE)

    saved = await experiences.save_experience(ane, EXPERIENCE, "2031-01", NOW, TODAY)

    assert saved.experience.campaign_month is None
    assert await experiences.record_nothing_to_share(ane, "2031-01", NOW) is False


async def test_nothing_to_share_never_overrides_a_shared_experience(
    experiences: ExperienceStore, store: Store, database: Database
) -> None:
    ane = await store.remember_person(ANE)
    bo = await store.remember_person(BO)
    campaign, _ = await experiences.start_campaign("2026-12", TODAY, date(2026, 12, 15), NOW)
    await experiences.record_recipients(campaign.id, [ane, bo], NOW, date(2026, 12, 4))

    await experiences.save_experience(ane, EXPERIENCE, "2026-12", NOW, TODAY)
    assert await experiences.record_nothing_to_share(ane, "2026-12", NOW) is True
    await experiences.record_nothing_to_share(bo, "2026-12", NOW)
    await experiences.save_experience(bo, EXPERIENCE, "2026-12", NOW, TODAY)

    async with database.session() as session:
        rows = (await session.execute(select(CampaignRecipientRow))).scalars().all()
    assert {row.user_id: row.answer_kind for row in rows} == {ane: "shared", bo: "shared"}
    assert await _count(database, ExperienceRow) == 2


async def test_reminders_need_a_reachable_unanswered_person_in_an_open_campaign(
    experiences: ExperienceStore, store: Store
) -> None:
    await store.save_reference(_incoming(ANE, "a:ane"))
    await store.save_reference(_incoming(BO, "a:bo"))
    ane, bo = await store.remember_person(ANE), await store.remember_person(BO)
    campaign, _ = await experiences.start_campaign("2026-12", TODAY, date(2026, 12, 15), NOW)
    await experiences.record_recipients(campaign.id, [ane, bo], NOW, date(2026, 12, 4))

    assert await experiences.due_reminders(date(2026, 12, 3)) == []
    await store.deactivate_reference("teams", "a:bo")  # Kompas was removed from Bo's chat
    due = await experiences.due_reminders(date(2026, 12, 4))
    assert [(d.month, d.target.user_id, d.target.conversation_id) for d in due] == [
        ("2026-12", ane, "a:ane")
    ]
    assert await experiences.mark_reminded([due[0].recipient_id], NOW) == 1
    assert await experiences.mark_reminded([due[0].recipient_id], NOW) == 0
    assert await experiences.due_reminders(date(2026, 12, 7)) == []
    assert await experiences.due_reminders(date(2026, 12, 15)) == []


async def test_opting_out_and_back_in(experiences: ExperienceStore, store: Store) -> None:
    ane = await store.remember_person(ANE)
    bo = await store.remember_person(BO)

    assert await experiences.is_opted_out(ane) is False
    assert await experiences.set_opted_out(ane, True, NOW) is True
    assert await experiences.set_opted_out(ane, True, NOW) is False
    assert (await experiences.is_opted_out(ane), await experiences.is_opted_out(bo)) == (
        True,
        False,
    )
    assert await experiences.set_opted_out(ane, False, NOW) is True
    assert await experiences.set_opted_out(ane, False, NOW) is False
    assert await experiences.is_opted_out(ane) is False


async def test_the_database_refuses_an_unknown_choice(
    experiences: ExperienceStore, store: Store
) -> None:
    ane = await store.remember_person(ANE)
    wrong = NewExperience("x", "spåkugle", None, (), "", "kun_samlet")

    with pytest.raises(StorageError):
        await experiences.save_experience(ane, wrong, None, NOW, TODAY)


async def test_others_see_an_author_only_when_named_quoting_was_chosen(
    experiences: ExperienceStore, store: Store
) -> None:
    ane, bo = await store.remember_person(ANE), await store.remember_person(BO)
    named = NewExperience("Referat", None, "tid", (), "", "citat_med_navn")
    anonymous = NewExperience("Brev", None, "kvalitet", (), "", "citat_anonymt")
    await experiences.save_experience(ane, named, None, NOW, TODAY)
    await experiences.save_experience(bo, anonymous, None, NOW + timedelta(minutes=1), TODAY)
    await experiences.save_experience(bo, EXPERIENCE, None, NOW + timedelta(minutes=2), TODAY)
    await experiences.save_experience(ane, EXPERIENCE, None, NOW + timedelta(days=40), TODAY)

    shared = await experiences.shared_experiences(NOW, NOW + timedelta(days=30))

    assert [(s.used_for, s.author_name, s.quotable) for s in shared] == [
        ("Referat", "Ane Hansen", True),
        ("Brev", None, True),
        ("Mødereferat", None, False),
    ]
