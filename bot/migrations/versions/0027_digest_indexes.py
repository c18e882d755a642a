"""The channel digest's indexes: its sections seek what they show and count from indexes.

- disputes (workspace_id, status, stage_due_at, number): the open disputes past their
  deadline counted from the index alone, and the pages of the overdue and the others
  ordered by it, without reading every open dispute's row;
- surveys (workspace_id, kind, status, closed_at): the open periodic surveys, and those closed
  since yesterday, sought rather than read from every survey of the workspace.

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_disputes_workspace_due",
        "disputes",
        ["workspace_id", "status", "stage_due_at", "number"],
    )
    op.create_index(
        "ix_surveys_workspace_kind_status",
        "surveys",
        ["workspace_id", "kind", "status", "closed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_surveys_workspace_kind_status", table_name="surveys")
    op.drop_index("ix_disputes_workspace_due", table_name="disputes")
