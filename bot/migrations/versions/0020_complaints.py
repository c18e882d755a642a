"""Complaints: customers' complaints (C-n), the events on their record, and the disputes
that caused them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("complainant_id", sa.String(32), nullable=True),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("root_ts", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("answer_due_at", UTCDateTime, nullable=False),
        sa.Column("resolve_due_at", UTCDateTime, nullable=False),
        sa.Column("first_answer_at", UTCDateTime, nullable=True),
        sa.Column("resolved_at", UTCDateTime, nullable=True),
        sa.Column("resolution", sa.Text, nullable=True),
        sa.Column("round", sa.Integer, nullable=False, server_default="0"),
        sa.Column("confirm_due_at", UTCDateTime, nullable=True),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("closed_by", sa.String(16), nullable=True),
        sa.Column("escalations", sa.Integer, nullable=False, server_default="0"),
        sa.Column("answer_overdue_told", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("resolve_overdue_told", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("workspace_id", "number", name="uq_complaints_workspace_number"),
    )
    op.create_index("ix_complaints_workspace_status", "complaints", ["workspace_id", "status"])
    op.create_index("ix_complaints_thread", "complaints", ["channel_id", "root_ts"])
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "complaint_id",
            sa.Integer,
            sa.ForeignKey("complaints.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor_id", sa.String(32), nullable=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("message_ts", sa.String(32), nullable=True),
    )
    op.create_index("ix_complaint_events_complaint", "complaint_events", ["complaint_id", "id"])
    op.create_table(
        "complaint_disputes",
        sa.Column(
            "complaint_id",
            sa.Integer,
            sa.ForeignKey("complaints.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "dispute_id",
            sa.Integer,
            sa.ForeignKey("disputes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("linked_by", sa.String(32), nullable=False),
        sa.Column("linked_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_complaint_disputes_dispute", "complaint_disputes", ["dispute_id"])


def downgrade() -> None:
    op.drop_table("complaint_disputes")
    op.drop_table("complaint_events")
    op.drop_table("complaints")
