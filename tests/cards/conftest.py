"""Fixtures for the card renderer tests: the loopback app and the fake Bot Connector."""

from __future__ import annotations

from tests.bot.conftest import bot_connector, start_app

__all__ = ["bot_connector", "start_app"]  # shared with the HTTP edge tests
