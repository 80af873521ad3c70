"""Architecture rules checked on the source: the layers, and each SDK inside its own edge."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMED_PACKAGES = {"ground", "bot", "dialogs", "storage", "knowledge", "privacy"}
# Also any top-level package added later (scheduling/, insights/ …); tests may use botbuilder.
# Outside the layers: the tests, the loopback fakes tests and benches share, and the
# sample content (a package only so that it ships in the wheel; it holds no code).
OUTSIDE_THE_LAYERS = frozenset({"tests", "fakes", "content"})
PACKAGES = sorted(
    NAMED_PACKAGES | {init.parent.name for init in ROOT.glob("*/__init__.py")} - OUTSIDE_THE_LAYERS
)
TEAMS_PACKAGE = ROOT / "bot" / "teams"
SLACK_PACKAGE = ROOT / "bot" / "slack"
# Each SDK's top-level modules, and the one package of the tree allowed to import them.
SDK_HOMES = {
    "botbuilder": (("botbuilder", "botframework", "msrest"), TEAMS_PACKAGE / "via_botbuilder"),
    "agents": (("microsoft_agents",), TEAMS_PACKAGE / "via_agents"),
    "slack": (("slack_bolt", "slack_sdk"), SLACK_PACKAGE),
}
BOT_FRAMEWORK_MODULES = SDK_HOMES["botbuilder"][0]


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every import, also inside functions and via importlib.import_module.

    `from x import y` yields x and x.y (y may be a module); relative imports are not used.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
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


def sdk_of(module: str) -> str | None:
    """Which SDK a module belongs to, or None for anything else."""
    top = module.split(".")[0]
    return next((name for name, (tops, _) in SDK_HOMES.items() if top in tops), None)


@pytest.mark.parametrize("sdk", sorted(SDK_HOMES))
def test_each_sdk_is_imported_only_in_its_own_package(sdk: str) -> None:
    """botbuilder only in bot/teams/via_botbuilder/, the Agents SDK only in via_agents/ (the
    rest of bot/teams/ does not know which SDK runs), slack_bolt and slack_sdk only in
    bot/slack/: the core, the dialogs and the other edges know no channel's SDK."""
    home = SDK_HOMES[sdk][1]
    offenders: list[str] = []
    for path in source_files():
        if home in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders.extend(
            f"{path.relative_to(ROOT)}:{line}: imports {module}"
            for line, module in imported_modules(tree)
            if sdk_of(module) == sdk
        )
    where = home.relative_to(ROOT)
    assert not offenders, f"{sdk} outside {where}/:\n" + "\n".join(offenders)


@pytest.mark.parametrize("sdk", sorted(SDK_HOMES))
def test_the_rule_sees_each_sdk_package(sdk: str) -> None:
    """Guards the check itself: it must find the imports it is meant to police."""
    home = SDK_HOMES[sdk][1]
    files = [path for path in source_files() if home in path.parents]
    assert files, f"{home} not found"
    modules = {
        module
        for path in files
        for _, module in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert any(sdk_of(module) == sdk for module in modules)


def test_the_slack_rule_catches_a_planted_import() -> None:
    tree = ast.parse("def f():\n    from slack_sdk.web.async_client import AsyncWebClient\n")
    assert [sdk_of(module) for _, module in imported_modules(tree)] == ["slack", "slack"]
    assert sdk_of("slack") is None  # a module merely named like the channel is no SDK


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
        "botframework.connector.auth",
        "botbuilder.schema",
    ]


# --- layers ----------------------------------------------------------------------------------
# ground ← storage ← domains ← dialogs ← edges ← app: a module imports only its own layer and
# the layers below it.
LAYERS = ("ground", "storage", "domains", "dialogs", "edges", "app")
DOMAINS = frozenset(
    {
        "knowledge",
        "privacy",
        "organisation",
        "experiences",
        "pilots",
        "insights",
        "digests",
        "delivery",
        "scheduling",
        "demo",  # the fake municipality behind `kompas demo seed`
        "cases",  # the ambassadors' desk: questions handed on, as cases
        "learning",  # shared learning: the idea bank and the monthly post
    }
)
EDGES = frozenset({"teams", "slack", "cli", "web"})  # folders under bot/


def layer_of(module: str) -> str | None:
    """The layer of a Kompas module (dotted name), or None for anything else."""
    parts = module.split(".")
    if parts[0] in {"ground", "storage", "dialogs"}:
        return parts[0]
    if parts[0] in DOMAINS:
        return "domains"
    if parts[0] == "bot" and len(parts) > 1:  # `from bot import x` is judged by bot.x
        return "edges" if parts[1] in EDGES else "app"
    return None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def upward_imports(module: str, source: str) -> list[str]:
    """The imports in `source` (of `module`) that run up the layers."""
    own = "app" if module == "bot" else layer_of(module)
    assert own is not None, f"{module} belongs to no layer"
    found = []
    for line, imported in imported_modules(ast.parse(source)):
        target = layer_of(imported)
        if target is not None and LAYERS.index(target) > LAYERS.index(own):
            found.append(f"{module}:{line}: {own} imports {imported} ({target})")
    return found


