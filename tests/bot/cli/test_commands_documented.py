"""Every `kompas` command is in the README's command table, as `kompas --help` lists it."""

from __future__ import annotations

import argparse

from bot.main import build_parser
from tests.paths import PROJECT_ROOT


def test_every_command_is_in_the_readme() -> None:
    parser = build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `kompas ")]
    missing = [
        name for name in commands.choices if not any(f"`kompas {name}" in row for row in table)
    ]
    assert not missing, f"commands missing from the README's table: {missing}"
