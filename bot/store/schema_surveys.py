"""The satisfaction surveys' tables (Q-n), on the one metadata of `bot/store/schema.py`."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.schema import metadata
from bot.store.types import UTCDateTime

# Satisfaction surveys (Q-n). A case survey follows a closed complaint or a resolved dispute and
# asks one outside party's people, in that party's own thread, one question; a periodic survey is
# posted in a party's shared channel with the configured questionnaire (`questions`, a JSON array
# frozen when it is sent, so later config changes do not change what was asked).
survey_schedules = sa.Table(
    "survey_schedules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("recurrence", sa.Text, nullable=False),  # a stored rule, as reviews keep theirs
    sa.Column("next_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)
sa.Index("ix_survey_schedules_due", survey_schedules.c.active, survey_schedules.c.next_at)

surveys = sa.Table(
    "surveys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # "case" | "periodic"
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("questions", sa.Text, nullable=False),
    # A case survey's case: "complaint" (complaints.id) or "dispute" (disputes.id).
    sa.Column("case_kind", sa.String(16), nullable=True),
    sa.Column("case_id", sa.Integer, nullable=True),
    sa.Column("schedule_id", sa.Integer, sa.ForeignKey("survey_schedules.id"), nullable=True),
    # Where it is asked: the party's channel, and the thread it is in (a case survey) or its post.
    sa.Column("channel_id", sa.String(32), nullable=False),
    sa.Column("thread_ts", sa.String(32), nullable=True),
    sa.Column("post_ts", sa.String(32), nullable=True),
    sa.Column("sent_by", sa.String(32), nullable=True),  # None: sent by its schedule or its case
    sa.Column("status", sa.String(16), nullable=False),  # "open" | "closed"
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("closes_at", UTCDateTime, nullable=True),
    sa.Column("remind_at", UTCDateTime, nullable=True),
    # The one reminder goes out once: claimed by setting this flag.
    sa.Column("reminded", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("closed_at", UTCDateTime, nullable=True),
    sa.Column("closed_by", sa.String(32), nullable=True),  # None: closed by its time running out
    sa.UniqueConstraint("workspace_id", "number", name="uq_surveys_workspace_number"),
    # One case survey per case and party, whichever instance gets there first.
    sa.UniqueConstraint("case_kind", "case_id", "party_id", name="uq_surveys_case_kind"),
)
sa.Index("ix_surveys_workspace_party", surveys.c.workspace_id, surveys.c.party_id)
sa.Index("ix_surveys_status_closes", surveys.c.status, surveys.c.closes_at)
# The surveys that can hold a report period's answers, picked from the index alone (migration
# 0029), not from every survey's row.
sa.Index(
    "ix_surveys_period",
    surveys.c.workspace_id,
    surveys.c.opened_at,
    surveys.c.closed_at,
    surveys.c.closes_at,
    surveys.c.party_id,
)
# The open periodic surveys, newest first (the digest and the Home), and those closed since
# yesterday (migration 0027).
sa.Index(
    "ix_surveys_workspace_kind_status",
    surveys.c.workspace_id,
    surveys.c.kind,
    surveys.c.status,
    surveys.c.number,
)
sa.Index(
    "ix_surveys_workspace_kind_closed",
    surveys.c.workspace_id,
    surveys.c.kind,
    surveys.c.status,
    surveys.c.closed_at,
)

# Whether a case is surveyed at all (`[surveys] sample`), decided once per case and kept.
survey_cases = sa.Table(
    "survey_cases",
    metadata,
    sa.Column("workspace_id", sa.String(32), primary_key=True),
    sa.Column("case_kind", sa.String(16), primary_key=True),
    sa.Column("case_id", sa.Integer, primary_key=True),
    sa.Column("sampled", sa.Boolean, nullable=False),
    sa.Column("decided_at", UTCDateTime, nullable=False),
)

# Who was asked, and when: a person asked within `[surveys] cooldown_days` is not asked again.
survey_invitations = sa.Table(
    "survey_invitations",
    metadata,
    sa.Column(
        "survey_id", sa.Integer, sa.ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.String(32), primary_key=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("asked_at", UTCDateTime, nullable=False),
)
# Who was asked in a report's period, from the index alone (migration 0023).
sa.Index(
    "ix_survey_invitations_asked",
    survey_invitations.c.survey_id,
    survey_invitations.c.asked_at,
    survey_invitations.c.user_id,
)
sa.Index(
    "ix_survey_invitations_user",
    survey_invitations.c.workspace_id,
    survey_invitations.c.user_id,
    survey_invitations.c.asked_at,
)

# One person's answer to one survey. A later answer replaces it (`replaced_at` set), both kept;
# at most one current answer per person and survey, enforced by the database.
survey_responses = sa.Table(
    "survey_responses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "survey_id", sa.Integer, sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("respondent_id", sa.String(32), nullable=False),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("comment", sa.Text, nullable=True),  # internal: never posted where the party reads
    sa.Column("replaced_at", UTCDateTime, nullable=True),
)
sa.Index(
    "uq_survey_responses_current",
    survey_responses.c.survey_id,
    survey_responses.c.respondent_id,
    unique=True,
    sqlite_where=survey_responses.c.replaced_at.is_(None),
    postgresql_where=survey_responses.c.replaced_at.is_(None),
)
sa.Index("ix_survey_responses_at", survey_responses.c.at)
# A survey's current answers in a report's period with the ids their ratings join on, and
# whether a person asked has a current answer, each from an index alone (migration 0023; a
# partial index would not cover `replaced_at IS NULL` on SQLite).
sa.Index(
    "ix_survey_responses_period",
    survey_responses.c.survey_id,
    survey_responses.c.replaced_at,
    survey_responses.c.at,
    survey_responses.c.id,
)
sa.Index(
    "ix_survey_responses_respondent",
    survey_responses.c.survey_id,
    survey_responses.c.respondent_id,
    survey_responses.c.replaced_at,
)

# The ratings of one answer: question (0-based, into the survey's `questions`) → 1-5.
survey_ratings = sa.Table(
    "survey_ratings",
    metadata,
    sa.Column(
        "response_id",
        sa.Integer,
        sa.ForeignKey("survey_responses.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("question", sa.Integer, primary_key=True),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
)
# An answer's ratings summed from the index alone (migration 0023).
sa.Index(
    "ix_survey_ratings_covering",
    survey_ratings.c.response_id,
    survey_ratings.c.question,
    survey_ratings.c.rating,
)

# What the satisfaction report sums, kept in the transaction of each invitation and answer
# (`bot/store/survey_tallies.py`), so a report over many answers reads a row per survey rather
# than a row per rating. One row per survey: how many were asked and how many of them have a
# current answer, and the first and last instants anyone was asked and anyone answered (every
# answer ever recorded, replaced or not: a survey whose answers all lie in one quarter of the
# period is read from here, any other from its rows).
survey_tallies = sa.Table(
    "survey_tallies",
    metadata,
    sa.Column(
        "survey_id", sa.Integer, sa.ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("invited", sa.Integer, nullable=False, server_default="0"),
    sa.Column("answered", sa.Integer, nullable=False, server_default="0"),
    sa.Column("asked_first", UTCDateTime, nullable=True),
    sa.Column("asked_last", UTCDateTime, nullable=True),
    sa.Column("answer_first", UTCDateTime, nullable=True),
    sa.Column("answer_last", UTCDateTime, nullable=True),
)

# Each question's sum and count of its survey's current ratings.
survey_rating_totals = sa.Table(
    "survey_rating_totals",
    metadata,
    sa.Column(
        "survey_id", sa.Integer, sa.ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("question", sa.Integer, primary_key=True),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("answers", sa.Integer, nullable=False),
)
# Each question's sums of the surveys a report reads through their tallies, from the index
# alone (migration 0029).
sa.Index(
    "ix_survey_rating_totals_covering",
    survey_rating_totals.c.survey_id,
    survey_rating_totals.c.question,
    survey_rating_totals.c.answers,
    survey_rating_totals.c.total,
)
