"""Ambassadors' focus areas: org_people.focus, a JSON list of words (e.g. "skole").

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("org_people") as batch:
        batch.add_column(sa.Column("focus", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("org_people") as batch:
        batch.drop_column("focus")
