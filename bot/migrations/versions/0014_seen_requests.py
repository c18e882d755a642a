"""Signed requests already taken: a replayed slash command or interaction is refused.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_requests",
        sa.Column("signature", sa.String(64), primary_key=True),
        sa.Column("signed_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_seen_requests_signed_at", "seen_requests", ["signed_at"])


def downgrade() -> None:
    op.drop_index("ix_seen_requests_signed_at", table_name="seen_requests")
    op.drop_table("seen_requests")
