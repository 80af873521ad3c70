"""Tables for leaders' digests: stored digests, protected month tables, the link key.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_digests"),
        sa.UniqueConstraint("unit_id", "month", "audience", name="uq_digests_unit_id_month_audience"),
        sa.CheckConstraint("audience IN ('leader', 'organisation')", name="ck_digests_audience"),
    )
    op.create_index("ix_digests_month", "digests", ["month"])
    op.create_table(
        "digest_month_tables",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name="pk_digest_month_tables"),
    )
    op.create_table(
        "digest_link_keys",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_digest_link_keys"),
    )


def downgrade() -> None:
    op.drop_table("digest_link_keys")
    op.drop_table("digest_month_tables")
    op.drop_index("ix_digests_month", table_name="digests")
    op.drop_table("digests")
