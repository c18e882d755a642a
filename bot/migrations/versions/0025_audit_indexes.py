"""The audit figures' indexes: `/audit open` (`bot/store/audit_figures.py`) seeks, not scans.

- timeline (party_id, actor_id, at): the people who answered for a supplier in a period, one
  seek per person (a loose scan over the index), not a read of every reply in the period;
- dispute_parties (party_id, first_reply_at, added_at): a supplier's first replies in a period
  from the index alone.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_timeline_party_actor", "timeline", ["party_id", "actor_id", "at"])
    op.create_index(
        "ix_dispute_parties_first_reply",
        "dispute_parties",
        ["party_id", "first_reply_at", "added_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_dispute_parties_first_reply", table_name="dispute_parties")
    op.drop_index("ix_timeline_party_actor", table_name="timeline")
