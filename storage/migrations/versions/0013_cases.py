"""The ambassadors' desk: cases and their askers replace open_questions; outbox rows record
the delivered message's id and can replace an earlier message in place.

Each open question becomes a case with one asker (the case keeps the open question's id,
its post keeps its outbox key); downgrading turns every asker back into an open question.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASE_STATES = "state IN ('ny', 'tildelt', 'besvaret', 'henvist', 'lukket')"
OLD_POST_KEY = "ambassadors:question:"  # the outbox key of an open question's post


def _user_reference(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=f"fk_cases_{column}_users", ondelete="SET NULL"
    )


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("delivered_id", sa.String(255), nullable=True))
        batch.add_column(sa.Column("updates_key", sa.String(255), nullable=True))
    op.create_index("ix_outbox_updates_key", "outbox", ["updates_key"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), server_default="ny", nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("topic_ids", sa.JSON(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("referred_topic_id", sa.String(128), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("post_conversation_id", sa.String(512), nullable=True),
        sa.Column("post_key", sa.String(255), nullable=True),
        sa.Column("post_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("nudged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suggested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suggested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        _user_reference("assignee_id"),
        _user_reference("resolved_by_id"),
        _user_reference("suggested_by_id"),
        sa.CheckConstraint(CASE_STATES, name="state"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_cases_state_created_at", "cases", ["state", "created_at"])
    for column in ("assignee_id", "resolved_by_id", "suggested_by_id"):
        op.create_index(f"ix_cases_{column}", "cases", [column])
    op.create_table(
        "case_askers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_ok", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=True),
        sa.Column("feedback", sa.String(8), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_case_askers"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_askers_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name="fk_case_askers_question_id_questions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_case_askers_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("question_id", name="uq_case_askers_question_id"),
        sa.CheckConstraint("feedback IN ('up', 'down')", name="feedback"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_case_askers_case_id", "case_askers", ["case_id"])
    op.create_index("ix_case_askers_user_id", "case_askers", ["user_id"])
    _open_questions_to_cases()
    op.drop_index("ix_open_questions_user_id", table_name="open_questions")
    op.drop_index("ix_open_questions_status", table_name="open_questions")
    op.drop_table("open_questions")


def _open_questions_to_cases() -> None:
    """One case per open question (same id), with its asker; the post keeps its outbox key."""
    op.execute(
        sa.text(
            "INSERT INTO cases (id, state, channel, topic_ids, answer, resolved_at, "
            "post_conversation_id, post_key, post_version, created_at, updated_at) "
            "SELECT q.id, CASE WHEN q.status = 'answered' THEN 'besvaret' ELSE 'ny' END, "
            "u.channel, '[]', q.answer, q.answered_at, "
            "(SELECT o.conversation_id FROM outbox o WHERE o.key = :prefix || q.id), "
            "CASE WHEN q.posted_to_ambassadors THEN :prefix || q.id END, 0, "
            "q.created_at, COALESCE(q.answered_at, q.created_at) "
            "FROM open_questions q JOIN users u ON u.id = q.user_id"
        ).bindparams(prefix=OLD_POST_KEY)
    )
    op.execute(
        "INSERT INTO case_askers (case_id, question_id, user_id, text, asked_at, contact_ok, "
        "channel, conversation_id) "
        "SELECT q.id, q.question_id, q.user_id, q.text, q.created_at, false, u.channel, NULL "
        "FROM open_questions q JOIN users u ON u.id = q.user_id"
    )
    if op.get_bind().dialect.name == "postgresql":  # explicit ids do not move the sequence
        op.execute(
            "SELECT setval(pg_get_serial_sequence('cases', 'id'), COALESCE(MAX(id), 1), "
            "MAX(id) IS NOT NULL) FROM cases"
        )


def downgrade() -> None:
    op.create_table(
        "open_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), server_default="open", nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "posted_to_ambassadors", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_open_questions"),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name="fk_open_questions_question_id_questions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_open_questions_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("question_id", name="uq_open_questions_question_id"),
        sa.CheckConstraint("status IN ('open', 'answered')", name="ck_open_questions_status"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_open_questions_status", "open_questions", ["status"])
    op.create_index("ix_open_questions_user_id", "open_questions", ["user_id"])
    op.execute(
        "INSERT INTO open_questions (id, question_id, user_id, text, status, answer, "
        "answered_at, created_at, posted_to_ambassadors) "
        "SELECT a.id, a.question_id, a.user_id, a.text, "
        "CASE WHEN c.state IN ('besvaret', 'henvist') THEN 'answered' ELSE 'open' END, "
        "c.answer, CASE WHEN c.state IN ('besvaret', 'henvist') THEN c.resolved_at END, "
        "a.asked_at, c.post_key IS NOT NULL "
        "FROM case_askers a JOIN cases c ON c.id = a.case_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('open_questions', 'id'), "
            "COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM open_questions"
        )
    op.drop_index("ix_case_askers_user_id", table_name="case_askers")
    op.drop_index("ix_case_askers_case_id", table_name="case_askers")
    op.drop_table("case_askers")
    for column in ("suggested_by_id", "resolved_by_id", "assignee_id"):
        op.drop_index(f"ix_cases_{column}", table_name="cases")
    op.drop_index("ix_cases_state_created_at", table_name="cases")
    op.drop_table("cases")
    op.drop_index("ix_outbox_updates_key", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("updates_key")
        batch.drop_column("delivered_id")
