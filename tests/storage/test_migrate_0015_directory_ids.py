"""Migration 0015 (directory ids as long as an e-mail address) keeps every row, also the rows
that point at users, and then takes an address longer than 64 characters."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from storage.database import to_sync_url
from storage.migrate import upgrade

USER = (
    "INSERT INTO users (channel, channel_user_id, aad_object_id, display_name, created_at,"
    " last_seen_at) VALUES ('slack', :user, :directory, 'Mette', CURRENT_TIMESTAMP,"
    " CURRENT_TIMESTAMP)"
)
QUESTION = (
    "INSERT INTO questions (user_id, text, score, in_scope, created_at)"
    " VALUES (1, 'Må jeg bruge ChatGPT?', 0.9, true, CURRENT_TIMESTAMP)"
)
TEAM = (
    "INSERT INTO team_installs (channel, team_id, name, installed_at)"
    " VALUES ('slack', 'T1', 'Alle', CURRENT_TIMESTAMP)"
)
MEMBER = (
    "INSERT INTO team_members (team_install_id, user_id, directory_id, role, added_at)"
    " VALUES (1, :user, :directory, '', CURRENT_TIMESTAMP)"
)
LONG_EMAIL = f"{'mette.marie.kristensen' * 3}@socialforvaltningen.example.dk"


def test_rows_stay_and_a_long_e_mail_fits_afterwards(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0014")
    engine = create_engine(to_sync_url(empty_database_url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text(USER), {"user": "U1", "directory": "mette@example.dk"})
            connection.execute(text(QUESTION))
            connection.execute(text(TEAM))
            connection.execute(text(MEMBER), {"user": "U1", "directory": "mette@example.dk"})

        upgrade(empty_database_url)

        with engine.begin() as connection:
            connection.execute(text(USER), {"user": "U2", "directory": LONG_EMAIL})
            connection.execute(text(MEMBER), {"user": "U2", "directory": LONG_EMAIL})
        with engine.connect() as connection:
            users = connection.execute(text("SELECT aad_object_id FROM users ORDER BY id"))
            assert list(users.scalars()) == ["mette@example.dk", LONG_EMAIL]
            questions = connection.execute(text("SELECT user_id, text FROM questions"))
            assert list(questions.tuples()) == [(1, "Må jeg bruge ChatGPT?")]
            members = connection.execute(text("SELECT directory_id FROM team_members ORDER BY id"))
            assert list(members.scalars()) == ["mette@example.dk", LONG_EMAIL]
    finally:
        engine.dispose()
