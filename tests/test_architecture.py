"""Architecture rules checked on the source: botbuilder stays inside the Teams adapter."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED_PACKAGES = {"bot", "dialogs", "storage", "knowledge", "privacy"}
# Also any top-level package added later (scheduling/, insights/ …); tests may use botbuilder.
PACKAGES = sorted(
    NAMED_PACKAGES | {init.parent.name for init in ROOT.glob("*/__init__.py")} - {"tests"}
)
TEAMS_PACKAGE = ROOT / "bot" / "teams"
BOT_FRAMEWORK_MODULES = ("botbuilder", "botframework")


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every import statement, including `from x import y`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def is_bot_framework(module: str) -> bool:
    return module.split(".")[0] in BOT_FRAMEWORK_MODULES


def source_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        if (ROOT / package).is_dir()
        for path in (ROOT / package).rglob("*.py")
    )


def test_botbuilder_is_imported_only_in_the_teams_adapter() -> None:
    offenders: list[str] = []
    for path in source_files():
        if TEAMS_PACKAGE in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders.extend(
            f"{path.relative_to(ROOT)}:{line}: imports {module}"
            for line, module in imported_modules(tree)
            if is_bot_framework(module)
        )
    assert not offenders, "botbuilder outside bot/teams/:\n" + "\n".join(offenders)


def test_the_rule_sees_the_teams_adapter() -> None:
    """Guards the check itself: it must find the imports it is meant to police."""
    teams_files = [path for path in source_files() if TEAMS_PACKAGE in path.parents]
    assert teams_files, "bot/teams/ not found"
    modules = {
        module
        for path in teams_files
        for _, module in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert any(is_bot_framework(module) for module in modules)


def test_import_detection() -> None:
    tree = ast.parse(
        "import botbuilder.core\n"
        "from botframework.connector import auth\n"
        "import importlib\n"
        "importlib.import_module('botbuilder.schema')\n"
        "from . import sibling\n"
    )
    modules = [module for _, module in imported_modules(tree)]
    assert [m for m in modules if is_bot_framework(m)] == [
        "botbuilder.core",
        "botframework.connector",
        "botbuilder.schema",
    ]
