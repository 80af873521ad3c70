"""Tables for the organisation tree, people and roles.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("source", sa.String(512), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_org_imports"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "org_units",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_org_units"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["org_units.id"], name="fk_org_units_parent_id_org_units", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_org_units_parent_id", "org_units", ["parent_id"])
    op.create_table(
        "org_people",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("aad_object_id", sa.String(64), nullable=False),
        sa.Column("teams_user_id", sa.String(255), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_org_people"),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name="fk_org_people_unit_id_org_units", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_org_people_unit_id", "org_people", ["unit_id"])
    op.create_index("ix_org_people_email", "org_people", ["email"])
    op.create_index("ix_org_people_aad_object_id", "org_people", ["aad_object_id"])
    op.create_table(
        "org_leaders",
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "unit_id", name="pk_org_leaders"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["org_people.id"], name="fk_org_leaders_person_id_org_people", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name="fk_org_leaders_unit_id_org_units", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_org_leaders_unit_id", "org_leaders", ["unit_id"])
    op.create_table(
        "digest_subscriptions",
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_digest_subscriptions"),
    )


def downgrade() -> None:
    op.drop_table("digest_subscriptions")
    op.drop_index("ix_org_leaders_unit_id", table_name="org_leaders")
    op.drop_table("org_leaders")
    op.drop_index("ix_org_people_aad_object_id", table_name="org_people")
    op.drop_index("ix_org_people_email", table_name="org_people")
    op.drop_index("ix_org_people_unit_id", table_name="org_people")
    op.drop_table("org_people")
    op.drop_index("ix_org_units_parent_id", table_name="org_units")
    op.drop_table("org_units")
    op.drop_table("org_imports")
