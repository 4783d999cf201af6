"""event: index for ward-scoped totals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

COLUMNS = ["kind", "ward_code", "occurred_on", "area_id", "household_ref", "count", "answer"]
LIVE = sa.text("voided_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_live_kind_ward_date", COLUMNS, unique=False, sqlite_where=LIVE, postgresql_where=LIVE
        )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_live_kind_ward_date", sqlite_where=LIVE, postgresql_where=LIVE)
