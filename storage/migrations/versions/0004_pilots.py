"""Tables for pilots, check-ins and reflections.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pilots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("tool", sa.String(200), nullable=False),
        sa.Column("success_criterion", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("duration_weeks", sa.Integer(), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("ended_early", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pilots"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_pilots_owner_id_users", ondelete="CASCADE"
        ),
        sa.CheckConstraint("status IN ('active', 'paused', 'ended')", name="ck_pilots_status"),
        sa.CheckConstraint("duration_weeks >= 1", name="ck_pilots_duration_weeks"),
        sa.CheckConstraint("cadence_days >= 1", name="ck_pilots_cadence_days"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_pilots_owner_id", "pilots", ["owner_id"])
    op.create_index("ix_pilots_status", "pilots", ["status"])

    op.create_table(
        "pilot_participants",
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pilot_id", "user_id", name="pk_pilot_participants"),
        sa.ForeignKeyConstraint(
            ["pilot_id"],
            ["pilots.id"],
            name="fk_pilot_participants_pilot_id_pilots",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_pilot_participants_user_id_users",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_pilot_participants_user_id", "pilot_participants", ["user_id"])

    op.create_table(
        "pilot_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("worked", sa.Text(), nullable=True),
        sa.Column("hard", sa.Text(), nullable=True),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pilot_checkins"),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name="fk_pilot_checkins_pilot_id_pilots", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_pilot_checkins_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint(
            "pilot_id", "number", "user_id", name="uq_pilot_checkins_pilot_id_number_user_id"
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_pilot_checkins_rating"),
        sa.CheckConstraint(
            "decision IN ('continue', 'adjust', 'stop')", name="ck_pilot_checkins_decision"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_pilot_checkins_user_id", "pilot_checkins", ["user_id"])

    op.create_table(
        "pilot_reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worked", sa.Text(), nullable=True),
        sa.Column("easier", sa.Text(), nullable=True),
        sa.Column("harder", sa.Text(), nullable=True),
        sa.Column("recommend", sa.String(8), nullable=True),
        sa.Column("micro_success", sa.Text(), nullable=True),
        sa.Column("share_consent", sa.String(16), server_default="none", nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pilot_reflections"),
        sa.ForeignKeyConstraint(
            ["pilot_id"],
            ["pilots.id"],
            name="fk_pilot_reflections_pilot_id_pilots",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_pilot_reflections_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("pilot_id", "user_id", name="uq_pilot_reflections_pilot_id_user_id"),
        sa.CheckConstraint(
            "recommend IN ('yes', 'maybe', 'no')", name="ck_pilot_reflections_recommend"
        ),
        sa.CheckConstraint(
            "share_consent IN ('anonymous', 'named', 'none')",
            name="ck_pilot_reflections_share_consent",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_pilot_reflections_user_id", "pilot_reflections", ["user_id"])

    op.create_table(
        "pilot_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pilot_notes"),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name="fk_pilot_notes_pilot_id_pilots", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name="fk_pilot_notes_author_id_users", ondelete="CASCADE"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_pilot_notes_pilot_id", "pilot_notes", ["pilot_id"])
    op.create_index("ix_pilot_notes_author_id", "pilot_notes", ["author_id"])


def downgrade() -> None:
    op.drop_index("ix_pilot_notes_author_id", table_name="pilot_notes")
    op.drop_index("ix_pilot_notes_pilot_id", table_name="pilot_notes")
    op.drop_table("pilot_notes")
    op.drop_index("ix_pilot_reflections_user_id", table_name="pilot_reflections")
    op.drop_table("pilot_reflections")
    op.drop_index("ix_pilot_checkins_user_id", table_name="pilot_checkins")
    op.drop_table("pilot_checkins")
    op.drop_index("ix_pilot_participants_user_id", table_name="pilot_participants")
    op.drop_table("pilot_participants")
    op.drop_index("ix_pilots_status", table_name="pilots")
    op.drop_index("ix_pilots_owner_id", table_name="pilots")
    op.drop_table("pilots")
