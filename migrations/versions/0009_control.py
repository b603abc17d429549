"""control: review rounds, corrections waiting for approval, who decided

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("review_round", lambda: sa.Column(
        "review_round", sa.Integer(), server_default="0", nullable=False)),
    ("author_name", lambda: sa.Column("author_name", sa.String(length=160), nullable=True)),
    ("decided_name", lambda: sa.Column("decided_name", sa.String(length=160), nullable=True)),
    ("cancelled_by", lambda: sa.Column("cancelled_by", sa.BigInteger(), nullable=True)),
    ("pending_text", lambda: sa.Column("pending_text", sa.Text(), nullable=True)),
    ("pending_by", lambda: sa.Column("pending_by", sa.BigInteger(), nullable=True)),
    ("pending_name", lambda: sa.Column("pending_name", sa.String(length=160), nullable=True)),
)  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        for _name, column in COLUMNS:
            batch.add_column(column())


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        for name, _column in reversed(COLUMNS):
            batch.drop_column(name)
