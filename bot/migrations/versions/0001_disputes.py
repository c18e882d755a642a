"""Counters, parties and disputes with their members, threads and timeline.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("workspace_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slack_team", sa.String(32), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("workspace_id", "name", name="uq_parties_workspace_name"),
        sa.UniqueConstraint("workspace_id", "slack_team", name="uq_parties_workspace_team"),
    )
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("root_ts", sa.String(32), nullable=True),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("stage_started_at", UTCDateTime, nullable=False),
        sa.Column("stage_due_at", UTCDateTime, nullable=True),
        sa.Column("resolution", sa.Text, nullable=True),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("workspace_id", "number", name="uq_disputes_workspace_number"),
    )
    op.create_index("ix_disputes_workspace_status", "disputes", ["workspace_id", "status"])
    op.create_table(
        "dispute_parties",
        sa.Column(
            "dispute_id",
            sa.Integer,
            sa.ForeignKey("disputes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), primary_key=True),
        sa.Column("added_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "dispute_members",
        sa.Column(
            "dispute_id",
            sa.Integer,
            sa.ForeignKey("disputes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("added_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "dispute_threads",
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("ts", sa.String(32), primary_key=True),
        sa.Column(
            "dispute_id",
            sa.Integer,
            sa.ForeignKey("disputes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_dispute_threads_dispute", "dispute_threads", ["dispute_id"])
    op.create_table(
        "timeline",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "dispute_id",
            sa.Integer,
            sa.ForeignKey("disputes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor_id", sa.String(32), nullable=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("stage", sa.String(32), nullable=True),
    )
    op.create_index("ix_timeline_dispute", "timeline", ["dispute_id", "id"])


def downgrade() -> None:
    for table in (
        "timeline",
        "dispute_threads",
        "dispute_members",
        "dispute_parties",
        "disputes",
        "parties",
        "counters",
    ):
        op.drop_table(table)
