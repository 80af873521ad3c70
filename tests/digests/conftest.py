"""Fixtures for the digest tests: settings, texts and the known-answers municipality."""

from __future__ import annotations

import pytest

from digests.page import DigestPages
from ground.settings import Settings
from ground.texts import Texts
from tests.bot.conftest import start_app
from tests.paths import PROJECT_ROOT

__all__ = ["start_app"]  # the loopback app fixture, shared with the HTTP edge tests

SECRET = "test-link-secret-0123456789abcdef"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, link_secret=SECRET)


@pytest.fixture(scope="session")
def texts() -> Texts:
    return Texts(PROJECT_ROOT / "content" / "templates")


@pytest.fixture(scope="session")
def pages(texts: Texts) -> DigestPages:
    return DigestPages(PROJECT_ROOT / "content" / "templates", texts)
