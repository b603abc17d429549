"""targets: ward targets, chat member samples, digests and alerts sent; indicator indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ward_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ward_id"], ["wards.id"], name=op.f("fk_ward_targets_ward_id_wards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ward_targets")),
        sa.UniqueConstraint("ward_id", "key", name=op.f("uq_ward_targets_ward_id_key")),
    )  # fmt: skip
    op.create_table(
        "chat_member_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["residential_groups.id"],
            name=op.f("fk_chat_member_samples_group_id_residential_groups"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_member_samples")),
        sa.UniqueConstraint(
            "group_id", "day", name=op.f("uq_chat_member_samples_group_id_day")
        ),
    )  # fmt: skip
    op.create_table(
        "stats_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ward_id"], ["wards.id"], name=op.f("fk_stats_messages_ward_id_wards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["residential_groups.id"],
            name=op.f("fk_stats_messages_group_id_residential_groups"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_messages")),
        sa.UniqueConstraint(
            "ward_id", "kind", "key", name=op.f("uq_stats_messages_ward_id_kind_key")
        ),
    )  # fmt: skip
    op.create_index("ix_notices_ward_queued", "notices", ["ward_id", "queued_at"])
    op.create_index("ix_tickets_ward_created", "tickets", ["ward_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_ward_created", table_name="tickets")
    op.drop_index("ix_notices_ward_queued", table_name="notices")
    op.drop_table("stats_messages")
    op.drop_table("chat_member_samples")
    op.drop_table("ward_targets")
