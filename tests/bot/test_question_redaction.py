"""Issue 8.9: personal data in a question reaches neither the log nor the database."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.settings import Settings
from privacy.redaction import TOKENS, RedactionKind
from storage.database import Database
from storage.models import QuestionRow
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.conftest import on_sdk

CPR = TOKENS[RedactionKind.CPR]
PHONE = TOKENS[RedactionKind.PHONE]
EMAIL = TOKENS[RedactionKind.EMAIL]


@pytest.fixture
async def kompas(teams_sdk: str, start_app: StartApp, database_url: str) -> RunningApp:
    """create_app(settings) opening its own services (database + content) in cleanup_ctx."""
    return await start_app(create_app(on_sdk(Settings(database_url=database_url), teams_sdk)))


async def stored_questions(database: Database) -> list[str]:
    async with database.transaction() as connection:
        query = select(QuestionRow.text).order_by(QuestionRow.id)
        return [row[0] for row in (await connection.execute(query)).all()]


def digits_of(text: str) -> str:
    """The decimal digits of ``text`` as ASCII (whatever script they were written in)."""
    return "".join(str(int(char)) for char in text if char.isdecimal())


# (personal data as the person wrote it, the token that replaces it, what the notice says)
FORMS = [
    ("01.01.90-1234", CPR, "et CPR-nummer"),
    ("01.01.1990-1234", CPR, "et CPR-nummer"),
    ("010190/1234", CPR, "et CPR-nummer"),
    ("010190.1234", CPR, "et CPR-nummer"),
    ("010190_1234", CPR, "et CPR-nummer"),
    ("010190- 1234", CPR, "et CPR-nummer"),
    ("0101-90-1234", CPR, "et CPR-nummer"),
    ("01 01 90 1234", CPR, "et CPR-nummer"),
    ("０１０１９０-１２３４", CPR, "et CPR-nummer"),
    ("0101\u200b90\u200d-12\u20603\ufeff4", CPR, "et CPR-nummer"),
    ("01\u00ad01\u00ad90\u200c1234", CPR, "et CPR-nummer"),
    ("12-34-56-78", PHONE, "et telefonnummer"),
    ("12.34.56.78", PHONE, "et telefonnummer"),
    ("123 45 678", PHONE, "et telefonnummer"),
    ("karen(at)kommune.dk", EMAIL, "en e-mailadresse"),
    ("karen [at] kommune.dk", EMAIL, "en e-mailadresse"),
    ("karen @ kommune.dk", EMAIL, "en e-mailadresse"),
    ("karen@kommune", EMAIL, "en e-mailadresse"),
    ("karen@[10.0.0.1]", EMAIL, "en e-mailadresse"),
]


@pytest.mark.parametrize(("personal", "token", "notice"), FORMS)
async def test_personal_data_in_a_question_is_neither_logged_nor_stored(
    kompas: RunningApp,
    bot_connector: FakeBotConnector,
    database: Database,
    caplog: pytest.LogCaptureFixture,
    personal: str,
    token: str,
    notice: str,
) -> None:
    question = f"Må jeg skrive {personal} i ChatGPT, når borgeren beder om det? 🙂"
    with caplog.at_level(logging.INFO):
        assert (
            await kompas.post_activity(fx.personal_message(bot_connector.url, question))
        ).status == 200
        replies = await bot_connector.wait_for(2)

    # the person is told that something was removed, and what kind of thing
    assert any(f"Jeg har fjernet {notice} fra din tekst" in reply.text for reply in replies)

    # the database holds the redacted question, with the rest of the text as written
    [stored] = await stored_questions(database)
    assert stored == f"Må jeg skrive {token} i ChatGPT, når borgeren beder om det? 🙂"

    # the log (INFO and up) holds the topic and score, never the question, not even redacted
    log = "\n".join(record.getMessage() for record in caplog.records)
    [line] = [m for m in log.splitlines() if m.startswith("question 1: topic=")]
    assert "score=" in line and f"redacted={token_kind(token)}" in line
    assert "ChatGPT" not in log and "borgeren" not in log
    assert personal not in log
    if token != EMAIL:
        assert digits_of(personal) not in digits_of(log)
    else:
        assert "karen" not in log


def token_kind(token: str) -> str:
    return next(kind.value for kind, text in TOKENS.items() if text == token)


async def test_the_redacted_question_is_logged_only_at_debug(
    kompas: RunningApp,
    bot_connector: FakeBotConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    question = "Må jeg sende 010190/1234 og mette(at)kommune.dk til Copilot?"
    with caplog.at_level(logging.DEBUG, logger="dialogs.ask"):
        assert (
            await kompas.post_activity(fx.personal_message(bot_connector.url, question))
        ).status == 200
        await bot_connector.wait_for(2)
    [debug] = [r for r in caplog.records if r.name == "dialogs.ask" and r.levelno == logging.DEBUG]
    assert "Copilot" in debug.getMessage()
    assert CPR in debug.getMessage() and EMAIL in debug.getMessage()
    assert "1234" not in debug.getMessage() and "mette" not in debug.getMessage()
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert not any("Copilot" in message for message in info)
