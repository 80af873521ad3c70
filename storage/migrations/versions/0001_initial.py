"""Initial schema: users, conversation references, questions and open questions.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("channel_user_id", sa.String(255), nullable=False),
        sa.Column("aad_object_id", sa.String(64), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("channel", "channel_user_id", name="uq_users_channel_channel_user_id"),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "conversation_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_key", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("conversation_type", sa.String(16), nullable=False),
        sa.Column("service_url", sa.String(512), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_references"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_conversation_references_user_id_users",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "channel",
            "conversation_id",
            "user_key",
            name="uq_conversation_references_channel_conversation_id_user_key",
        ),
        sa.CheckConstraint(
            "conversation_type IN ('personal', 'groupChat', 'channel')",
            name="ck_conversation_references_conversation_type",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_conversation_references_user_id", "conversation_references", ["user_id"]
    )

    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topic_id", sa.String(128), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("in_scope", sa.Boolean(), nullable=False),
        sa.Column("feedback", sa.String(8), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_questions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_questions_user_id_users", ondelete="CASCADE"
        ),
        sa.CheckConstraint("feedback IN ('up', 'down')", name="ck_questions_feedback"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_questions_user_id", "questions", ["user_id"])

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


def downgrade() -> None:
    op.drop_index("ix_open_questions_user_id", table_name="open_questions")
    op.drop_index("ix_open_questions_status", table_name="open_questions")
    op.drop_table("open_questions")
    op.drop_index("ix_questions_user_id", table_name="questions")
    op.drop_table("questions")
    op.drop_index("ix_conversation_references_user_id", table_name="conversation_references")
    op.drop_table("conversation_references")
    op.drop_table("users")
