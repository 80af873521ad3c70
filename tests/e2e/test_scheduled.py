"""Conversations the scheduled jobs start, the same script through Teams and through Slack."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update

from delivery.outbox import Outbox
from digests.digest_store import scrub_withdrawn_quotes
from digests.job import MonthlyDigest
from experiences.campaign import CampaignService
from experiences.prompt_card import month_name
from ground.texts import Texts
from organisation.model import OrgTree
from organisation.tree_store import OrganisationStore
from pilots.checkins import build_pilot_checkins, working_hours_of
from pilots.schedule import planned_end
from scheduling.calendar import WorkingHours
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.models_experiences import ExperienceRow
from storage.models_pilots import PilotCheckinRow, PilotRow
from tests.cards.collect import JOB_DAY, JOB_MORNING
from tests.digests.support import MONTH, seed_world
from tests.e2e.conftest import OpenKompas
from tests.e2e.driver import Someone
from tests.e2e.support import METTE, both, saying, texts_of, titled, to, with_button

PHONE = "20 30 40 50"
EMAIL = "jens.hansen@kommune.dk"
EXPERIENCE = f"Referat af teammødet med Copilot; spørg mig på {PHONE} eller {EMAIL}"
PILOT = "AI til vagtplaner i hjemmeplejen"
CHECKIN = "Vagtplanen var klar på en halv time"
LARS = Someone("lars", "Leder Lars", "lars@test.example")  # leads Center A in seed_world


async def test_the_monthly_campaign_card_is_answered_and_stored_without_personal_data(
    open_kompas: OpenKompas, texts: Texts, database: Database
) -> None:
    kompas = await open_kompas([METTE])
    label = texts.label
    await kompas.welcome(METTE)
    await kompas.expect(saying(f"Hej {METTE.first_name}!"))
    campaign = CampaignService(
        ExperienceStore(database, scrub_withdrawn_quotes),
        Outbox(database),
        texts,
        kompas.settings,
        clock=lambda: JOB_MORNING,
    )

    assert await campaign.start_monthly_campaign(JOB_DAY) == 1

    month = month_name(texts, JOB_DAY.strftime("%Y-%m"))
    card = await kompas.expect(titled(label("experience_card", "title_campaign", month=month)))
    assert card.to == METTE.key
    assert label("experience_card", "nothing") in card.buttons
    await kompas.answer_card(card, {"used_for": EXPERIENCE}, label("experience_card", "send"))
    await kompas.expect(saying("Tak, fordi du delte din erfaring"))
    told = texts_of(kompas.received)
    assert "fjernet et telefonnummer og en e-mailadresse" in told
    # The card itself became its summary, without the phone number and e-mail either.
    [summary] = [message for message in kompas.received if message.updated]
    assert summary.to == METTE.key
    assert summary.title == label("experience_summary", "title_shared")
    assert PHONE not in summary.text and EMAIL not in summary.text
    async with database.transaction() as connection:
        [stored] = (await connection.execute(select(ExperienceRow.used_for))).scalars()
    assert stored.startswith("Referat af teammødet med Copilot")
    assert PHONE not in stored and EMAIL not in stored


async def shift_pilot_to_its_third_week(database: Database) -> None:
    """The pilot created today started three weeks before the job's day (cadence: weekly)."""
    start = JOB_DAY - timedelta(weeks=3)
    async with database.transaction() as connection:
        await connection.execute(
            update(PilotRow).values(start_date=start, end_date=planned_end(start, 4))
        )


async def test_an_ambassadors_pilot_sends_a_check_in_whose_answer_is_stored(
    open_kompas: OpenKompas, texts: Texts, database: Database
) -> None:
    kompas = await open_kompas([METTE], ambassadors=[METTE])
    label = texts.label
    await kompas.say(METTE, "ny pilot")
    form = await kompas.expect(titled(label("pilot_create", "title")))
    fields = {
        "title": PILOT,
        "success": "Vagtplanen er klar før fredag",
        "participants": kompas.participant_name(METTE),
        "weeks": "4",
        "cadence": "7",
    }
    await kompas.answer_card(form, fields, label("pilot_create", "submit"))
    created = await kompas.expect(saying(PILOT))
    assert created.to == METTE.key
    await shift_pilot_to_its_third_week(database)
    checkins = build_pilot_checkins(database, texts, kompas.settings, clock=lambda: JOB_MORNING)

    assert await checkins.send_due_checkins(JOB_DAY) == 1

    card = await kompas.expect(with_button(label("pilot_checkin", "submit")))
    assert card.to == METTE.key and PILOT in card.title
    answers = {"rating": "5", "worked": CHECKIN, "decision": "continue"}
    await kompas.answer_card(card, answers, label("pilot_checkin", "submit"))
    await kompas.expect(saying("Tak! Dine svar er gemt."))
    async with database.transaction() as connection:
        query = select(PilotCheckinRow.rating, PilotCheckinRow.worked, PilotCheckinRow.decision)
        stored = await connection.execute(query.where(PilotCheckinRow.answered_at.is_not(None)))
        assert [tuple(row) for row in stored.all()] == [(5, CHECKIN, "continue")]


def last_working_moment(hours: WorkingHours, now: datetime) -> datetime:
    """The latest moment up to `now` inside working hours (what the job queues is due at once,
    and its links are valid from about now)."""
    moment = now
    while not hours.within(moment):
        moment -= timedelta(minutes=30)
    return moment


async def import_lars(database: Database) -> None:
    """The organisation import names Leder Lars by his directory id too (Teams finds him by
    it; Slack by his profile's e-mail)."""
    world = await seed_world(database)
    tree = world.tree
    lars = replace(tree.people["lead-a"], directory_id=LARS.directory_id)
    people = [lars if person.id == lars.id else person for person in tree.people.values()]
    grown = OrgTree.build(list(tree.units.values()), people, name=tree.name)
    await OrganisationStore(database).replace_tree(grown, source="e2e")


async def test_a_leader_gets_the_monthly_digest_with_a_signed_link_that_opens(
    open_kompas: OpenKompas, texts: Texts, database: Database
) -> None:
    await import_lars(database)
    kompas = await open_kompas([LARS])
    await kompas.say(LARS, "hej")  # Lars has written to Kompas once
    await kompas.expect(to(LARS))
    moment = last_working_moment(working_hours_of(kompas.settings), datetime.now(UTC))
    job = MonthlyDigest(database, texts, kompas.settings, clock=lambda: moment)

    assert await job.run_monthly_digest(MONTH) >= 1

    digest = await kompas.expect(both(to(LARS), saying("/digests/")))
    assert "Center A" in digest.text  # the unit he leads, from the import
    [link] = [link for link in digest.links if "/digests/" in link]
    assert urlsplit(link).query  # signed
    page = await kompas.open(link)
    assert page.status == 200 and page.content_type == "text/html"
    assert "<h1>Center A</h1>" in page.body
    forged = await kompas.open(link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB"))
    assert forged.status == 403
