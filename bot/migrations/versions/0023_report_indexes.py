"""The satisfaction report's indexes: the sums and counts of `/report satisfaction`
(`bot/store/reports.py`) read only indexes, however many answers and complaints there are.

- survey_responses (survey_id, replaced_at, at, id): a survey's current answers in a period
  and the ids that join their ratings, without reading the answers' rows; and (survey_id,
  respondent_id, replaced_at): whether a person asked has a current answer, from the index;
- survey_ratings (response_id, question, rating): an answer's ratings from the index alone;
- survey_invitations (survey_id, asked_at, user_id): who was asked in a period;
- complaints (workspace_id, opened_at) and (workspace_id, closed_at): the complaints opened
  or closed in a period, not every complaint of the workspace;

and the tallies the report reads instead of every rating (`bot/store/survey_tallies.py`),
made here from the rows already there: `survey_tallies` (a survey's people asked, how many of
them answered, the first and last instants asked and answered) and `survey_rating_totals`
(each question's sum and count of current ratings).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_survey_responses_period", "survey_responses", ["survey_id", "replaced_at", "at", "id"]
    )
    op.create_index(
        "ix_survey_responses_respondent",
        "survey_responses",
        ["survey_id", "respondent_id", "replaced_at"],
    )
    op.create_index(
        "ix_survey_ratings_covering", "survey_ratings", ["response_id", "question", "rating"]
    )
    op.create_index(
        "ix_survey_invitations_asked", "survey_invitations", ["survey_id", "asked_at", "user_id"]
    )
    op.create_index("ix_complaints_opened", "complaints", ["workspace_id", "opened_at"])
    op.create_index("ix_complaints_closed", "complaints", ["workspace_id", "closed_at"])
    op.create_table(
        "survey_tallies",
        sa.Column(
            "survey_id",
            sa.Integer,
            sa.ForeignKey("surveys.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("invited", sa.Integer, nullable=False, server_default="0"),
        sa.Column("answered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("asked_first", UTCDateTime, nullable=True),
        sa.Column("asked_last", UTCDateTime, nullable=True),
        sa.Column("answer_first", UTCDateTime, nullable=True),
        sa.Column("answer_last", UTCDateTime, nullable=True),
    )
    op.create_table(
        "survey_rating_totals",
        sa.Column(
            "survey_id",
            sa.Integer,
            sa.ForeignKey("surveys.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("question", sa.Integer, primary_key=True),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("answers", sa.Integer, nullable=False),
    )
    op.execute(
        """
        INSERT INTO survey_tallies
            (survey_id, invited, answered, asked_first, asked_last, answer_first, answer_last)
        SELECT s.id, coalesce(a.invited, 0), coalesce(a.answered, 0), a.first, a.last,
            r.first, r.last
        FROM surveys s
        LEFT JOIN (
            SELECT i.survey_id, count(*) AS invited, count(c.id) AS answered,
                min(i.asked_at) AS first, max(i.asked_at) AS last
            FROM survey_invitations i
            LEFT JOIN survey_responses c ON c.survey_id = i.survey_id
                AND c.respondent_id = i.user_id AND c.replaced_at IS NULL
            GROUP BY i.survey_id
        ) a ON a.survey_id = s.id
        LEFT JOIN (
            SELECT survey_id, min(at) AS first, max(at) AS last
            FROM survey_responses GROUP BY survey_id
        ) r ON r.survey_id = s.id
        """
    )
    op.execute(
        """
        INSERT INTO survey_rating_totals (survey_id, question, total, answers)
        SELECT r.survey_id, g.question, sum(g.rating), count(*)
        FROM survey_ratings g JOIN survey_responses r ON r.id = g.response_id
        WHERE r.replaced_at IS NULL
        GROUP BY r.survey_id, g.question
        """
    )


def downgrade() -> None:
    op.drop_table("survey_rating_totals")
    op.drop_table("survey_tallies")
    op.drop_index("ix_complaints_closed", table_name="complaints")
    op.drop_index("ix_complaints_opened", table_name="complaints")
    op.drop_index("ix_survey_invitations_asked", table_name="survey_invitations")
    op.drop_index("ix_survey_ratings_covering", table_name="survey_ratings")
    op.drop_index("ix_survey_responses_respondent", table_name="survey_responses")
    op.drop_index("ix_survey_responses_period", table_name="survey_responses")
