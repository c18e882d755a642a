"""Join the feature branches, and index the timeline by kind and time (replies since …).

Revision ID: 0009
Revises: 0006, 0007, 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = ("0006", "0007", "0008")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_timeline_kind_at", "timeline", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_timeline_kind_at", "timeline")
