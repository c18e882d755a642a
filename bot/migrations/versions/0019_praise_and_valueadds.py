"""Praise (P-n) with the people praised, and value-added services (V-n) for customers.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "praise",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("praiser_id", sa.String(32), nullable=False),
        sa.Column("praiser_internal", sa.Boolean, nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("recorded_by", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("posted_channel", sa.String(32), nullable=True),
        sa.Column("posted_ts", sa.String(32), nullable=True),
        sa.UniqueConstraint("workspace_id", "number", name="uq_praise_workspace_number"),
    )
    op.create_index("ix_praise_workspace_party", "praise", ["workspace_id", "party_id"])
    op.create_table(
        "praise_people",
        sa.Column(
            "praise_id",
            sa.Integer,
            sa.ForeignKey("praise.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_praise_people_user", "praise_people", ["user_id"])
    op.create_table(
        "valueadds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("done_on", sa.Date, nullable=False),
        sa.Column("cost_cents", sa.BigInteger, nullable=True),
        sa.Column("hours_tenths", sa.Integer, nullable=True),
        sa.Column("keeps_agreed_services", sa.Boolean, nullable=True),
        sa.Column("fits_real_need", sa.Boolean, nullable=True),
        sa.Column("cost_within_accepted", sa.Boolean, nullable=True),
        sa.Column("can_build_on", sa.Boolean, nullable=True),
        sa.Column("recorded_by", sa.String(32), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("checks_by", sa.String(32), nullable=True),
        sa.Column("checks_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("workspace_id", "number", name="uq_valueadds_workspace_number"),
    )
    op.create_index("ix_valueadds_workspace_party", "valueadds", ["workspace_id", "party_id"])


def downgrade() -> None:
    op.drop_index("ix_valueadds_workspace_party", "valueadds")
    op.drop_table("valueadds")
    op.drop_index("ix_praise_people_user", "praise_people")
    op.drop_table("praise_people")
    op.drop_index("ix_praise_workspace_party", "praise")
    op.drop_table("praise")
