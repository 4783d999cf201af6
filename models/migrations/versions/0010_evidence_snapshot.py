"""evidence_snapshot: the city's monthly 集計根拠 frozen with each closed month

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 05:30:00.000000

Months closed before this revision have none; their frozen city sheet recomputes it from the events as they
were recorded at the freeze (`models.sheet.evidence.evidence_as_recorded`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_snapshot")),
        sa.UniqueConstraint("fiscal_year", "as_of", name=op.f("uq_evidence_snapshot_fiscal_year")),
    )


def downgrade() -> None:
    op.drop_table("evidence_snapshot")
