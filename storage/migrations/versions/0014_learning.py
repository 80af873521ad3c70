"""Shared learning: colleagues' interest in the idea bank's ideas, and the monthly post.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idea_interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experience_id", sa.Integer(), nullable=True),
        sa.Column("pilot_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idea_interests"),
        sa.ForeignKeyConstraint(
            ["experience_id"],
            ["experiences.id"],
            name="fk_idea_interests_experience_id_experiences",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name="fk_idea_interests_pilot_id_pilots", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_idea_interests_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("experience_id", "user_id", name="uq_idea_interests_experience_id_user_id"),
        sa.UniqueConstraint("pilot_id", "user_id", name="uq_idea_interests_pilot_id_user_id"),
        sa.CheckConstraint("(experience_id IS NULL) <> (pilot_id IS NULL)", name="one_idea"),
        sqlite_autoincrement=True,
    )
    for column in ("experience_id", "pilot_id", "user_id"):
        op.create_index(f"ix_idea_interests_{column}", "idea_interests", [column])
    op.create_table(
        "learning_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("state", sa.String(16), server_default="udkast", nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("draft_conversation_id", sa.String(512), nullable=True),
        sa.Column("draft_key", sa.String(255), nullable=True),
        sa.Column("draft_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learning_posts"),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name="fk_learning_posts_decided_by_id_users",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("month", name="uq_learning_posts_month"),
        sa.CheckConstraint("state IN ('udkast', 'sendt', 'sprunget_over')", name="state"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_learning_posts_decided_by_id", "learning_posts", ["decided_by_id"])


def downgrade() -> None:
    op.drop_index("ix_learning_posts_decided_by_id", "learning_posts")
    op.drop_table("learning_posts")
    for column in ("experience_id", "pilot_id", "user_id"):
        op.drop_index(f"ix_idea_interests_{column}", "idea_interests")
    op.drop_table("idea_interests")
