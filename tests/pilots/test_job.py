"""The scheduled `kompas.pilot-checkins` job: working days only, through the job context."""

from __future__ import annotations

from datetime import date, datetime
from inspect import iscoroutinefunction

from apscheduler.util import ref_to_obj

from scheduling.context import JobContext
from scheduling.jobs import PILOT_CHECKINS_JOB_ID, WorkingDaysTrigger, kompas_job_specs
from scheduling.tasks import PILOT_CHECKIN_SENDER, send_pilot_checkins
from tests.pilots.support import CPH, JONAS, KARIN, METTE, World, at


def test_the_pilot_job_runs_daily_on_working_days_after_lunch() -> None:
    specs = {spec.id: spec for spec in kompas_job_specs()}

    spec = specs[PILOT_CHECKINS_JOB_ID]
    assert isinstance(spec.trigger, WorkingDaysTrigger)
    assert iscoroutinefunction(ref_to_obj(spec.func_ref)) and spec.coalesce
    first = spec.trigger.get_next_fire_time(None, datetime(2027, 3, 25, 8, tzinfo=CPH))
    assert first == at(2027, 3, 30, 13)  # skærtorsdag to 2. påskedag are closed


async def test_the_job_queues_todays_check_ins_and_skips_closed_days(world: World) -> None:
    for person in (METTE, JONAS, KARIN):
        await world.say(person, "hej")
    await world.create_pilot(start="18.03.2027", participants="Mette Hansen, Jonas Berg")
    queued_on: dict[date, int] = {}
    for moment in (at(2027, 3, 29, 13), at(2027, 3, 30, 13)):
        world.clock.now = moment
        context = JobContext(tz=CPH, clock=world.clock)
        context.provide(PILOT_CHECKIN_SENDER, world.checkins)
        before = len(await world.outbox_rows())
        await send_pilot_checkins(context)
        queued_on[moment.date()] = len(await world.outbox_rows()) - before

    assert queued_on == {date(2027, 3, 29): 0, date(2027, 3, 30): 2}
