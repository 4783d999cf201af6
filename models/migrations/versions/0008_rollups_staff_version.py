"""rollups (monthly sums, first qualifying days) and the staff version row

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 02:55:00.000000

The rollups are filled from the events here, so an upgraded database answers the totals at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "rollup_month",
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ward_code", sa.String(length=5), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("yes_answers", sa.Integer(), nullable=False),
        sa.Column("first_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"], name=op.f("fk_rollup_month_ward_code_ward")),
        sa.PrimaryKeyConstraint("fiscal_year", "kind", "ward_code", "year", "month", name=op.f("pk_rollup_month")),
    )
    op.create_table(
        "rollup_first_day",
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ward_code", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_rollup_first_day_area_id_area")),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"], name=op.f("fk_rollup_first_day_ward_code_ward")),
        sa.PrimaryKeyConstraint("fiscal_year", "kind", "ward_code", "subject", name=op.f("pk_rollup_first_day")),
    )
    with op.batch_alter_table("rollup_first_day", schema=None) as batch_op:
        batch_op.create_index("ix_rollup_first_day_year_kind_day", ["fiscal_year", "kind", "first_on"], unique=False)
    op.create_table(
        "staff_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_version")),
    )
    _fill_rollups()


def _fill_rollups() -> None:
    """Existing events counted into the new tables (the same computation as `intake rollups rebuild`)."""
    from models.rollups import rebuild_rollups_sync  # the domain's one definition of what the rollups hold

    rebuild_rollups_sync(op.get_bind())


def downgrade() -> None:
    op.drop_table("staff_version")
    with op.batch_alter_table("rollup_first_day", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_first_day_year_kind_day")
    op.drop_table("rollup_first_day")
    op.drop_table("rollup_month")
