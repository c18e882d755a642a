"""The tables, as SQLAlchemy Core metadata. Migrations in `bot/migrations` create them."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.types import UTCDateTime

metadata: sa.MetaData = sa.MetaData(
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
    # The name as people read it (bot/domain/names.py): lookups and uniqueness go by it.
    sa.Column("name_key", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("slack_team", sa.String(32), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("workspace_id", "name", name="uq_parties_workspace_name"),
    sa.UniqueConstraint("workspace_id", "name_key", name="uq_parties_workspace_name_key"),
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
    # The hash of its last timeline event (bot/domain/chain.py): taken under a row lock by
    # whoever appends the next one, so the chain never forks. None before its first event.
    sa.Column("chain_head", sa.String(64), nullable=True),
    sa.UniqueConstraint("workspace_id", "number", name="uq_disputes_workspace_number"),
)
sa.Index("ix_disputes_workspace_status", disputes.c.workspace_id, disputes.c.status)
sa.Index("ix_disputes_open_due", disputes.c.status, disputes.c.stage_due_at)
# The digest's overdue count and pages by deadline from the index (migration 0027).
_BY_DUE = ("workspace_id", "status", "stage_due_at", "number")
sa.Index("ix_disputes_workspace_due", *(disputes.c[n] for n in _BY_DUE))
_owner_due = ("owner_id", "workspace_id", "status", "stage_due_at")  # the Home's (0028)
sa.Index("ix_disputes_owner_due", *(disputes.c[c] for c in _owner_due), disputes.c.number.desc())
# A period's closed disputes with their status and stage, for the audit figures (0026).
_CLOSED = ("workspace_id", "closed_at", "status", "stage")
sa.Index("ix_disputes_closed", *(disputes.c[n] for n in _CLOSED))
# A dispute's workspace by its id without its row, for the audit figures' joins (0026).
sa.Index("ix_disputes_id_workspace", disputes.c.id, disputes.c.workspace_id)

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
_FIRST_REPLY = ("party_id", "first_reply_at", "added_at", "dispute_id")
sa.Index("ix_dispute_parties_first_reply", *(dispute_parties.c[n] for n in _FIRST_REPLY))

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
sa.Index("ix_dispute_members_user", dispute_members.c.user_id, dispute_members.c.dispute_id)

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
    # The record chain (bot/domain/chain.py): this event's hash and its dispute's previous one.
    # Rows are appended (disputes_timeline.add_event) and never updated.
    sa.Column("hash", sa.String(64), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=True),
)
sa.Index("ix_timeline_dispute", timeline.c.dispute_id, timeline.c.id)
sa.Index("ix_timeline_message", timeline.c.channel_id, timeline.c.message_ts)
# By kind and time, covering what the digest's new replies read (migration 0027, in place of
# 0009's (kind, at)).
_BY_KIND_AT = ("kind", "at", "party_id", "dispute_id", "channel_id", "message_ts", "actor_id")
sa.Index("ix_timeline_kind_at_replies", *(timeline.c[n] for n in _BY_KIND_AT))
sa.Index("ix_timeline_party_actor", timeline.c.party_id, timeline.c.actor_id, timeline.c.at)

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

# Signed requests already taken (slash commands and interactions; Slack retries neither):
# the same body and signature again within the signature's five minutes is a replay. Keyed
# by the signature, shared by every instance on one database; pruned after the window.
seen_requests = sa.Table(
    "seen_requests",
    metadata,
    sa.Column("signature", sa.String(64), primary_key=True),
    sa.Column("signed_at", sa.BigInteger, nullable=False),  # X-Slack-Request-Timestamp
)
sa.Index("ix_seen_requests_signed_at", seen_requests.c.signed_at)

# People who have opened Parley's App Home at least once: after a change, only their Homes
# are republished (anybody else's is built when they first open it).
home_viewers = sa.Table(
    "home_viewers",
    metadata,
    sa.Column("workspace_id", sa.String(40), primary_key=True),
    sa.Column("user_id", sa.String(40), primary_key=True),
    sa.Column("first_opened_at", UTCDateTime, nullable=False),
)

# The outbox: every message Parley owes Slack, written in the transaction of the change that
# caused it and delivered by a worker. A lane (a dispute's thread, a person's DM) is delivered
# in id order; `in_doubt` marks a try whose outcome is unknown (a crash or a time-out after the
# request left), so the next try first looks for the message before posting it again.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("lane", sa.String(120), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("dedupe", sa.String(200), nullable=True, unique=True),
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
)
sa.Index("ix_outbox_status_next", outbox.c.status, outbox.c.next_attempt_at)
sa.Index("ix_outbox_lane", outbox.c.lane, outbox.c.id)

# Files a notice sent to Slack (a dispute's dossier): the ids Slack gave them, recorded before
# they are shared, so a retried delivery asks Slack instead of uploading them again.
uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("outbox_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("channel_id", sa.String(32), nullable=False),
    sa.Column("file_ids", sa.String(400), nullable=False),
    sa.Column("uploaded_at", UTCDateTime, nullable=False),
    sa.Column("shared_at", UTCDateTime, nullable=True),
)
sa.Index("ix_outbox_finished_at", outbox.c.finished_at)

# 5W1H information-sharing agreements (A-n): one row each, pointing at its current version.
agreements = sa.Table(
    "agreements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("owner_id", sa.String(32), nullable=False),
    # Where the card is: the counterparty's shared channel, or where the command was run.
    sa.Column("channel_id", sa.String(32), nullable=False),
    sa.Column("card_ts", sa.String(32), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),  # active, revoked, expired
    sa.Column("version", sa.Integer, nullable=False),  # the current version's number
    sa.Column("revoke_reason", sa.Text, nullable=True),
    sa.Column("revoked_by", sa.String(32), nullable=True),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("workspace_id", "number", name="uq_agreements_workspace_number"),
)
sa.Index("ix_agreements_workspace_party", agreements.c.workspace_id, agreements.c.party_id)
sa.Index("ix_agreements_status", agreements.c.status)

# Every version of an agreement's terms, never changed once written except for its
# acknowledgment by the counterparty.
agreement_versions = sa.Table(
    "agreement_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "agreement_id",
        sa.Integer,
        sa.ForeignKey("agreements.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("why", sa.Text, nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("who_people", sa.Text, nullable=False),  # authorised Slack user ids, space-separated
    sa.Column("when_text", sa.Text, nullable=False),
    sa.Column("where_channel", sa.String(32), nullable=True),
    sa.Column("where_text", sa.Text, nullable=False),
    sa.Column("how", sa.Text, nullable=False),
    sa.Column("authorization_text", sa.Text, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),  # valid through this day, calendar's zone
    sa.Column("created_by", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("acknowledged_by", sa.String(32), nullable=True),
    sa.Column("acknowledged_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("agreement_id", "version", name="uq_agreement_versions_agreement_version"),
)

# Daily digests: one row per channel or person that asked for one, with the scheduler's state.
# `last_due_at` is the period last handled (posted, or found empty); `lease_*` and `attempts`
# belong to the send in flight or failing (`lease_key`), so a failed send keeps its place
# and is retried with backoff, and a crashed instance's lease simply runs out.
digest_subscriptions = sa.Table(
    "digest_subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # "channel" or "person"
    sa.Column("target", sa.String(32), nullable=False),  # the channel's or the person's id
    sa.Column("local_time", sa.String(5), nullable=False),  # "HH:MM" in `zone`
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
        "workspace_id", "kind", "target", name="uq_digest_subscriptions_workspace_kind_target"
    ),
)
sa.Index("ix_digest_subscriptions_active", digest_subscriptions.c.active)

# Periodic reviews (R-n) with a counterpart: once (recurrence NULL) or by a stored rule
# (`Recurrence.to_storage()`), in the zone the time was read in.
reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("channel_id", sa.String(32), nullable=False),
    sa.Column("owner_id", sa.String(32), nullable=False),
    sa.Column("tz", sa.String(64), nullable=False),
    sa.Column("recurrence", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    # The coming occurrence (NULL once cancelled or done) and the latest one held.
    sa.Column("next_at", UTCDateTime, nullable=True),
    sa.Column("last_at", UTCDateTime, nullable=True),
    # Monthly service-report and meeting deadlines, in working days from the month's start.
    sa.Column("report_within", sa.Integer, nullable=True),
    sa.Column("meeting_within", sa.Integer, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("closed_at", UTCDateTime, nullable=True),
    # The dispute this one-off review is the meeting of (`/dispute meet`); NULL otherwise.
    sa.Column(
        "dispute_id",
        sa.Integer,
        sa.ForeignKey("disputes.id", ondelete="CASCADE", name="fk_reviews_dispute_id"),
        nullable=True,
    ),
    sa.UniqueConstraint("workspace_id", "number", name="uq_reviews_workspace_number"),
)
sa.Index("ix_reviews_status_next", reviews.c.status, reviews.c.next_at)
sa.Index("ix_reviews_dispute", reviews.c.dispute_id)

review_parties = sa.Table(
    "review_parties",
    metadata,
    sa.Column(
        "review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), primary_key=True),
)

review_participants = sa.Table(
    "review_participants",
    metadata,
    sa.Column(
        "review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.String(32), primary_key=True),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
    sa.Column("position", sa.Integer, nullable=False),
)

# Occurrences skipped with `/review skip` (the record of what did not take place).
review_skips = sa.Table(
    "review_skips",
    metadata,
    sa.Column(
        "review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("occurrence_at", UTCDateTime, primary_key=True),
    sa.Column("skipped_by", sa.String(32), nullable=False),
    sa.Column("skipped_at", UTCDateTime, nullable=False),
)

# Parley's reminder and prompt messages: a reply in one of their threads is minutes.
review_threads = sa.Table(
    "review_threads",
    metadata,
    sa.Column("channel_id", sa.String(32), primary_key=True),
    sa.Column("ts", sa.String(32), primary_key=True),
    sa.Column(
        "review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("occurrence_at", UTCDateTime, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
)
sa.Index("ix_review_threads_review", review_threads.c.review_id, review_threads.c.occurrence_at)

# Minutes, per occurrence: typed with `/review minutes` or replied in a reminder's thread.
review_minutes = sa.Table(
    "review_minutes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("occurrence_at", UTCDateTime, nullable=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("author_id", sa.String(32), nullable=False),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("channel_id", sa.String(32), nullable=True),
    sa.Column("message_ts", sa.String(32), nullable=True),
)
sa.Index("ix_review_minutes_review", review_minutes.c.review_id, review_minutes.c.id)

# Action items (T-n) agreed in a review.
action_items = sa.Table(
    "action_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    # The review it was agreed in, or (an improvement action) the scorecard it came from.
    sa.Column(
        "review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column(
        "scorecard_id",
        sa.Integer,
        sa.ForeignKey("scorecards.id", ondelete="CASCADE"),
        nullable=True,
    ),
    sa.Column("owner_id", sa.String(32), nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=False),
    sa.Column("tz", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(32), nullable=False),
    sa.Column("done_at", UTCDateTime, nullable=True),
    sa.Column("done_by", sa.String(32), nullable=True),
    # The item's message in the review's channel, edited in place when it is done.
    sa.Column("channel_id", sa.String(32), nullable=True),
    sa.Column("message_ts", sa.String(32), nullable=True),
    sa.UniqueConstraint("workspace_id", "number", name="uq_action_items_workspace_number"),
)
sa.Index("ix_action_items_status_due", action_items.c.status, action_items.c.due_at)
sa.Index("ix_action_items_review", action_items.c.review_id)
sa.Index("ix_action_items_scorecard", action_items.c.scorecard_id)

# Customers' complaints (C-n): one row each, with its two clocks and its card (its thread).
complaints = sa.Table(
    "complaints",
    metadata,
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
    # Working days from opened_at to closed_at, counted when it closed (migration 0024);
    # NULL for one closed before that, which the report counts from its two instants.
    sa.Column("close_days", sa.Integer, nullable=True),
    sa.Column("escalations", sa.Integer, nullable=False, server_default="0"),
    # Each clock's overdue notice goes out once: claimed by setting its flag.
    sa.Column("answer_overdue_told", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("resolve_overdue_told", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("workspace_id", "number", name="uq_complaints_workspace_number"),
)
sa.Index("ix_complaints_workspace_status", complaints.c.workspace_id, complaints.c.status)
sa.Index("ix_complaints_thread", complaints.c.channel_id, complaints.c.root_ts)
_owner = ("workspace_id", "owner_id", "number", "status")  # a person's newest (0028)
sa.Index("ix_complaints_owner", *(complaints.c[c] for c in _owner))
# The report's complaints opened in a period, of every party or of one (migration 0029, in
# place of 0023's (workspace_id, opened_at)), and those closed in it with their working days to
# close (migration 0024, in place of 0023's (workspace_id, closed_at)): from the index alone.
_c = complaints.c
sa.Index("ix_complaints_opened_party", _c.workspace_id, _c.opened_at, _c.party_id)
sa.Index("ix_complaints_close_days", _c.workspace_id, _c.closed_at, _c.party_id, _c.close_days)
# The overdue ones among those opened in a period, from the index of those not closed alone
# (migration 0029), which a query reads when it names the constant (`reports.opened_counts`).
sa.Index(
    "ix_complaints_not_closed_opened",
    *(_c.workspace_id, _c.opened_at, _c.party_id, _c.status),
    *(_c.first_answer_at, _c.answer_due_at, _c.resolve_due_at),
    sqlite_where=sa.text("status != 'closed'"),
    postgresql_where=sa.text("status != 'closed'"),
)

complaint_events = sa.Table(
    "complaint_events",
    metadata,
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
sa.Index("ix_complaint_events_complaint", complaint_events.c.complaint_id, complaint_events.c.id)

# The (supplier) disputes a complaint was caused by.
complaint_disputes = sa.Table(
    "complaint_disputes",
    metadata,
    sa.Column(
        "complaint_id",
        sa.Integer,
        sa.ForeignKey("complaints.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "dispute_id", sa.Integer, sa.ForeignKey("disputes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("linked_by", sa.String(32), nullable=False),
    sa.Column("linked_at", UTCDateTime, nullable=False),
)
sa.Index("ix_complaint_disputes_dispute", complaint_disputes.c.dispute_id)


# The surveys', the audits', praise's and value-adds' tables live beside these, on the same
# metadata (this module's size).
from bot.store import schema_audits as _schema_audits  # noqa: E402, F401
from bot.store import schema_praise as _schema_praise  # noqa: E402, F401
from bot.store import schema_surveys as _schema_surveys  # noqa: E402, F401
