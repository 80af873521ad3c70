"""Migration 0013: open questions become cases with one asker, and back, with rows in place."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from storage.database import to_sync_url
from storage.migrate import alembic_config, upgrade

USER = (
    "INSERT INTO users (channel, channel_user_id, display_name, created_at, last_seen_at)"
    " VALUES ('teams', '29:ane', 'Ane', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
QUESTION = (
    "INSERT INTO questions (user_id, text, score, in_scope, created_at)"
    " VALUES (1, :text, 0.1, false, '2026-12-01 08:00:00+00:00')"
)
OPEN_QUESTION = (
    "INSERT INTO open_questions (question_id, user_id, text, status, answer, answered_at,"
    " created_at, posted_to_ambassadors) VALUES (:question, 1, :text, :status, :answer,"
    " :answered_at, '2026-12-01 08:00:00+00:00', :posted)"
)
POST = (
    "INSERT INTO outbox (key, channel, conversation_id, payload, state, attempts, not_before,"
    " created_at, updated_at) VALUES ('ambassadors:question:1', 'teams', '19:amb', '{}', 'sent',"
    " 1, '2026-12-01 08:00:00+00:00', '2026-12-01 08:00:00+00:00', '2026-12-01 08:00:00+00:00')"
)


def test_open_questions_become_cases_and_back(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0012")
    engine = create_engine(to_sync_url(empty_database_url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text(USER))
            for number, (question, status, answer, posted) in enumerate(
                [
                    ("Hvornår har kantinen åbent?", "open", None, True),
                    ("Må jeg tage hunden med?", "answered", "Nej", False),
                ],
                start=1,
            ):
                connection.execute(text(QUESTION), {"text": question})
                connection.execute(
                    text(OPEN_QUESTION),
                    {
                        "question": number,
                        "text": question,
                        "status": status,
                        "answer": answer,
                        "answered_at": "2026-12-02 08:00:00+00:00" if answer else None,
                        "posted": posted,
                    },
                )
            connection.execute(text(POST))
        upgrade(empty_database_url)
        with engine.begin() as connection:
            cases = connection.execute(
                text(
                    "SELECT id, state, answer, post_key, post_conversation_id, channel"
                    " FROM cases ORDER BY id"
                )
            ).all()
            assert [tuple(row) for row in cases] == [
                (1, "ny", None, "ambassadors:question:1", "19:amb", "teams"),
                (2, "besvaret", "Nej", None, None, "teams"),
            ]
            askers = connection.execute(
                text("SELECT case_id, question_id, text, contact_ok FROM case_askers ORDER BY id")
            ).all()
            assert [tuple(row) for row in askers] == [
                (1, 1, "Hvornår har kantinen åbent?", False),
                (2, 2, "Må jeg tage hunden med?", False),
            ]
            # New cases get new ids after the migrated ones (also on PostgreSQL).
            new = connection.execute(
                text(
                    "INSERT INTO cases (state, channel, topic_ids, post_version, created_at,"
                    " updated_at) VALUES ('ny', 'cli', '[]', 0, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP) RETURNING id"
                )
            ).scalar_one()
            assert new == 3
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0012")
        with engine.connect() as connection:
            back = connection.execute(
                text(
                    "SELECT question_id, text, status, answer, posted_to_ambassadors"
                    " FROM open_questions ORDER BY id"
                )
            ).all()
        assert [tuple(row) for row in back] == [
            (1, "Hvornår har kantinen åbent?", "open", None, True),
            (2, "Må jeg tage hunden med?", "answered", "Nej", False),
        ]
    finally:
        engine.dispose()
