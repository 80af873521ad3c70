"""Tables for campaigns, experiences and reminder opt-outs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of storage.experience_choices at the time of this migration.
ANSWER_KINDS = "('shared', 'nothing')"
TASK_TYPES = (
    "('kommunikation', 'sagsbehandling', 'moedereferater', 'oversaettelse', 'dataanalyse', "
    "'andet')"
)
GAINS = "('tid', 'kvalitet', 'service', 'ingen_endnu')"
CONSENTS = "('kun_samlet', 'citat_anonymt', 'citat_med_navn')"


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("campaign_day", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
        sa.UniqueConstraint("month", name="uq_campaigns_month"),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "campaign_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remind_on", sa.Date(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_kind", sa.String(16), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_recipients"),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name="fk_campaign_recipients_campaign_id_campaigns",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_campaign_recipients_user_id_users",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "campaign_id", "user_id", name="uq_campaign_recipients_campaign_id_user_id"
        ),
        sa.CheckConstraint(
            f"answer_kind IN {ANSWER_KINDS}", name="ck_campaign_recipients_answer_kind"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_campaign_recipients_user_id", "campaign_recipients", ["user_id"])
    op.create_index("ix_campaign_recipients_remind_on", "campaign_recipients", ["remind_on"])

    op.create_table(
        "experiences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(128), nullable=True),
        sa.Column("used_for", sa.Text(), nullable=False),
        sa.Column("task_type", sa.String(32), nullable=True),
        sa.Column("gain", sa.String(16), nullable=True),
        sa.Column("barriers", sa.JSON(), nullable=False),
        sa.Column("hard_text", sa.Text(), nullable=False),
        sa.Column("consent", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_experiences"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_experiences_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name="fk_experiences_campaign_id_campaigns",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("campaign_id", "user_id", name="uq_experiences_campaign_id_user_id"),
        sa.CheckConstraint(f"task_type IN {TASK_TYPES}", name="ck_experiences_task_type"),
        sa.CheckConstraint(f"gain IN {GAINS}", name="ck_experiences_gain"),
        sa.CheckConstraint(f"consent IN {CONSENTS}", name="ck_experiences_consent"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_experiences_user_id", "experiences", ["user_id"])
    op.create_index("ix_experiences_campaign_id", "experiences", ["campaign_id"])
    op.create_index("ix_experiences_created_at", "experiences", ["created_at"])

    op.create_table(
        "reminder_opt_outs",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_reminder_opt_outs"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_reminder_opt_outs_user_id_users", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    op.drop_table("reminder_opt_outs")
    op.drop_index("ix_experiences_created_at", table_name="experiences")
    op.drop_index("ix_experiences_campaign_id", table_name="experiences")
    op.drop_index("ix_experiences_user_id", table_name="experiences")
    op.drop_table("experiences")
    op.drop_index("ix_campaign_recipients_remind_on", table_name="campaign_recipients")
    op.drop_index("ix_campaign_recipients_user_id", table_name="campaign_recipients")
    op.drop_table("campaign_recipients")
    op.drop_table("campaigns")
