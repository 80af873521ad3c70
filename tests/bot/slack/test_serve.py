"""`kompas serve` (a real process) with Slack alone, Teams alone, or both, without --dev."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fakes.slack_api import FakeSlackApi
from tests.bot.slack import requests as slack
from tests.paths import PROJECT_ROOT

SLACK = {
    "SLACK_BOT_TOKEN": slack.BOT_TOKEN,
    "SLACK_SIGNING_SECRET": slack.SIGNING_SECRET,
    "KOMPAS_SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing may call out to Slack
}
TEAMS = {
    "MICROSOFT_APP_ID": "8f4b2a61-3c2d-4e7f-9a10-5b6c7d8e9f01",
    "MICROSOFT_APP_PASSWORD": "not-a-real-secret",
    "KOMPAS_ALLOW_ANY_TENANT": "true",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(method: str, url: str, body: bytes | None = None, **headers: str) -> int:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"kompas serve exited: {log.read_text()}")
        try:
            if _status("GET", f"http://127.0.0.1:{port}/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"kompas serve did not answer /healthz: {log.read_text()}")


@pytest.mark.parametrize(
    ("environment", "teams", "slack_served"),
    [(SLACK, False, True), (TEAMS, True, False), ({**SLACK, **TEAMS}, True, True)],
    ids=["slack-alone", "teams-alone", "both"],
)
def test_kompas_serve_runs_the_configured_channels(
    database_url: str, tmp_path: Path, environment: dict[str, str], teams: bool, slack_served: bool
) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "KOMPAS_", "SLACK_"))
    }
    env.update(environment, DATABASE_URL=database_url, KOMPAS_SCHEDULER="off")
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.main", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(port, process, log)
        base = f"http://127.0.0.1:{port}"
        # The Teams endpoint exists (POST only) or not at all.
        assert _status("GET", f"{base}/api/messages") == (405 if teams else 404)
        challenge = slack.url_verification("kompas-serve")
        status = _status("POST", f"{base}/slack/events", challenge.body, **challenge.headers())
        assert status == (200 if slack_served else 404)
        unsigned = _status(
            "POST", f"{base}/slack/events", challenge.body, **challenge.headers(signed=False)
        )
        assert unsigned == (401 if slack_served else 404)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    output_text = log.read_text()
    assert "DEV MODE" not in output_text
    assert ("/slack/events (slack)" in output_text) == slack_served
    assert json.dumps(slack.SIGNING_SECRET)[1:-1] not in output_text
    assert slack.BOT_TOKEN not in output_text


async def test_kompas_serve_in_socket_mode_answers_without_a_public_endpoint(
    slack_api: FakeSlackApi, database_url: str, tmp_path: Path
) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "KOMPAS_", "SLACK_"))
    }
    env.update(
        DATABASE_URL=database_url,
        KOMPAS_SCHEDULER="off",
        SLACK_BOT_TOKEN=slack.BOT_TOKEN,
        SLACK_APP_TOKEN=slack.APP_TOKEN,
        KOMPAS_SLACK_API_URL=slack_api.url,
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.main",
            "serve",
            "--slack-socket-mode",
            "--port",
            str(_free_port()),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        await slack_api.wait_for_socket(timeout=60)
        event = slack.direct_message("Må jeg skrive et CPR-nummer i ChatGPT?").payload()
        await slack_api.wait_for_ack(await slack_api.socket_send("events_api", event))
        answer, _ = await slack_api.wait_for(2, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    assert answer.blocks[0]["text"]["text"] == "Persondata og CPR-numre"
    output_text = log.read_text()
    assert "Slack Socket Mode connected" in output_text
    assert slack.APP_TOKEN not in output_text and slack.BOT_TOKEN not in output_text
