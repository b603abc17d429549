"""lookups: guides shown or searched, per ward and source, no person

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 03:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["ward_id"], ["wards.id"], name=op.f("fk_lookups_ward_id_wards"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lookups")),
    )
    op.create_index(op.f("ix_lookups_at"), "lookups", ["at"], unique=False)
    op.create_index("ix_lookups_ward_id_at", "lookups", ["ward_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_lookups_ward_id_at", table_name="lookups")
    op.drop_index(op.f("ix_lookups_at"), table_name="lookups")
    op.drop_table("lookups")
