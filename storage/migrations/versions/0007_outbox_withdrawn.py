"""Outbox rows can be withdrawn: a pending message that is no longer wanted is not sent.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 05:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES_BEFORE = "state IN ('pending', 'sending', 'sent', 'failed')"
STATES_AFTER = "state IN ('pending', 'sending', 'sent', 'failed', 'withdrawn')"


def _replace_state_check(old_name: str, condition: str) -> None:
    # SQLite cannot alter a constraint: batch mode copies the table with the new check. The
    # names pass through the naming convention (ck_<table>_<name>): 0002 named its check
    # "ck_outbox_state", which the convention stored as ck_outbox_ck_outbox_state.
    with op.batch_alter_table("outbox", recreate="auto") as batch:
        batch.drop_constraint(old_name, type_="check")
        batch.create_check_constraint("state", condition)  # ck_outbox_state, as the model


def upgrade() -> None:
    _replace_state_check("ck_outbox_state", STATES_AFTER)


def downgrade() -> None:
    outbox = sa.table("outbox", sa.column("state", sa.String), sa.column("last_error", sa.Text))
    op.execute(
        outbox.update()
        .where(outbox.c.state == "withdrawn")
        .values(state="failed", last_error="withdrawn: no longer wanted")
    )
    _replace_state_check("state", STATES_BEFORE)
