"""Remember which stage's overdue notice went out, so it goes out once per stage.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(sa.Column("overdue_stage", sa.String(32), nullable=True))
    op.create_index("ix_disputes_open_due", "disputes", ["status", "stage_due_at"])


def downgrade() -> None:
    op.drop_index("ix_disputes_open_due", "disputes")
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("overdue_stage")
