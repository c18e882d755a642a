"""A review may be the meeting of a dispute (`/dispute meet D-n <when>`).

`reviews.dispute_id` links the one-off review R-n to the dispute it was called for; NULL for
every other review. Indexed: the dispute's card lists its meetings.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("dispute_id", sa.Integer, nullable=True))
        batch.create_foreign_key(
            "fk_reviews_dispute_id", "disputes", ["dispute_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_reviews_dispute", ["dispute_id"])


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_index("ix_reviews_dispute")
        batch.drop_constraint("fk_reviews_dispute_id", type_="foreignkey")
        batch.drop_column("dispute_id")
