"""The supplier audits' tables (scorecards S-n), on the one metadata of `bot/store/schema.py`,
and the shared channels' membership events that staff stability is counted from."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.schema import metadata
from bot.store.types import UTCDateTime

# A supplier's audits on a schedule ("every quarter"): at each `next_at` the draft of the period
# that has just ended is made and its owner reminded once.
audit_schedules = sa.Table(
    "audit_schedules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("recurrence", sa.Text, nullable=False),  # a stored rule, as reviews keep theirs
    sa.Column("next_at", UTCDateTime, nullable=False),  # the end of the period being audited
    sa.Column("owner_id", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)
sa.Index("ix_audit_schedules_due", audit_schedules.c.active, audit_schedules.c.next_at)

# Scorecards (S-n): one supplier, one period [period_start, period_end). The row holds the
# current version; each version's dimensions are `scorecard_dimensions` rows, and a published
# version that is rated again is kept in `scorecard_versions` before version + 1 is begun.
scorecards = sa.Table(
    "scorecards",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("period_start", UTCDateTime, nullable=False),
    sa.Column("period_end", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # "draft" | "published"
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("owner_id", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(32), nullable=True),  # None: made by its schedule
    sa.Column("rated_at", UTCDateTime, nullable=True),
    sa.Column("rated_by", sa.String(32), nullable=True),
    sa.Column("cooperation", sa.Integer, nullable=True),  # the auditor's rating, 1-5
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("total", sa.Float, nullable=True),  # None: no dimension has data
    sa.Column("band", sa.String(1), nullable=True),
    sa.Column("published_at", UTCDateTime, nullable=True),
    sa.Column("published_by", sa.String(32), nullable=True),
    sa.Column("schedule_id", sa.Integer, sa.ForeignKey("audit_schedules.id"), nullable=True),
    # The owner's one reminder of a scheduled draft: claimed by setting this flag.
    sa.Column("reminded", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("workspace_id", "number", name="uq_scorecards_workspace_number"),
    # One scheduled draft per schedule and period, whichever instance gets there first.
    sa.UniqueConstraint("schedule_id", "period_start", name="uq_scorecards_schedule_period"),
    sa.CheckConstraint("cooperation BETWEEN 1 AND 5", name="cooperation_1_to_5"),
)
sa.Index("ix_scorecards_workspace_party", scorecards.c.workspace_id, scorecards.c.party_id)

# A version's six dimensions: score 0-100 (None = no data, left out of the total), the figure it
# came from (`facts`, a JSON object) and the weight it had.
scorecard_dimensions = sa.Table(
    "scorecard_dimensions",
    metadata,
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

# Earlier versions as they were published (the scorecard row holds the current one).
scorecard_versions = sa.Table(
    "scorecard_versions",
    metadata,
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

# Where a version was posted: internally, or in the supplier's shared channel.
scorecard_posts = sa.Table(
    "scorecard_posts",
    metadata,
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
    sa.Column("audience", sa.String(16), nullable=False),  # "internal" | "party"
    sa.Column("posted_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint(
        "scorecard_id", "version", "channel_id", name="uq_scorecard_posts_version_channel"
    ),
)


def _remarks(name: str) -> sa.Table:
    """A supplier's comments, or its appeals, on one version of a scorecard."""
    table = sa.Table(
        name,
        metadata,
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
    sa.Index(f"ix_{name}_scorecard", table.c.scorecard_id, table.c.id)
    return table


scorecard_comments = _remarks("scorecard_comments")
scorecard_appeals = _remarks("scorecard_appeals")

# Who joined or left a channel shared with a party, from `member_joined_channel` /
# `member_left_channel`; `event_id` makes a replayed event a no-op.
channel_memberships = sa.Table(
    "channel_memberships",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("channel_id", sa.String(32), nullable=False),
    sa.Column("user_id", sa.String(32), nullable=False),
    sa.Column("team_id", sa.String(32), nullable=True),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
    sa.Column("event", sa.String(8), nullable=False),  # "joined" | "left"
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.UniqueConstraint("event_id", name="uq_channel_memberships_event"),
)
sa.Index(
    "ix_channel_memberships_channel",
    channel_memberships.c.workspace_id,
    channel_memberships.c.channel_id,
    channel_memberships.c.at,
)
