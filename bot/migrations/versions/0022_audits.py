"""Supplier audits: scorecards (S-n) with each version's dimensions, earlier versions, posts,
comments and appeals; audit schedules; shared channels' membership events; and action items
that belong to a scorecard (an improvement action) instead of a review.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def _remarks(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scorecard_id",
            sa.Integer,
            sa.ForeignKey("scorecards.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index(f"ix_{name}_scorecard", name, ["scorecard_id", "id"])


def upgrade() -> None:
    op.create_table(
        "audit_schedules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("recurrence", sa.Text, nullable=False),
        sa.Column("next_at", UTCDateTime, nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_index("ix_audit_schedules_due", "audit_schedules", ["active", "next_at"])
    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("period_start", UTCDateTime, nullable=False),
        sa.Column("period_end", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(32), nullable=True),
        sa.Column("rated_at", UTCDateTime, nullable=True),
        sa.Column("rated_by", sa.String(32), nullable=True),
        sa.Column("cooperation", sa.Integer, nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("total", sa.Float, nullable=True),
        sa.Column("band", sa.String(1), nullable=True),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("published_by", sa.String(32), nullable=True),
        sa.Column("schedule_id", sa.Integer, sa.ForeignKey("audit_schedules.id"), nullable=True),
        sa.Column("reminded", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("workspace_id", "number", name="uq_scorecards_workspace_number"),
        sa.UniqueConstraint("schedule_id", "period_start", name="uq_scorecards_schedule_period"),
        sa.CheckConstraint("cooperation BETWEEN 1 AND 5", name="ck_scorecards_cooperation_1_to_5"),
    )
    op.create_index("ix_scorecards_workspace_party", "scorecards", ["workspace_id", "party_id"])
    op.create_table(
        "scorecard_dimensions",
        sa.Column(
            "scorecard_id",
            sa.Integer,
            sa.ForeignKey("scorecards.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("dimension", sa.String(32), primary_key=True),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
    )
    op.create_table(
        "scorecard_versions",
        sa.Column(
            "scorecard_id",
            sa.Integer,
            sa.ForeignKey("scorecards.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("rated_at", UTCDateTime, nullable=True),
        sa.Column("rated_by", sa.String(32), nullable=True),
        sa.Column("cooperation", sa.Integer, nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("total", sa.Float, nullable=True),
        sa.Column("band", sa.String(1), nullable=True),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("published_by", sa.String(32), nullable=True),
    )
    op.create_table(
        "scorecard_posts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scorecard_id",
            sa.Integer,
            sa.ForeignKey("scorecards.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("posted_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint(
            "scorecard_id", "version", "channel_id", name="uq_scorecard_posts_version_channel"
        ),
    )
    _remarks("scorecard_comments")
    _remarks("scorecard_appeals")
    op.create_table(
        "channel_memberships",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("event", sa.String(8), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.UniqueConstraint("event_id", name="uq_channel_memberships_event"),
    )
    op.create_index(
        "ix_channel_memberships_channel",
        "channel_memberships",
        ["workspace_id", "channel_id", "at"],
    )
    with op.batch_alter_table("action_items") as batch:
        batch.alter_column("review_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("scorecard_id", sa.Integer, nullable=True))
        batch.create_foreign_key(
            "fk_action_items_scorecard_id",
            "scorecards",
            ["scorecard_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_action_items_scorecard", ["scorecard_id"])


def downgrade() -> None:
    with op.batch_alter_table("action_items") as batch:
        batch.drop_index("ix_action_items_scorecard")
        batch.drop_constraint("fk_action_items_scorecard_id", type_="foreignkey")
        batch.drop_column("scorecard_id")
        batch.alter_column("review_id", existing_type=sa.Integer, nullable=False)
    op.drop_table("channel_memberships")
    op.drop_table("scorecard_appeals")
    op.drop_table("scorecard_comments")
    op.drop_table("scorecard_posts")
    op.drop_table("scorecard_versions")
    op.drop_table("scorecard_dimensions")
    op.drop_table("scorecards")
    op.drop_table("audit_schedules")
