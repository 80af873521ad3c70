"""Pilots and ambassador notes remember the card they came from: a card submitted twice
creates one pilot (one note).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = ("pilots", "pilot_notes")


def upgrade() -> None:
    # A nullable column and a unique index: no table copy on SQLite (pilots has children).
    for table in TABLES:
        op.add_column(table, sa.Column("card_id", sa.String(64), nullable=True))
        op.create_index(f"ix_{table}_card_id", table, ["card_id"], unique=True)


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_card_id", table_name=table)
        op.drop_column(table, "card_id")
