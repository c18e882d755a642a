"""The satisfaction report's indexes: the sums and counts of `/report satisfaction`
(`bot/store/reports.py`) read only indexes, however many answers and complaints there are.

- survey_responses (survey_id, replaced_at, at, id): a survey's current answers in a period
  and the ids that join their ratings, without reading the answers' rows; and (survey_id,
  respondent_id, replaced_at): whether a person asked has a current answer, from the index;
- survey_ratings (response_id, question, rating): an answer's ratings from the index alone;
- survey_invitations (survey_id, asked_at, user_id): who was asked in a period;
- complaints (workspace_id, opened_at) and (workspace_id, closed_at): the complaints opened
  or closed in a period, not every complaint of the workspace.

Revision ID: 0023
Revises: 0021 (on purpose: 0022 is another branch's; the merge re-chains this one onto it)
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0021"
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


def downgrade() -> None:
    op.drop_index("ix_complaints_closed", table_name="complaints")
    op.drop_index("ix_complaints_opened", table_name="complaints")
    op.drop_index("ix_survey_invitations_asked", table_name="survey_invitations")
    op.drop_index("ix_survey_ratings_covering", table_name="survey_ratings")
    op.drop_index("ix_survey_responses_respondent", table_name="survey_responses")
    op.drop_index("ix_survey_responses_period", table_name="survey_responses")
