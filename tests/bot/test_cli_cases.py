"""`kompas cases list|show|answer|close` as an admin runs them (subprocesses, real database)."""

from __future__ import annotations

from delivery.payload import reply_from_json
from storage.case_records import CaseState
from storage.database import Database
from tests.bot.test_cli import kompas
from tests.cases.conftest import AMBASSADORS, ASKER, OTHER_ASKER, Desk
from tests.dialogs.conftest import MakeRouter, knowledge, make_router

__all__ = ["knowledge", "make_router"]


async def test_an_admin_lists_shows_answers_and_closes_cases_in_the_terminal(
    make_router: MakeRouter, database: Database, database_url: str
) -> None:
    desk = Desk(make_router(ambassadors_conversation=AMBASSADORS), database)
    await desk.hand_on(ASKER, "Hvornår har kantinen åbent?", contact=True)
    await desk.hand_on(OTHER_ASKER, "Må jeg tage min hund med på arbejde?")
    env = {"DATABASE_URL": database_url, "KOMPAS_AMBASSADORS_CONVERSATION": AMBASSADORS}

    listed = kompas("cases", "list", env=env)
    shown = kompas("cases", "show", "1", env=env)
    answered = kompas(
        "cases", "answer", "1", "Kl. 11-13, ring 12 34 56 78", "--by", "Dorte Admin", env=env
    )
    again = kompas("cases", "answer", "1", "Kl. 11-13, ring 12 34 56 78", env=env)
    closed = kompas("cases", "close", "1", "Forkert sted", env=env)
    missing = kompas("cases", "show", "99", env=env)

    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "2 open cases, newest first (page 1):"
    assert lines[1].split()[:2] == ["#2", "ny"] and "hund" in lines[1]
    assert "kantinen" in lines[2] and ASKER.name not in listed.stdout
    assert "may be contacted: Mette Hansen" in shown.stdout  # she said yes
    assert answered.returncode == 0 and "1 asker(s) will be told" in answered.stdout
    assert again.returncode == 0 and "already" in again.stdout
    assert closed.returncode == 1 and "is besvaret" in closed.stderr
    assert missing.returncode == 1 and "no case #99" in missing.stderr
    case = await desk.case(1)
    assert case.state is CaseState.ANSWERED and "12 34 56 78" not in (case.answer or "")
    [answer] = await desk.to_asker(ASKER)
    card = reply_from_json(answer.payload).card
    assert card is not None and card.facts[0].value == "Dorte, digitaliseringskonsulent"
    assert "Kl. 11-13" in (await desk.post(1)).sections[0].text
    assert OTHER_ASKER.name not in kompas("cases", "show", "2", env=env).stdout
    assert kompas("cases", "list", env=env).stdout.startswith("1 open cases")
