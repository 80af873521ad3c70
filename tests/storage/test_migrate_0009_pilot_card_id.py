"""Migration 0009 (card_id, unique, on pilots and pilot_notes) up and down with rows in place."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from storage.database import to_sync_url
from storage.migrate import alembic_config, upgrade

USER = (
    "INSERT INTO users (channel, channel_user_id, display_name, created_at, last_seen_at)"
    " VALUES ('cli', 'anne', 'Anne', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
PILOT = (
    "INSERT INTO pilots (owner_id, title, unit, task, tool, success_criterion, start_date,"
    " duration_weeks, cadence_days, end_date, status, ended_early, created_at, updated_at{card})"
    " VALUES (1, :title, '', '', '', 'Klar', '2026-12-07', 4, 7, '2027-01-04', 'active', false,"
    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP{value})"
)

NOTE = (
    "INSERT INTO pilot_notes (pilot_id, author_id, text, created_at{card})"
    " VALUES (1, 1, :text, CURRENT_TIMESTAMP{value})"
)


def test_card_ids_are_unique_and_the_migration_goes_both_ways(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0008")
    engine = create_engine(to_sync_url(empty_database_url), poolclass=NullPool)
    with_card = text(PILOT.format(card=", card_id", value=", :card"))
    try:
        with engine.begin() as connection:
            connection.execute(text(USER))
            connection.execute(text(PILOT.format(card="", value="")), {"title": "Før"})
            connection.execute(text(NOTE.format(card="", value="")), {"text": "Note før"})
        upgrade(empty_database_url)
        with engine.begin() as connection:
            connection.execute(with_card, {"title": "Kort", "card": "a" * 32})
            connection.execute(with_card, {"title": "Uden kort", "card": None})
            with pytest.raises(IntegrityError), connection.begin_nested():
                connection.execute(with_card, {"title": "Igen", "card": "a" * 32})
            note_with_card = text(NOTE.format(card=", card_id", value=", :card"))
            connection.execute(note_with_card, {"text": "Note", "card": "b" * 32})
            with pytest.raises(IntegrityError), connection.begin_nested():
                connection.execute(note_with_card, {"text": "Igen", "card": "b" * 32})
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0008")
        with engine.connect() as connection:
            titles = connection.execute(text("SELECT title FROM pilots ORDER BY id")).scalars()
            assert list(titles) == ["Før", "Kort", "Uden kort"]
            notes = connection.execute(text("SELECT text FROM pilot_notes ORDER BY id")).scalars()
            assert list(notes) == ["Note før", "Note"]
            for table in ("pilots", "pilot_notes"):
                columns = {column["name"] for column in inspect(connection).get_columns(table)}
                assert "card_id" not in columns
        upgrade(empty_database_url)  # and up again over the same rows
    finally:
        engine.dispose()
