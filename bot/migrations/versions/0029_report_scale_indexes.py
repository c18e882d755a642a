"""The satisfaction report and `/complaint list` at ten times the data: what they count read
from indexes alone, not from the rows of every complaint, survey or praise.

- complaints (workspace_id, opened_at, party_id): a period's opened complaints, of every party
  or of one, counted from the index alone; it begins with 0023's (workspace_id, opened_at),
  which it replaces;
- complaints (workspace_id, opened_at, party_id, status, first_answer_at, answer_due_at,
  resolve_due_at) WHERE status != 'closed': the overdue ones among those opened in a period,
  only among those not closed (`bot/store/reports.py: opened_counts`);
- praise (workspace_id, at, party_id): the praise given in a period;
- surveys (workspace_id, opened_at, closed_at, closes_at, party_id): the surveys that can hold
  a period's answers;
- survey_rating_totals (survey_id, question, answers, total): the questions' sums kept.

Indexes only: no row changes, nothing to fill.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

NOT_CLOSED = "status != 'closed'"


def upgrade() -> None:
    op.create_index(
        "ix_complaints_opened_party", "complaints", ["workspace_id", "opened_at", "party_id"]
    )
    op.drop_index("ix_complaints_opened", table_name="complaints")
    op.create_index(
        "ix_complaints_not_closed_opened",
        "complaints",
        [
            "workspace_id",
            "opened_at",
            "party_id",
            "status",
            "first_answer_at",
            "answer_due_at",
            "resolve_due_at",
        ],
        sqlite_where=sa.text(NOT_CLOSED),
        postgresql_where=sa.text(NOT_CLOSED),
    )
    op.create_index("ix_praise_period", "praise", ["workspace_id", "at", "party_id"])
    op.create_index(
        "ix_surveys_period",
        "surveys",
        ["workspace_id", "opened_at", "closed_at", "closes_at", "party_id"],
    )
    op.create_index(
        "ix_survey_rating_totals_covering",
        "survey_rating_totals",
        ["survey_id", "question", "answers", "total"],
    )


def downgrade() -> None:
    op.drop_index("ix_survey_rating_totals_covering", table_name="survey_rating_totals")
    op.drop_index("ix_surveys_period", table_name="surveys")
    op.drop_index("ix_praise_period", table_name="praise")
    op.drop_index("ix_complaints_not_closed_opened", table_name="complaints")
    op.create_index("ix_complaints_opened", "complaints", ["workspace_id", "opened_at"])
    op.drop_index("ix_complaints_opened_party", table_name="complaints")
