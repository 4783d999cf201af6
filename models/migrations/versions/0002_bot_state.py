"""bot state: the Telegram bot's user_data, chat_data and conversation states (bot.persistence)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 06:42:43.695192
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "bot_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_state")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_bot_state_kind")),
    )


def downgrade() -> None:
    op.drop_table("bot_state")
