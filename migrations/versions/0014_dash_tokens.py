"""dash tokens: one-time sign-in links to the officials' web dashboard (hashed)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dash_login_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dash_login_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_dash_login_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_dash_login_tokens_telegram_id"), "dash_login_tokens", ["telegram_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_dash_login_tokens_telegram_id"), table_name="dash_login_tokens")
    op.drop_table("dash_login_tokens")
