"""words: who issues a notice; guides' verification (by whom, which sources) may be absent

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("issuer", sa.String(length=200), nullable=True))
    with op.batch_alter_table("procedures") as batch:
        batch.add_column(sa.Column("verified_by", sa.String(length=120), nullable=True))
        batch.add_column(
            sa.Column("sources", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.alter_column("verified_on", existing_type=sa.Date(), nullable=True)
    with op.batch_alter_table("procedures") as batch:
        batch.alter_column("sources", existing_type=sa.JSON(), server_default=None)


def downgrade() -> None:
    op.execute("UPDATE procedures SET verified_on = '1970-01-01' WHERE verified_on IS NULL")
    with op.batch_alter_table("procedures") as batch:
        batch.alter_column("verified_on", existing_type=sa.Date(), nullable=False)
        batch.drop_column("sources")
        batch.drop_column("verified_by")
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("issuer")
