"""The monthly campaign end to end: references → outbox rows → answers → one reminder."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from delivery.outbox import Outbox, OutboxState
from dialogs.router import Router
from digests.digest_store import scrub_withdrawn_quotes
from experiences.campaign import CampaignService, campaign_key, reminder_key
from ground.channel_descriptions import CLI, TEAMS
from ground.channels import Channels
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from ground.settings import Settings
from ground.texts import Texts
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.models_experiences import CampaignRecipientRow, CampaignRow, ExperienceRow
from storage.models_outbox import OutboxRow
from tests.experiences.conftest import Clock, MakeCampaign, at, chat

METTE = Person("teams", "29:mette", "Mette Hansen", tenant_id="t1")
JONAS = Person("teams", "29:jonas", "Jonas Berg", tenant_id="t1")
OLE = Person("cli", "ole", "ole")
SARA = Person("slack", "U123", "Sara Nielsen")
GITTE = Person("teams", "29:gitte", "Gitte Holm", tenant_id="t1")  # only in a group chat
PETER = Person("teams", "29:peter", "Peter Dahl", tenant_id="t1")  # paused


async def _outbox_rows(database: Database) -> list[OutboxRow]:
    async with database.session() as session:
        rows = await session.execute(select(OutboxRow).order_by(OutboxRow.id))
        return list(rows.scalars())


async def _recipients(database: Database) -> list[CampaignRecipientRow]:
    async with database.session() as session:
        rows = await session.execute(select(CampaignRecipientRow).order_by(CampaignRecipientRow.id))
        return list(rows.scalars())


async def _everyone_talks_to_kompas(router: Router) -> None:
    for person in (METTE, JONAS, OLE, SARA, PETER):
        await router.handle(chat(person))
    await router.handle(chat(JONAS, ConversationType.GROUP, "19:team-chat"))
    await router.handle(chat(GITTE, ConversationType.GROUP, "19:team-chat"))
    await router.handle(Incoming(IncomingKind.MESSAGE, PETER, f"a:{PETER.user_id}", text="pause"))


def _answer(person: Person, outbox_card: Any, button: int = 0, **inputs: str) -> Incoming:
    action = outbox_card.actions[button]
    return Incoming(
        kind=IncomingKind.SUBMIT,
        person=person,
        conversation_id=f"a:{person.user_id}",
        value={"verb": action.verb, **action.data, **inputs},
    )


async def test_starting_twice_queues_one_prompt_per_person_in_their_personal_chat(
    router: Router, campaign: CampaignService, outbox: Outbox, store: Store, database: Database
) -> None:
    await _everyone_talks_to_kompas(router)

    first = await campaign.start_monthly_campaign(date(2026, 12, 1))
    again = await campaign.start_monthly_campaign(date(2026, 12, 1))

    assert (first, again) == (4, 0)
    rows = await _outbox_rows(database)
    ids = {person: await store.remember_person(person) for person in (METTE, JONAS, OLE, SARA)}
    assert sorted(row.key for row in rows) == sorted(
        campaign_key("2026-12", user_id) for user_id in ids.values()
    )
    jonas = await outbox.find(campaign_key("2026-12", ids[JONAS]))
    assert jonas is not None
    assert (jonas.channel, jonas.conversation_id, jonas.user_id) == (
        "teams",
        "a:29:jonas",
        ids[JONAS],
    )
    ole = await outbox.find(campaign_key("2026-12", ids[OLE]))
    assert ole is not None and (ole.channel, ole.conversation_id) == ("cli", "a:ole")
    sara = await outbox.find(campaign_key("2026-12", ids[SARA]))
    assert sara is not None and sara.channel == "slack"  # every channel Kompas may write first
    async with database.session() as session:
        campaigns = (await session.execute(select(CampaignRow))).scalars().all()
    assert [c.month for c in campaigns] == ["2026-12"]
    assert sorted(r.user_id for r in await _recipients(database)) == sorted(ids.values())


async def test_the_paused_the_group_only_and_people_of_a_channel_not_run_get_nothing(
    router: Router,
    outbox: Outbox,
    texts: Texts,
    settings: Settings,
    clock: Clock,
    store: Store,
    database: Database,
) -> None:
    await _everyone_talks_to_kompas(router)
    # This process runs Teams and the terminal, not Slack (as when Slack is not configured).
    without_slack = ExperienceStore(database, scrub_withdrawn_quotes, Channels((TEAMS, CLI)))
    campaign = CampaignService(without_slack, outbox, texts, settings, clock=clock)

    await campaign.start_monthly_campaign(date(2026, 12, 1))

    keys = {row.key for row in await _outbox_rows(database)}
    for person in (PETER, GITTE, SARA):
        assert campaign_key("2026-12", await store.remember_person(person)) not in keys


async def test_the_prompt_is_the_danish_card_and_waits_for_working_hours(
    router: Router, campaign: CampaignService, clock: Clock, outbox: Outbox, store: Store
) -> None:
    await router.handle(chat(METTE))
    clock.now = at(2026, 12, 1, 20, 15)  # Tuesday evening

    await campaign.start_monthly_campaign(date(2026, 12, 1))

    entry = await outbox.find(campaign_key("2026-12", await store.remember_person(METTE)))
    assert entry is not None
    assert entry.not_before == at(2026, 12, 2, 8, 0)
    assert campaign.working_hours.within(entry.not_before)
    card = entry.reply().card
    assert card is not None
    assert card.title == "AI-erfaringer for december 2026"
    assert "også dem, hvor det ikke virkede" in card.sections[0].text
    assert [a.title for a in card.actions] == ["Send", "Intet at dele denne måned"]
    assert all(a.data["campaign"] == "2026-12" for a in card.actions)
    assert len({a.data["card"] for a in card.actions}) == 1  # both buttons name this card


async def test_a_prompt_started_in_working_hours_may_go_at_once(
    router: Router, campaign: CampaignService, clock: Clock, outbox: Outbox, store: Store
) -> None:
    await router.handle(chat(METTE))
    clock.now = at(2026, 12, 1, 9, 30)

    await campaign.start_monthly_campaign(date(2026, 12, 1))

    entry = await outbox.find(campaign_key("2026-12", await store.remember_person(METTE)))
    assert entry is not None and entry.not_before == clock.now


async def test_someone_new_is_asked_when_the_month_is_run_again_the_others_are_not(
    router: Router, campaign: CampaignService, database: Database
) -> None:
    await router.handle(chat(METTE))
    assert await campaign.start_monthly_campaign(date(2026, 12, 1)) == 1

    await router.handle(chat(JONAS))

    assert await campaign.start_monthly_campaign(date(2026, 12, 3)) == 1
    assert len(await _outbox_rows(database)) == 2
    assert len(await _recipients(database)) == 2


async def test_answers_from_the_card_count_and_only_the_silent_get_one_reminder_after_easter(
    router: Router,
    campaign: CampaignService,
    clock: Clock,
    outbox: Outbox,
    store: Store,
    database: Database,
) -> None:
    for person in (METTE, JONAS, OLE):
        await router.handle(chat(person))
    ids = {person: await store.remember_person(person) for person in (METTE, JONAS, OLE)}
    clock.now = at(2026, 4, 1, 9, 30)  # Wednesday before Easter
    await campaign.start_monthly_campaign(date(2026, 4, 1))
    prompt = await outbox.find(campaign_key("2026-04", ids[METTE]))
    assert prompt is not None
    card = prompt.reply().card

    clock.now = at(2026, 4, 7, 11, 0)
    shared = await router.handle(
        _answer(METTE, card, used_for="Referat af teammøde", task_type="moedereferater", gain="tid")
    )
    jonas_prompt = await outbox.find(campaign_key("2026-04", ids[JONAS]))
    assert jonas_prompt is not None
    nothing = await router.handle(_answer(JONAS, jonas_prompt.reply().card, button=1))
    assert "Tak" in shared[-1].text
    assert "tæller også" in nothing[-1].text

    # Skærtorsdag, langfredag and 2. påskedag are closed: 3 working days after 1 April
    # are 7, 8 and 9 April.
    counts: dict[date, list[int]] = {}
    for day in (
        date(2026, 4, 7),
        date(2026, 4, 8),
        date(2026, 4, 9),
        date(2026, 4, 9),
        date(2026, 4, 10),
    ):
        clock.now = at(day.year, day.month, day.day, 10, 0)
        counts.setdefault(day, []).append(await campaign.send_due_reminders(day))

    assert counts == {
        date(2026, 4, 7): [0],
        date(2026, 4, 8): [0],
        date(2026, 4, 9): [1, 0],
        date(2026, 4, 10): [0],
    }
    reminder = await outbox.find(reminder_key("2026-04", ids[OLE]))
    assert reminder is not None
    assert reminder.not_before == at(2026, 4, 9, 10, 0)
    reminder_card = reminder.reply().card
    assert reminder_card is not None and "eneste påmindelse" in reminder_card.sections[0].text
    keys = {row.key for row in await _outbox_rows(database)}
    assert reminder_key("2026-04", ids[METTE]) not in keys
    assert reminder_key("2026-04", ids[JONAS]) not in keys
    by_user = {r.user_id: r for r in await _recipients(database)}
    assert by_user[ids[METTE]].answer_kind == "shared"
    assert by_user[ids[JONAS]].answer_kind == "nothing"
    assert by_user[ids[OLE]].answer_kind is None and by_user[ids[OLE]].reminded_at is not None
    async with database.session() as session:
        experience = (await session.execute(select(ExperienceRow))).scalar_one()
    assert (experience.user_id, experience.task_type) == (ids[METTE], "moedereferater")


async def test_someone_who_pauses_after_the_prompt_gets_no_reminder(
    router: Router, campaign: CampaignService, clock: Clock, database: Database
) -> None:
    await router.handle(chat(METTE))
    await campaign.start_monthly_campaign(date(2026, 12, 1))

    await router.handle(
        Incoming(IncomingKind.MESSAGE, METTE, "a:29:mette", text="Stop påmindelser!")
    )

    clock.now = at(2026, 12, 4, 10, 0)
    assert await campaign.send_due_reminders(date(2026, 12, 4)) == 0
    assert len(await _outbox_rows(database)) == 1


async def test_after_start_paamindelser_the_next_month_asks_again(
    router: Router, campaign: CampaignService, clock: Clock
) -> None:
    await router.handle(chat(METTE))
    await router.handle(Incoming(IncomingKind.MESSAGE, METTE, "a:29:mette", text="pause"))
    assert await campaign.start_monthly_campaign(date(2026, 12, 1)) == 0

    await router.handle(
        Incoming(IncomingKind.MESSAGE, METTE, "a:29:mette", text="start påmindelser")
    )
    clock.now = at(2027, 1, 5)

    assert await campaign.start_monthly_campaign(date(2027, 1, 5)) == 1


async def test_sharing_any_time_during_the_campaign_means_no_reminder(
    router: Router, campaign: CampaignService, clock: Clock
) -> None:
    await router.handle(chat(METTE))
    await campaign.start_monthly_campaign(date(2026, 12, 1))
    card = (
        await router.handle(
            Incoming(IncomingKind.MESSAGE, METTE, "a:29:mette", text="del erfaring")
        )
    )[0].card

    await router.handle(_answer(METTE, card, used_for="Oversatte et brev", gain="service"))

    clock.now = at(2026, 12, 4, 10, 0)
    assert await campaign.send_due_reminders(date(2026, 12, 4)) == 0


async def test_a_queued_reminder_is_withdrawn_when_the_person_answers_or_pauses_first(
    router: Router, campaign: CampaignService, clock: Clock, store: Store, database: Database
) -> None:
    for person in (METTE, JONAS, GITTE):
        await router.handle(chat(person))
    ids = {person: await store.remember_person(person) for person in (METTE, JONAS, GITTE)}
    await campaign.start_monthly_campaign(date(2026, 12, 1))
    outbox = Outbox(database, clock=lambda: clock.now)
    prompt = await outbox.find(campaign_key("2026-12", ids[METTE]))
    assert prompt is not None and prompt.reply().card is not None
    for claimed in await outbox.claim(["teams"], limit=10):  # the prompts went out
        assert await outbox.mark_sent(claimed)

    # the daily job runs before opening time: the reminders wait for 08:00
    clock.now = at(2026, 12, 4, 6, 30)
    assert await campaign.send_due_reminders(date(2026, 12, 4)) == 3
    clock.now = at(2026, 12, 4, 7, 15)
    card = prompt.reply().card
    await router.handle(_answer(METTE, card, used_for="Referat af et møde", gain="tid"))
    await router.handle(Incoming(IncomingKind.MESSAGE, JONAS, "a:29:jonas", text="pause"))

    clock.now = at(2026, 12, 4, 8, 5)
    due = await outbox.claim(["teams"], limit=10)
    assert [message.key for message in due] == [reminder_key("2026-12", ids[GITTE])]
    for person in (METTE, JONAS):
        withdrawn = await outbox.find(reminder_key("2026-12", ids[person]))
        assert withdrawn is not None and withdrawn.state is OutboxState.WITHDRAWN


async def test_no_reminder_once_the_campaign_window_has_closed(
    router: Router, make_campaign: MakeCampaign, clock: Clock
) -> None:
    campaign = make_campaign(reminder_after_working_days=3, campaign_window_working_days=2)
    await router.handle(chat(METTE))
    await campaign.start_monthly_campaign(date(2026, 12, 1))

    clock.now = at(2026, 12, 4, 10, 0)
    assert await campaign.send_due_reminders(date(2026, 12, 4)) == 0
