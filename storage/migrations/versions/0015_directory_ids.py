"""Directory ids as long as an e-mail address: Slack finds people by e-mail, which can be
longer than the 64 characters an Entra ID object id needs.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("users", "aad_object_id"), ("team_members", "directory_id"))


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.String(64), type_=sa.String(255), existing_nullable=True
            )


def downgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.String(255), type_=sa.String(64), existing_nullable=True
            )
