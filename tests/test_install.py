"""Kompas installed from its wheel into a fresh virtualenv answers from the shipped content."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ground.settings import ContentMissingError, default_content_dir, require_content
from tests.paths import PROJECT_ROOT

# What the wheel is built from: the source tree without caches, local data and virtualenvs.
TOP_LEVEL_NOT_SOURCE = frozenset({".git", ".venv", "data", "build", "dist"})
NOT_SOURCE_ANYWHERE = shutil.ignore_patterns(
    "__pycache__", "*.egg-info", "node_modules", ".*_cache", ".hypothesis", ".pytest-*", "*.db"
)


def not_source(folder: str, names: list[str]) -> set[str]:
    ignored = set(NOT_SOURCE_ANYWHERE(folder, names))
    if Path(folder) == PROJECT_ROOT:
        ignored |= TOP_LEVEL_NOT_SOURCE & set(names)
    return ignored


def test_the_default_content_is_the_shipped_sample() -> None:
    content = default_content_dir()
    assert (content / "kompas" / "godkendte-vaerktoejer.md").is_file()
    require_content(content)  # does not raise


def test_a_folder_without_topics_is_refused_with_the_setting_named(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    with pytest.raises(ContentMissingError, match="KOMPAS_CONTENT_DIR") as raised:
        require_content(tmp_path)
    assert str(tmp_path) in str(raised.value)


INSTALL_SCRIPT = PROJECT_ROOT / "deploy" / "install.sh"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding Kompas, installed by deploy/install.sh (what the Dockerfile
    runs) from a copy of the source tree; the dependencies come from this interpreter."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=not_source)
    target = work / "venv"
    script = subprocess.run(
        [INSTALL_SCRIPT, "--no-deps", str(target), str(source)],
        capture_output=True, text=True, timeout=300, cwd=work,
        env=clean_environment(PYTHON=sys.executable, KOMPAS_PIP_OPTIONS="--no-build-isolation"),
    )  # fmt: skip
    assert script.returncode == 0, script.stdout + script.stderr
    assert f"Kompas installed in {target}" in script.stdout
    # The dependencies: this interpreter's site directories as plain path entries, so their
    # .pth files (among them the editable install of the source tree) are not run. Only now:
    # pip would have taken the source tree's editable install for Kompas itself.
    site_packages = Path(
        subprocess.run(
            [target / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],  # noqa: E501
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    dependencies = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    (site_packages / "kompas-dependencies.pth").write_text(
        "\n".join(dict.fromkeys(dependencies)) + "\n", encoding="utf-8"
    )
    return target


def test_the_install_script_refuses_what_it_cannot_install(tmp_path: Path) -> None:
    missing = subprocess.run(
        [INSTALL_SCRIPT, str(tmp_path / "venv"), str(tmp_path / "nothing-here")],
        capture_output=True, text=True, timeout=60, env=clean_environment(PYTHON=sys.executable),
    )  # fmt: skip
    assert missing.returncode == 2
    assert "no wheel or source tree" in missing.stderr
    usage = subprocess.run([INSTALL_SCRIPT], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "usage:" in usage.stderr


def clean_environment(**env: str) -> dict[str, str]:
    """This environment without anything that would point at the source tree or its content."""
    kept = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "KOMPAS_CONTENT_DIR"}}
    return {**kept, **env}


def run_kompas(
    installed: Path, cwd: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed / "bin" / "kompas", *args],
        cwd=cwd, env=clean_environment(**env), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_wheel_holds_the_code_and_answers_from_another_directory(
    installed: Path, tmp_path: Path
) -> None:
    located = subprocess.run(
        [installed / "bin" / "python", "-c", "import bot, content; print(bot.__file__, content.__file__)"],  # noqa: E501
        cwd=tmp_path, env=clean_environment(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert str(PROJECT_ROOT) not in located.stdout  # the installed copy, not the source tree
    assert str(installed) in located.stdout

    answer = run_kompas(installed, tmp_path, "ask", "--json", "må jeg bruge chatgpt?")

    assert answer.returncode == 0, answer.stderr
    result = json.loads(answer.stdout)
    assert result["topic_id"] == "godkendte-vaerktoejer"
    assert "Copilot" in result["answer"]
    assert str(installed) in answer.stderr  # the log names the content it loaded


def test_the_installed_content_passes_its_check(installed: Path, tmp_path: Path) -> None:
    checked = run_kompas(installed, tmp_path, "content", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "content check: OK" in checked.stdout


def test_without_content_the_installed_kompas_refuses_to_answer(
    installed: Path, tmp_path: Path
) -> None:
    refused = run_kompas(installed, tmp_path, "ask", "hej", KOMPAS_CONTENT_DIR=str(tmp_path))
    assert refused.returncode == 2
    assert "KOMPAS_CONTENT_DIR" in refused.stderr and str(tmp_path) in refused.stderr
    assert refused.stdout == ""


def test_the_installed_kompas_creates_its_database(installed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kompas.db'}"
    migrated = run_kompas(installed, tmp_path, "migrate", DATABASE_URL=url)
    assert migrated.returncode == 0, migrated.stderr
    assert "database is up to date" in migrated.stdout
    assert (tmp_path / "kompas.db").stat().st_size > 0
