"""entry_flag and month_approval: entries that look wrong, and a ward's month confirmed and accepted

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-15 09:00:00.000000

Self-contained (two new tables), so it can be renumbered at merge without touching anything else. The usual
count is read from the existing live (kind, ward, date, …, count) index, so the event table is not touched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "entry_flag",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("usual_low", sa.Integer(), nullable=False),
        sa.Column("usual_high", sa.Integer(), nullable=False),
        sa.Column("usual_limit", sa.Integer(), nullable=False),
        sa.Column("city_wide", sa.Boolean(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name="fk_entry_flag_event_id_event"),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"], name="fk_entry_flag_ward_code_ward"),
        sa.ForeignKeyConstraint(
            ["reviewed_by_staff_id"], ["staff.id"], name="fk_entry_flag_reviewed_by_staff_id_staff"
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_entry_flag"),
    )
    op.create_index("ix_entry_flag_status_ward", "entry_flag", ["status", "ward_code"])
    op.create_table(
        "month_approval",
        sa.Column("ward_code", sa.String(length=5), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_staff_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_month_approval_month_valid")),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"], name="fk_month_approval_ward_code_ward"),
        sa.ForeignKeyConstraint(
            ["changed_by_staff_id"], ["staff.id"], name="fk_month_approval_changed_by_staff_id_staff"
        ),
        sa.PrimaryKeyConstraint("ward_code", "year", "month", name="pk_month_approval"),
    )


def downgrade() -> None:
    op.drop_table("month_approval")
    op.drop_index("ix_entry_flag_status_ward", table_name="entry_flag")
    op.drop_table("entry_flag")
