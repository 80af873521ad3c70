"""Benchmark: seconds from starting `kompas serve` until `GET /readyz` answers 200.

Usage: python bench/startup.py [--runs 3] [--mode teams|dev] [--cold] [--scheduler on|off]

Each run starts `python -m bot.main serve` on a free loopback port with the sample content
and a fresh SQLite file (migrated once before the first run), polls `/readyz` every 20 ms and
stops the server when it answers 200. `--mode teams` configures Teams as production does
(an app id, password and tenant, and KOMPAS_ALLOWED_TENANTS; the Bot Framework's signing
keys are fetched only when a request comes); `--mode dev` starts with `--dev` (also loading
Slack's libraries). The knowledge index cache is a folder of this run's own: warm runs
build it once first; `--cold` empties it before every run. Prints

    startup: mode=M cache=warm|cold scheduler=S seconds=s1,s2,… best=B median=D
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.02
GIVE_UP_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(folder: Path, mode: str, scheduler: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{folder}/kompas.db",
        KOMPAS_CACHE_DIR=str(folder / "cache"),
        KOMPAS_SCHEDULER=scheduler,
    )
    if mode == "teams":
        env.update(
            MICROSOFT_APP_ID="00000000-0000-0000-0000-0000000000b1",
            MICROSOFT_APP_PASSWORD="bench-secret",
            MICROSOFT_APP_TENANT_ID="bench-tenant",
            KOMPAS_ALLOWED_TENANTS="bench-tenant",
        )
    return env


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def one_start(env: dict[str, str], mode: str) -> float:
    """Seconds until /readyz answered 200; the server is stopped afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "bot.main", "serve", "--port", str(port)]
    if mode == "dev":
        command.append("--dev")
    started = time.monotonic()
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while not ready(port):
            if server.poll() is not None:
                error = server.stderr.read().decode(errors="replace") if server.stderr else ""
                raise SystemExit(f"kompas serve stopped with {server.returncode}:\n{error[-2000:]}")
            if time.monotonic() - started > GIVE_UP_SECONDS:
                raise SystemExit(f"kompas serve not ready within {GIVE_UP_SECONDS:g} s")
            time.sleep(POLL_SECONDS)
        return time.monotonic() - started
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="starts to time")
    parser.add_argument("--mode", choices=("teams", "dev"), default="teams")
    parser.add_argument("--cold", action="store_true", help="empty the index cache each run")
    parser.add_argument("--scheduler", choices=("on", "off"), default="on")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = environment(folder, args.mode, args.scheduler)
        migrate = [sys.executable, "-m", "bot.main", "migrate"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True)
        if not args.cold:
            one_start(env, args.mode)  # builds the cache
        seconds = []
        for _ in range(args.runs):
            if args.cold:
                shutil.rmtree(folder / "cache", ignore_errors=True)
            seconds.append(one_start(env, args.mode))
    print(
        f"startup: mode={args.mode} cache={'cold' if args.cold else 'warm'} "
        f"scheduler={args.scheduler} seconds={','.join(f'{s:.2f}' for s in seconds)} "
        f"best={min(seconds):.2f} median={statistics.median(seconds):.2f}"
    )


if __name__ == "__main__":
    main()
