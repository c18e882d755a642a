"""The outbox: messages owed to Slack, stored with the change that caused them.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("lane", sa.String(120), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("dedupe", sa.String(200), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("in_doubt", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("first_attempt_at", UTCDateTime, nullable=True),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.Column("channel_id", sa.String(40), nullable=True),
        sa.Column("ts", sa.String(40), nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
        sa.UniqueConstraint("dedupe", name="uq_outbox_dedupe"),
    )
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_lane", "outbox", ["lane", "id"])
    op.create_index("ix_outbox_finished_at", "outbox", ["finished_at"])


def downgrade() -> None:
    op.drop_table("outbox")