def test_every_source_file_belongs_to_a_layer() -> None:
    files = source_files()
    assert len(files) > 100
    layers = {module_name(path): layer_of(module_name(path)) for path in files}
    assert [module for module, layer in layers.items() if layer is None] == ["bot"]
    assert set(layers.values()) - {None} == set(LAYERS)


def test_no_import_runs_up_the_layers() -> None:
    offenders = [
        problem
        for path in source_files()
        for problem in upward_imports(module_name(path), path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "imports that run up the layers:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        (
            "storage.conversation_store",
            "from ground.messages import Reply\nfrom dialogs.router import Router\n",
        ),
        ("ground.clock", "import storage.models\n"),
        ("pilots.cards", "def f():\n    from bot.teams import cards\n"),
        ("dialogs.help", "import importlib\nimportlib.import_module('bot.app')\n"),
        ("bot.teams.adapter", "from bot import app\n"),
        ("bot.cli.chat", "from bot.composition import open_services\n"),
    ],
)
def test_the_layer_rule_catches_a_planted_upward_import(module: str, source: str) -> None:
    problems = upward_imports(module, source)
    lines = {problem.split(":")[1] for problem in problems}
    assert problems and len(lines) == 1


def test_imports_within_and_down_the_layers_pass() -> None:
    source = "from ground.messages import Reply\nfrom storage.conversation_store import Store\n"
    assert upward_imports("experiences.campaign", source) == []
    assert upward_imports("bot.app", "from bot.teams import TeamsChannel\n") == []


def test_no_module_imports_itself_through_a_circle() -> None:
    modules = {module_name(path): path for path in source_files()}
    graph: dict[str, set[str]] = {
        name: {
            imported
            for _, imported in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
            if imported in modules and imported != name
        }
        for name, path in modules.items()
    }
    circles = [name for name in graph if _reaches(graph, name, name)]
    assert not circles, f"modules in an import circle: {sorted(circles)}"


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    pending = list(graph[start])
    while pending:
        current = pending.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            pending.extend(graph.get(current, ()))
    return False


def test_the_circle_rule_sees_a_circle() -> None:
    assert _reaches({"a": {"b"}, "b": {"c"}, "c": {"a"}}, "a", "a")
    assert not _reaches({"a": {"b"}, "b": {"c"}, "c": set()}, "a", "a")


# --- channel specifics -----------------------------------------------------------------------
# Bot Framework's names for a person's directory id and a conversation's service stay behind
# the Teams edge. Storage keeps its column names (the database is unchanged), and the
# organisation file and its table have an aad_object_id column.
BOT_FRAMEWORK_NAMES = ("aad_object_id", "aadobjectid", "service_url", "serviceurl")
MAY_NAME_BOT_FRAMEWORK = (
    TEAMS_PACKAGE,
    ROOT / "storage",
    ROOT / "organisation" / "loading.py",
    ROOT / "organisation" / "tree_store.py",
)


def _may_name_bot_framework(path: Path) -> bool:
    return any(path == allowed or allowed in path.parents for allowed in MAY_NAME_BOT_FRAMEWORK)


def test_bot_framework_fields_stay_behind_the_teams_edge() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in source_files()
        if not _may_name_bot_framework(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(name in line.lower() for name in BOT_FRAMEWORK_NAMES)
    ]
    assert not offenders, "Bot Framework fields outside bot/teams/:\n" + "\n".join(offenders)


def test_the_channel_rule_sees_the_teams_edge() -> None:
    """Guards the check itself: the Teams edge does name them."""
    activities = (TEAMS_PACKAGE / "activities.py").read_text(encoding="utf-8").lower()
    assert any(name in activities for name in BOT_FRAMEWORK_NAMES)
    assert _may_name_bot_framework(TEAMS_PACKAGE / "activities.py")
    assert not _may_name_bot_framework(ROOT / "ground" / "messages.py")


# --- one composition root --------------------------------------------------------------------
# Stores, the outbox and roles are built once per process (bot/composition.py) and handed to
# the dialogs; a dialog module that builds one would build it per turn or per router.
BUILT_ONCE = re.compile(r"(Store|Outbox|RoleBook|HandledKeys|PersonalDataService)$|^Roles$")


def built_services(source: str) -> list[tuple[int, str]]:
    """(line, class) for every call of a store, outbox or roles class in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if BUILT_ONCE.search(name):
                found.append((node.lineno, name))
    return found


def test_dialogs_build_no_stores() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: builds {name}"
        for path in sorted((ROOT / "dialogs").glob("*.py"))
        for line, name in built_services(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "dialogs building long-lived services:\n" + "\n".join(offenders)


def test_the_composition_rule_sees_a_store_being_built() -> None:
    source = "def f(db):\n    return Outbox(db), stores.ExperienceStore(db, None), Roles(t)\n"
    assert [name for _, name in built_services(source)] == ["Outbox", "ExperienceStore", "Roles"]
    assert built_services("PersonRoles(True, False, False)\n") == []
