"""street reports: a resident's report with photos and its Open311-style status

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 03:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "street_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("reporter_tg_id", sa.BigInteger(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("staff_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("staff_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ward_id"],
            ["wards.id"],
            name=op.f("fk_street_reports_ward_id_wards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_reports")),
    )
    with op.batch_alter_table("street_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_street_reports_reporter_tg_id"), ["reporter_tg_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_street_reports_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_street_reports_ward_id"), ["ward_id"], unique=False)
    op.create_table(
        "street_report_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(length=255), nullable=True),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["street_reports.id"],
            name=op.f("fk_street_report_events_report_id_street_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_report_events")),
    )
    with op.batch_alter_table("street_report_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_street_report_events_report_id"), ["report_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("street_report_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_street_report_events_report_id"))
    op.drop_table("street_report_events")
    with op.batch_alter_table("street_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_street_reports_ward_id"))
        batch_op.drop_index(batch_op.f("ix_street_reports_status"))
        batch_op.drop_index(batch_op.f("ix_street_reports_reporter_tg_id"))
    op.drop_table("street_reports")
