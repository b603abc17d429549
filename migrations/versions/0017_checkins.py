"""engagement: safety check-ins, one answer per household, needs taken and closed

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 03:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("group_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("closed_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
            name=op.f("fk_checkins_notice_id_notices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ward_id"], ["wards.id"], name=op.f("fk_checkins_ward_id_wards"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("notice_id", name=op.f("uq_checkins_notice_id")),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkins_ward_id"), ["ward_id"], unique=False)

    op.create_table(
        "checkin_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("need", sa.String(length=16), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("by_phone", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("answered_by", sa.BigInteger(), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.Column("taken_by", sa.BigInteger(), nullable=True),
        sa.Column("taken_at", UTC(timezone=True), nullable=True),
        sa.Column("closed_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["checkin_id"],
            ["checkins.id"],
            name=op.f("fk_checkin_answers_checkin_id_checkins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_checkin_answers_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_answers")),
        sa.UniqueConstraint(
            "checkin_id",
            "household_id",
            name=op.f("uq_checkin_answers_checkin_id_household_id"),
        ),
    )
    with op.batch_alter_table("checkin_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checkin_answers_checkin_id"), ["checkin_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("checkin_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_answers_checkin_id"))
    op.drop_table("checkin_answers")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkins_ward_id"))
    op.drop_table("checkins")
