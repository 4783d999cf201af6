"""rollup_month: a covering index in month order

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 05:20:00.000000

The city's monthly series sums the wards of each kind and month: in this order, with every figure in the index,
the database reads it straight from the index, without the table and without sorting.
"""

from __future__ import annotations

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

COLUMNS = ["fiscal_year", "kind", "year", "month", "ward_code", "events", "total", "yes_answers", "first_days"]


def upgrade() -> None:
    op.create_index("ix_rollup_month_by_month", "rollup_month", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_rollup_month_by_month", table_name="rollup_month")
