"""Sends: one row per message Parley owes once (a reminder, a digest, a notice), by its key.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sends",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("claimed_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sends")
