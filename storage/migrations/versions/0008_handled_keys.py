"""handled_keys: a welcome per person and conversation, one submission per card.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_keys",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_handled_keys"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_handled_keys_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_handled_keys_user_id", "handled_keys", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_handled_keys_user_id", table_name="handled_keys")
    op.drop_table("handled_keys")
