"""Fixtures for the knowledge tests: a small content directory made for testing mechanics."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ground.settings import Contacts
from knowledge.index import KnowledgeBase

FIXTURE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "content"
SHIPPED_CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="session")
def fixture_kb() -> KnowledgeBase:
    return KnowledgeBase.load(FIXTURE_CONTENT, Contacts())


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture content directory."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target
