"""Pilots remember the creation card they came from, so submitting it twice creates one pilot.

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
    # A nullable column and a unique index: no table copy on SQLite (pilots has children).
    op.add_column("pilots", sa.Column("card_id", sa.String(64), nullable=True))
    op.create_index("ix_pilots_card_id", "pilots", ["card_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_pilots_card_id", table_name="pilots")
    op.drop_column("pilots", "card_id")
