"""Satisfaction surveys: case and periodic surveys (Q-n), their schedules, each case's sampling
decision, who was asked when (the cooldown), and the answers with their ratings.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_schedules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("recurrence", sa.Text, nullable=False),
        sa.Column("next_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_index("ix_survey_schedules_due", "survey_schedules", ["active", "next_at"])
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("questions", sa.Text, nullable=False),
        sa.Column("case_kind", sa.String(16), nullable=True),
        sa.Column("case_id", sa.Integer, nullable=True),
        sa.Column("schedule_id", sa.Integer, sa.ForeignKey("survey_schedules.id"), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=True),
        sa.Column("post_ts", sa.String(32), nullable=True),
        sa.Column("sent_by", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("closes_at", UTCDateTime, nullable=True),
        sa.Column("remind_at", UTCDateTime, nullable=True),
        sa.Column("reminded", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("closed_by", sa.String(32), nullable=True),
        sa.UniqueConstraint("workspace_id", "number", name="uq_surveys_workspace_number"),
        sa.UniqueConstraint("case_kind", "case_id", "party_id", name="uq_surveys_case_kind"),
    )
    op.create_index("ix_surveys_workspace_party", "surveys", ["workspace_id", "party_id"])
    op.create_index("ix_surveys_status_closes", "surveys", ["status", "closes_at"])
    op.create_table(
        "survey_cases",
        sa.Column("workspace_id", sa.String(32), primary_key=True),
        sa.Column("case_kind", sa.String(16), primary_key=True),
        sa.Column("case_id", sa.Integer, primary_key=True),
        sa.Column("sampled", sa.Boolean, nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "survey_invitations",
        sa.Column(
            "survey_id",
            sa.Integer,
            sa.ForeignKey("surveys.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("asked_at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_survey_invitations_user",
        "survey_invitations",
        ["workspace_id", "user_id", "asked_at"],
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "survey_id",
            sa.Integer,
            sa.ForeignKey("surveys.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("respondent_id", sa.String(32), nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("replaced_at", UTCDateTime, nullable=True),
    )
    op.create_index(
        "uq_survey_responses_current",
        "survey_responses",
        ["survey_id", "respondent_id"],
        unique=True,
        sqlite_where=sa.text("replaced_at IS NULL"),
        postgresql_where=sa.text("replaced_at IS NULL"),
    )
    op.create_index("ix_survey_responses_at", "survey_responses", ["at"])
    op.create_table(
        "survey_ratings",
        sa.Column(
            "response_id",
            sa.Integer,
            sa.ForeignKey("survey_responses.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("question", sa.Integer, primary_key=True),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_survey_ratings_rating_1_to_5"),
    )


def downgrade() -> None:
    op.drop_table("survey_ratings")
    op.drop_table("survey_responses")
    op.drop_table("survey_invitations")
    op.drop_table("survey_cases")
    op.drop_table("surveys")
    op.drop_table("survey_schedules")
