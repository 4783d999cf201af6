"""followup: the next planned contact with a household

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 09:00:00.000000

Self-contained (one new table and its indexes), so it can be renumbered at merge without touching anything else.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

OPEN = sa.text("closed_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(length=5), nullable=False),
        sa.Column("household_ref", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("source_event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.String(length=12), nullable=True),
        sa.Column("closed_by_event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name="fk_followup_staff_id_staff"),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"], name="fk_followup_ward_code_ward"),
        sa.ForeignKeyConstraint(["source_event_id"], ["event.id"], name="fk_followup_source_event_id_event"),
        sa.ForeignKeyConstraint(["closed_by_event_id"], ["event.id"], name="fk_followup_closed_by_event_id_event"),
        sa.PrimaryKeyConstraint("id", name="pk_followup"),
    )
    op.create_index(
        "ix_followup_open_due", "followup", ["due_on", "staff_id"], sqlite_where=OPEN, postgresql_where=OPEN
    )
    op.create_index(
        "ix_followup_open_holder_household",
        "followup",
        ["staff_id", "household_ref"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_followup_open_ward_due", "followup", ["ward_code", "due_on"], sqlite_where=OPEN, postgresql_where=OPEN
    )


def downgrade() -> None:
    op.drop_index("ix_followup_open_ward_due", table_name="followup")
    op.drop_index("ix_followup_open_holder_household", table_name="followup")
    op.drop_index("ix_followup_open_due", table_name="followup")
    op.drop_table("followup")
