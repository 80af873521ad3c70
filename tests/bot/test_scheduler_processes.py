"""Two `kompas serve` processes on one database: exactly one runs the scheduler."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import PROJECT_ROOT

TAKEOVER_LIMIT_SECONDS = 30.0  # the promise; leadership is retried every 5 s


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _role(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return str(json.load(response)["scheduler"])
    except OSError:
        return None


def _wait_for_roles(ports: list[int], limit: float) -> list[str | None]:
    deadline = time.monotonic() + limit
    roles = [_role(port) for port in ports]
    while time.monotonic() < deadline:
        roles = [_role(port) for port in ports]
        if all(roles) and roles.count("leader") == 1:
            break
        time.sleep(0.3)
    return roles


@pytest.fixture
def serve_processes(
    database_url: str, tmp_path: Path
) -> Iterator[list[tuple[int, subprocess.Popen[bytes]]]]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "KOMPAS_", "SLACK_"))
    }
    env.update(DATABASE_URL=database_url, KOMPAS_SCHEDULER="on")
    started = []
    for number in range(2):
        port = _free_port()
        log = (tmp_path / f"serve-{number}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.main", "serve", "--dev", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((port, process))
    yield started
    for _, process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for _, process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_one_scheduler_per_database_and_it_moves_when_the_leader_dies(
    serve_processes: list[tuple[int, subprocess.Popen[bytes]]],
) -> None:
    ports = [port for port, _ in serve_processes]

    roles = _wait_for_roles(ports, limit=60)
    assert sorted(role or "down" for role in roles) == ["leader", "standby"]

    leader_index = roles.index("leader")
    _, leader = serve_processes[leader_index]
    leader.send_signal(signal.SIGKILL)
    leader.wait(timeout=10)
    survivor = ports[1 - leader_index]

    deadline = time.monotonic() + TAKEOVER_LIMIT_SECONDS
    while time.monotonic() < deadline and _role(survivor) != "leader":
        time.sleep(0.3)
    assert _role(survivor) == "leader"
