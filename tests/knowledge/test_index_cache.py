"""The cached knowledge index: reused for the same content, rebuilt for changed content."""

from __future__ import annotations

import logging
import os
import shutil
from importlib import metadata
from pathlib import Path

import pytest

from ground.settings import Contacts, Settings, default_content_dir
from knowledge.index_cache import CACHE_PREFIX, KEEP_VERSIONS, load_knowledge

QUESTION = "må jeg bruge chatgpt?"


TOPICS = ("godkendte-vaerktoejer.md", "ai-forklaret.md", "bias.md")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """Three of the shipped topics with the synonyms and intents (quick to build), to change."""
    shipped = default_content_dir()
    copy = tmp_path / "content"
    (copy / "kompas").mkdir(parents=True)
    for name in TOPICS:
        shutil.copyfile(shipped / "kompas" / name, copy / "kompas" / name)
    for name in ("synonyms.yml", "intents.yml"):
        shutil.copyfile(shipped / name, copy / name)
    return copy


def _cached(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{CACHE_PREFIX}*"))


def _short_answer(content: Path, cache: Path | None) -> str:
    best = load_knowledge(content, Contacts(), cache).search(QUESTION).best
    assert best is not None
    return best.topic.short_answer


def test_the_second_start_reads_the_index_and_answers_the_same(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    built = _short_answer(content, cache)
    assert len(_cached(cache)) == 1

    with caplog.at_level(logging.INFO, logger="knowledge"):
        again = _short_answer(content, cache)

    assert again == built == _short_answer(content, None)
    assert "from the cache" in caplog.text
    assert len(_cached(cache)) == 1


def test_changed_content_is_answered_from_a_new_index_never_the_cached_one(
    content: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    before = _short_answer(content, cache)
    topic = next(p for p in (content / "kompas").glob("*.md") if before in p.read_text())
    topic.write_text(topic.read_text().replace(before, "Nyt svar fra kommunens AI-kompas."))

    assert _short_answer(content, cache) == "Nyt svar fra kommunens AI-kompas."
    assert len(_cached(cache)) == 2


def test_other_contact_points_give_another_index(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_knowledge(content, Contacts(), cache)
    load_knowledge(content, Contacts(dpo="dpo@kommune.dk"), cache)

    assert len(_cached(cache)) == 2


def test_a_damaged_cache_file_is_rebuilt_with_a_warning(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    built = _short_answer(content, cache)
    (damaged,) = _cached(cache)
    damaged.write_bytes(damaged.read_bytes()[:1000])

    with caplog.at_level(logging.WARNING, logger="knowledge"):
        assert _short_answer(content, cache) == built

    assert "unreadable" in caplog.text
    assert damaged.stat().st_size > 1000  # written again, whole


def test_an_unwritable_cache_directory_only_costs_the_build(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")

    with caplog.at_level(logging.WARNING, logger="knowledge"):
        assert _short_answer(content, not_a_directory / "cache") == _short_answer(content, None)

    assert "not cached" in caplog.text


def test_only_the_newest_indexes_are_kept(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    older = [cache / f"{CACHE_PREFIX}{number}.pickle" for number in range(KEEP_VERSIONS + 1)]
    for age, path in enumerate(older, start=1):
        path.write_bytes(b"")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))

    load_knowledge(content, Contacts(), cache)

    kept = _cached(cache)
    assert len(kept) == KEEP_VERSIONS
    assert older[0] in kept and older[-1] not in kept  # the newest of the old ones stay


@pytest.mark.parametrize("value", ["off", "none", "0"])
def test_kompas_cache_dir_off_builds_at_every_start(value: str) -> None:
    settings = Settings.from_env({"KOMPAS_CACHE_DIR": value}, env_file=Path("/nonexistent"))
    assert settings.cache_dir is None


def test_kompas_cache_dir_defaults_to_data_cache() -> None:
    assert Settings.from_env({}, env_file=Path("/nonexistent")).cache_dir == Path("data/cache")


@pytest.mark.parametrize("library", ["scikit-learn", "numpy", "PyYAML", "python-frontmatter"])
def test_another_version_of_a_library_gives_another_index(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    cache = tmp_path / "cache"
    load_knowledge(content, Contacts(), cache)
    installed = metadata.version

    def upgraded(name: str) -> str:
        return "999.0" if name == library else installed(name)

    monkeypatch.setattr(metadata, "version", upgraded)  # as after `pip install -U library`
    load_knowledge(content, Contacts(), cache)

    assert len(_cached(cache)) == 2
