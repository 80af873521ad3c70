"""KOMPAS_LOG_FORMAT=json: one redacted JSON object per line, a turn's lines under one id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.logs import REQUEST_ID_HEADER, JsonFormatter, log_handler, request_scope
from bot.main import main
from fakes.bot_connector import FakeBotConnector
from ground.settings import Settings
from tests.bot import activities as fx
from tests.bot.conftest import StartApp
from tests.conftest import on_sdk
from tests.privacy.test_redaction import danish_phones, email_addresses, valid_cprs

PERSONAL_DATA = st.one_of(valid_cprs(), danish_phones(), email_addresses())
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå ", max_size=20)


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line written, each parsed as one JSON object."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged at DEBUG and above, as KOMPAS_LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(WORDS, PERSONAL_DATA), min_size=1, max_size=3), WORDS)
def test_personal_data_in_a_log_call_never_reaches_the_json_line(
    items: list[tuple[str, str]], tail: str
) -> None:
    stream = io.StringIO()
    handler = log_handler("json", stream)
    logger = logging.getLogger("tests.json_logs")
    text = "".join(f"{words} {value} " for words, value in items) + tail
    logger.addHandler(handler)
    try:
        with request_scope("turn-1"):
            logger.warning("a careless line: %s", text)
            try:
                raise ValueError(text)
            except ValueError:
                logger.exception("failed on %r", text)
    finally:
        logger.removeHandler(handler)
    raw = stream.getvalue()
    entries = lines_of(stream)
    assert len(entries) == 2
    assert {entry["request_id"] for entry in entries} == {"turn-1"}
    assert entries[0]["level"] == "WARNING" and entries[0]["logger"] == "tests.json_logs"
    assert "ValueError" in entries[1]["exception"]
    for _, value in items:
        assert value not in raw
        for entry in entries:
            assert value not in entry["message"] and value not in entry.get("exception", "")


async def test_a_turns_lines_share_one_request_id_and_hold_no_personal_data(
    teams_sdk: str,
    start_app: StartApp,
    database_url: str,
    bot_connector: FakeBotConnector,
    json_log: io.StringIO,
) -> None:
    app = await start_app(
        create_app(on_sdk(Settings(database_url=database_url), teams_sdk), run_scheduler=False)
    )
    secrets = ("010190-1234", "+45 21 43 65 87", "karen.kollega@kommune.dk")
    question = f"Må jeg skrive {secrets[0]} og {secrets[1]} eller {secrets[2]} i ChatGPT?"
    request_ids = []
    for text in (question, "Må jeg bruge Copilot?"):
        async with app.session.post(
            f"{app.url}/api/messages", json=fx.personal_message(bot_connector.url, text)
        ) as response:
            assert response.status == 200
            request_ids.append(response.headers[REQUEST_ID_HEADER])
    entries = lines_of(json_log)
    raw = json_log.getvalue()

    assert len(set(request_ids)) == 2
    first = [entry for entry in entries if entry.get("request_id") == request_ids[0]]
    second = [entry for entry in entries if entry.get("request_id") == request_ids[1]]
    assert any(entry["logger"] == "dialogs.ask" for entry in first)
    assert any(entry["logger"] == "dialogs.ask" for entry in second)
    assert all(secret not in raw for secret in secrets)
    assert "[CPR-nummer fjernet]" in raw  # the question's redacted text, logged at DEBUG


def test_kompas_logs_json_lines_when_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], empty_database_url: str
) -> None:
    monkeypatch.setenv("KOMPAS_LOG_FORMAT", "json")
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    root = logging.getLogger()
    kept = root.handlers[:]
    root.handlers.clear()  # as in a fresh process: main() sets logging up
    try:
        assert main(["migrate"]) == 0
        logging.getLogger("tests.json_logs").warning("ring 21 43 65 87")
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        root.handlers.extend(kept)
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert entries[-1] == {
        "time": entries[-1]["time"],
        "level": "WARNING",
        "logger": "tests.json_logs",
        "message": "ring [telefonnummer fjernet]",
    }


def test_an_unknown_log_format_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KOMPAS_LOG_FORMAT", "xml")
        assert main(["migrate"]) == 2
    assert "KOMPAS_LOG_FORMAT" in capsys.readouterr().err


def test_the_formatter_alone_writes_one_object_per_line() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "two\nlines", None, None)
    line = JsonFormatter().format(record)
    assert "\n" not in line and json.loads(line)["message"] == "two\nlines"


def test_the_text_format_is_redacted_too() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tests.text_logs")
    handler = log_handler("text", stream)
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("CPR 010190-1234")
        except ValueError:
            logger.exception("mail jens@kommune.dk")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "jens@kommune.dk" not in written and "010190-1234" not in written
    assert "mail [e-mail fjernet]" in written and "ValueError: CPR [CPR-nummer fjernet]" in written
