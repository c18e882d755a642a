"""Reviews: R-n with their parties, participants, skips, reminder threads, minutes, and T-n.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _review_fk(primary_key: bool) -> sa.Column[int]:
    return sa.Column(
        "review_id",
        sa.Integer,
        sa.ForeignKey("reviews.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("recurrence", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("next_at", UTCDateTime, nullable=True),
        sa.Column("last_at", UTCDateTime, nullable=True),
        sa.Column("report_within", sa.Integer, nullable=True),
        sa.Column("meeting_within", sa.Integer, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("workspace_id", "number", name="uq_reviews_workspace_number"),
    )
    op.create_index("ix_reviews_status_next", "reviews", ["status", "next_at"])
    op.create_table(
        "review_parties",
        _review_fk(True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), primary_key=True),
    )
    op.create_table(
        "review_participants",
        _review_fk(True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "review_skips",
        _review_fk(True),
        sa.Column("occurrence_at", UTCDateTime, primary_key=True),
        sa.Column("skipped_by", sa.String(32), nullable=False),
        sa.Column("skipped_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "review_threads",
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("ts", sa.String(32), primary_key=True),
        _review_fk(False),
        sa.Column("occurrence_at", UTCDateTime, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_review_threads_review", "review_threads", ["review_id", "occurrence_at"])
    op.create_table(
        "review_minutes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _review_fk(False),
        sa.Column("occurrence_at", UTCDateTime, nullable=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("message_ts", sa.String(32), nullable=True),
    )
    op.create_index("ix_review_minutes_review", "review_minutes", ["review_id", "id"])
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        _review_fk(False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("done_at", UTCDateTime, nullable=True),
        sa.Column("done_by", sa.String(32), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("message_ts", sa.String(32), nullable=True),
        sa.UniqueConstraint("workspace_id", "number", name="uq_action_items_workspace_number"),
    )
    op.create_index("ix_action_items_status_due", "action_items", ["status", "due_at"])
    op.create_index("ix_action_items_review", "action_items", ["review_id"])


def downgrade() -> None:
    op.drop_index("ix_action_items_review", "action_items")
    op.drop_index("ix_action_items_status_due", "action_items")
    op.drop_table("action_items")
    op.drop_index("ix_review_minutes_review", "review_minutes")
    op.drop_table("review_minutes")
    op.drop_index("ix_review_threads_review", "review_threads")
    op.drop_table("review_threads")
    op.drop_table("review_skips")
    op.drop_table("review_participants")
    op.drop_table("review_parties")
    op.drop_index("ix_reviews_status_next", "reviews")
    op.drop_table("reviews")
