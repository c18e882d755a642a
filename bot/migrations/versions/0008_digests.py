"""Digest subscriptions: a channel's or a person's daily digest and its scheduler state.

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("local_time", sa.String(5), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("subscribed_by", sa.String(32), nullable=False),
        sa.Column("subscribed_at", UTCDateTime, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("last_due_at", UTCDateTime, nullable=True),
        sa.Column("last_sent_at", UTCDateTime, nullable=True),
        sa.Column("lease_key", sa.String(200), nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.UniqueConstraint(
            "workspace_id",
            "kind",
            "target",
            name="uq_digest_subscriptions_workspace_kind_target",
        ),
    )
    op.create_index("ix_digest_subscriptions_active", "digest_subscriptions", ["active"])


def downgrade() -> None:
    op.drop_index("ix_digest_subscriptions_active", "digest_subscriptions")
    op.drop_table("digest_subscriptions")
