"""privacy: abuse limits that survive erasure, listed households, gap sources, staff-written FAQ

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "abuse_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_abuse_marks")),
    )
    op.create_index(op.f("ix_abuse_marks_subject"), "abuse_marks", ["subject"])
    op.create_index(op.f("ix_abuse_marks_at"), "abuse_marks", ["at"])
    with op.batch_alter_table("ask_blocks") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=64), nullable=True))
        batch.alter_column("telegram_id", existing_type=sa.BigInteger(), nullable=True)
        batch.create_index(batch.f("ix_ask_blocks_subject"), ["subject"])
    with op.batch_alter_table("households") as batch:
        batch.add_column(
            sa.Column("listed", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("procedure_search_gaps") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_procedure_search_gaps_subject"), ["subject"])
    # Every FAQ entry so far quoted a resident's question word for word (names, phone numbers)
    # and showed it to other residents; the team writes them anew with the staff-written flow.
    op.execute("DELETE FROM faq_entries")


def downgrade() -> None:
    with op.batch_alter_table("procedure_search_gaps") as batch:
        batch.drop_index(batch.f("ix_procedure_search_gaps_subject"))
        batch.drop_column("subject")
    with op.batch_alter_table("households") as batch:
        batch.drop_column("listed")
    op.execute("DELETE FROM ask_blocks WHERE telegram_id IS NULL")
    with op.batch_alter_table("ask_blocks") as batch:
        batch.drop_index(batch.f("ix_ask_blocks_subject"))
        batch.alter_column("telegram_id", existing_type=sa.BigInteger(), nullable=False)
        batch.drop_column("subject")
    op.drop_index(op.f("ix_abuse_marks_at"), table_name="abuse_marks")
    op.drop_index(op.f("ix_abuse_marks_subject"), table_name="abuse_marks")
    op.drop_table("abuse_marks")
