"""heartbeat: the bot's last beat, last update and last daily run, for a monitor outside the process

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-20 09:00:00.000000

Self-contained (one new table), so it can be renumbered at merge without touching anything else.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "heartbeat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_update_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_update_id", sa.BigInteger(), nullable=True),
        sa.Column("updates_since_start", sa.Integer(), nullable=False),
        sa.Column("daily_run_day", sa.Date(), nullable=True),
        sa.Column("daily_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("daily_run_outcome", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_heartbeat"),
    )


def downgrade() -> None:
    op.drop_table("heartbeat")
