"""Thread capture: events seen once, replies keyed by their message, first-response clocks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("seen_at", UTCDateTime, nullable=False),
    )
    with op.batch_alter_table("timeline") as batch:
        batch.add_column(sa.Column("channel_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("message_ts", sa.String(32), nullable=True))
        batch.add_column(sa.Column("previous_text", sa.Text, nullable=True))
        batch.add_column(sa.Column("response_wall_seconds", sa.Integer, nullable=True))
        batch.add_column(sa.Column("response_working_seconds", sa.Integer, nullable=True))
    op.create_index("ix_timeline_message", "timeline", ["channel_id", "message_ts"])
    with op.batch_alter_table("dispute_parties") as batch:
        batch.add_column(sa.Column("first_reply_at", UTCDateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dispute_parties") as batch:
        batch.drop_column("first_reply_at")
    op.drop_index("ix_timeline_message", "timeline")
    with op.batch_alter_table("timeline") as batch:
        for column in (
            "response_working_seconds",
            "response_wall_seconds",
            "previous_text",
            "message_ts",
            "channel_id",
        ):
            batch.drop_column(column)
    op.drop_table("seen_events")
