"""Agreements: 5W1H information-sharing agreements (A-n) and every version of their terms.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("card_ts", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("revoke_reason", sa.Text, nullable=True),
        sa.Column("revoked_by", sa.String(32), nullable=True),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("workspace_id", "number", name="uq_agreements_workspace_number"),
    )
    op.create_index("ix_agreements_workspace_party", "agreements", ["workspace_id", "party_id"])
    op.create_index("ix_agreements_status", "agreements", ["status"])
    op.create_table(
        "agreement_versions",
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
        sa.Column("who_people", sa.Text, nullable=False),
        sa.Column("when_text", sa.Text, nullable=False),
        sa.Column("where_channel", sa.String(32), nullable=True),
        sa.Column("where_text", sa.Text, nullable=False),
        sa.Column("how", sa.Text, nullable=False),
        sa.Column("authorization_text", sa.Text, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("acknowledged_by", sa.String(32), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint(
            "agreement_id", "version", name="uq_agreement_versions_agreement_version"
        ),
    )


def downgrade() -> None:
    op.drop_table("agreement_versions")
    op.drop_index("ix_agreements_status", "agreements")
    op.drop_index("ix_agreements_workspace_party", "agreements")
    op.drop_table("agreements")
