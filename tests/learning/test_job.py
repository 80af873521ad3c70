"""The draft job: on the digest day, an hour after the digests, the month just closed."""

from __future__ import annotations

import pickle
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bot.composition import compose
from delivery.outbox import Outbox
from dialogs.base import DialogDeps
from digests.job import digest_day
from digests.service import DigestService
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from learning.job import LEARNING_DRAFTER, learning_job_spec, run_learning_draft_job
from learning.post import post_text
from learning.posts import draft_key
from scheduling.context import JobContext
from storage.database import Database
from storage.models import QuestionRow
from storage.models_cases import CaseAskerRow, CaseRow
from tests.digests.support import MONTH, seed_world

CPH = ZoneInfo("Europe/Copenhagen")


def digest_morning(settings: Settings) -> datetime:
    """10 o'clock on October's digest day, when the draft is made."""
    day = digest_day(2026, 10, settings.schedule.campaign_window_working_days)
    return datetime.combine(day, datetime.min.time(), CPH).replace(hour=10)


def services_at(
    moment: datetime, settings: Settings, database: Database, texts: Texts
) -> DialogDeps:
    """Kompas's services with the clock standing at `moment`."""
    knowledge = KnowledgeBase.load(settings.content_dir, settings.contacts)
    return compose(settings, database, knowledge, texts, clock=lambda: moment)


def test_the_draft_fires_an_hour_after_the_digests_and_pickles() -> None:
    spec = learning_job_spec(Settings())
    first = spec.trigger.get_next_fire_time(None, datetime(2026, 11, 1, tzinfo=CPH))

    assert first == datetime.combine(digest_day(2026, 11, 10), datetime.min.time(), CPH).replace(
        hour=10
    )
    assert spec.func_ref == "learning.job:run_learning_draft_job"
    assert pickle.loads(pickle.dumps(spec.trigger)) == spec.trigger


async def test_the_job_drafts_the_month_just_closed_once(database: Database) -> None:
    settings = Settings(ambassadors_conversation="19:ambassadoerer@thread.tacv2")
    texts = Texts(settings.content_dir / "templates")
    await seed_world(database)
    await DigestService(database, texts, settings).compute_month(MONTH)
    october = datetime(2026, 10, 20, 10, tzinfo=CPH)
    async with database.transaction() as connection:  # an ambassador referred a question
        await connection.execute(
            insert(CaseRow).values(
                state="henvist", channel="teams", topic_ids=[], referred_topic_id="persondata",
                resolved_at=october, created_at=october, updated_at=october,
            )
        )  # fmt: skip
    morning = digest_morning(settings)
    deps = services_at(morning, settings, database, texts)
    context = JobContext(tz=CPH, clock=lambda: morning)
    context.provide(LEARNING_DRAFTER, deps.learning.posts)

    await run_learning_draft_job(context)
    await run_learning_draft_job(context)  # a second run changes nothing

    post = await deps.learning.posts.store.waiting_draft()
    assert post is not None and post.month == MONTH and post.draft_version == 0
    answered = [item for item in post.payload["items"] if item["kind"] == "answered"]
    assert answered == [
        {"key": "answered", "kind": "answered", "topics": ["Persondata og CPR-numre"]}
    ]
    queued = await Outbox(database).find(draft_key(MONTH, "ambassadors"))
    assert queued is not None and queued.conversation_id == "19:ambassadoerer@thread.tacv2"


async def test_uncertainty_about_the_rules_points_to_the_months_most_asked_topics(
    database: Database,
) -> None:
    settings = Settings(ambassadors_conversation="19:ambassadoerer@thread.tacv2")
    texts = Texts(settings.content_dir / "templates")
    world = await seed_world(database)  # Team A1's sharers met "usikkerhed om reglerne"
    await DigestService(database, texts, settings).compute_month(MONTH)
    october = datetime(2026, 10, 21, 10, tzinfo=CPH)
    asked = [("bias", f"a2-{n}") for n in range(6)] + [("prompting", "a1-0"), ("prompting", "a1-1")]
    async with database.transaction() as connection:
        for topic, person in asked:
            await connection.execute(
                insert(QuestionRow).values(
                    user_id=world.users[person], text="spørgsmål", topic_id=topic, score=0.9,
                    in_scope=True, created_at=october,
                )
            )  # fmt: skip
    deps = services_at(digest_morning(settings), settings, database, texts)

    post = await deps.learning.posts.draft(MONTH)

    assert post is not None
    [rules] = [i for i in post.payload["items"] if i.get("label") == "Usikkerhed om reglerne"]
    assert rules["topics"][0] == "Bias og forskelsbehandling"  # six people asked about it
    assert "Sådan skriver du en god prompt" not in rules["topics"]  # two: too few to rank


async def test_a_question_many_asked_and_an_ambassador_answered_is_in_the_post(
    database: Database,
) -> None:
    settings = Settings(ambassadors_conversation="19:ambassadoerer@thread.tacv2")
    texts = Texts(settings.content_dir / "templates")
    world = await seed_world(database)
    await DigestService(database, texts, settings).compute_month(MONTH)
    october = datetime(2026, 10, 22, 10, tzinfo=CPH)
    many = [f"a1-{n}" for n in range(10)]  # KOMPAS_MIN_TEXT_GROUP people asked this one
    few = [f"a2-{n}" for n in range(3)]
    async with database.transaction() as connection:
        for text, askers in (("Må vi bruge AI til vagtplanen?", many), ("Hvem ejer chatten?", few)):
            case = await connection.execute(
                insert(CaseRow).values(
                    state="besvaret", channel="teams", topic_ids=[], answer="Ja, med omtanke.",
                    resolved_at=october, created_at=october, updated_at=october,
                ).returning(CaseRow.id)
            )  # fmt: skip
            case_id = case.scalar_one()
            for person in askers:
                question = await connection.execute(
                    insert(QuestionRow).values(
                        user_id=world.users[person], text=text, topic_id=None, score=0.1,
                        in_scope=False, created_at=october,
                    ).returning(QuestionRow.id)
                )  # fmt: skip
                await connection.execute(
                    insert(CaseAskerRow).values(
                        case_id=case_id, question_id=question.scalar_one(),
                        user_id=world.users[person], text=text, asked_at=october,
                        channel="teams",
                    )
                )  # fmt: skip
    deps = services_at(digest_morning(settings), settings, database, texts)

    post = await deps.learning.posts.draft(MONTH)

    assert post is not None
    [answered] = [item for item in post.payload["items"] if item["kind"] == "answered"]
    assert answered["questions"] == ["Må vi bruge AI til vagtplanen?"]  # not the one of three
    assert "»Må vi bruge AI til vagtplanen?«" in post_text(texts, post.payload)
