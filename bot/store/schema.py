"""The tables, as SQLAlchemy Core metadata. Migrations in `bot/migrations` create them."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.types import UTCDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Per-workspace sequences for D-n, R-n, A-n, T-n: numbers are never reused.
counters = sa.Table(
    "counters",
    metadata,
    sa.Column("workspace_id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)

parties = sa.Table(
    "parties",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("slack_team", sa.String(32), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("workspace_id", "name", name="uq_parties_workspace_name"),
    sa.UniqueConstraint("workspace_id", "slack_team", name="uq_parties_workspace_team"),
)

disputes = sa.Table(
    "disputes",
    metadata,
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
    sa.Column("legal_hold", sa.Boolean, nullable=False, server_default=sa.false()),
    # The stage whose overdue notice went out: at most one notice per stage.
    sa.Column("overdue_stage", sa.String(32), nullable=True),
    sa.UniqueConstraint("workspace_id", "number", name="uq_disputes_workspace_number"),
)
sa.Index("ix_disputes_workspace_status", disputes.c.workspace_id, disputes.c.status)
sa.Index("ix_disputes_open_due", disputes.c.status, disputes.c.stage_due_at)

dispute_parties = sa.Table(
    "dispute_parties",
    metadata,
    sa.Column(
        "dispute_id", sa.Integer, sa.ForeignKey("disputes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), primary_key=True),
    sa.Column("added_at", UTCDateTime, nullable=False),
    sa.Column("first_reply_at", UTCDateTime, nullable=True),
)

dispute_members = sa.Table(
    "dispute_members",
    metadata,
    sa.Column(
        "dispute_id", sa.Integer, sa.ForeignKey("disputes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.String(32), primary_key=True),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
    sa.Column("added_at", UTCDateTime, nullable=False),
)

# Threads that belong to a dispute: its home thread and linked ones (keyed by Slack's ts).
dispute_threads = sa.Table(
    "dispute_threads",
    metadata,
    sa.Column("channel_id", sa.String(32), primary_key=True),
    sa.Column("ts", sa.String(32), primary_key=True),
    sa.Column(
        "dispute_id", sa.Integer, sa.ForeignKey("disputes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("kind", sa.String(16), nullable=False),
)
sa.Index("ix_dispute_threads_dispute", dispute_threads.c.dispute_id)

timeline = sa.Table(
    "timeline",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "dispute_id", sa.Integer, sa.ForeignKey("disputes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor_id", sa.String(32), nullable=True),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
    sa.Column("text", sa.Text, nullable=True),
    sa.Column("stage", sa.String(32), nullable=True),
    # Replies, edits and deletions: which message, and what it said before.
    sa.Column("channel_id", sa.String(32), nullable=True),
    sa.Column("message_ts", sa.String(32), nullable=True),
    sa.Column("previous_text", sa.Text, nullable=True),
    # On a party's first reply: how long it took since the party was brought in.
    sa.Column("response_wall_seconds", sa.Integer, nullable=True),
    sa.Column("response_working_seconds", sa.Integer, nullable=True),
)
sa.Index("ix_timeline_dispute", timeline.c.dispute_id, timeline.c.id)
sa.Index("ix_timeline_message", timeline.c.channel_id, timeline.c.message_ts)

# Slack event ids already taken: a retried or repeated event records nothing new.
seen_events = sa.Table(
    "seen_events",
    metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("seen_at", UTCDateTime, nullable=False),
)

# Messages owed once, by a key that says what, for whom and which period
# (e.g. "review-reminder:R-3:2026-12-14T02:00:00Z:day-before"): claimed before sending.
sends = sa.Table(
    "sends",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("claimed_at", UTCDateTime, nullable=False),
)
