"""The channel digest's indexes: its sections seek what they show and count from indexes.

- disputes (workspace_id, status, stage_due_at, number): the open disputes past their
  deadline counted from the index alone, and the pages of the overdue, of those due later
  and of those without a deadline ordered by it, without reading every open dispute's row;
- timeline (kind, at, party_id, dispute_id, channel_id, message_ts, actor_id), in place of
  (kind, at), which it begins with: the replies since the last digest, grouped by dispute
  and by who wrote them, from the index alone;
- surveys (workspace_id, kind, status, number) and (workspace_id, kind, status, closed_at):
  the open periodic surveys newest first, and those closed since yesterday, sought rather
  than read from every survey of the workspace.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

REPLIES = ["kind", "at", "party_id", "dispute_id", "channel_id", "message_ts", "actor_id"]


def upgrade() -> None:
    op.create_index(
        "ix_disputes_workspace_due",
        "disputes",
        ["workspace_id", "status", "stage_due_at", "number"],
    )
    op.create_index("ix_timeline_kind_at_replies", "timeline", REPLIES)
    op.drop_index("ix_timeline_kind_at", table_name="timeline")
    op.create_index(
        "ix_surveys_workspace_kind_status", "surveys", ["workspace_id", "kind", "status", "number"]
    )
    op.create_index(
        "ix_surveys_workspace_kind_closed",
        "surveys",
        ["workspace_id", "kind", "status", "closed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_surveys_workspace_kind_closed", table_name="surveys")
    op.drop_index("ix_surveys_workspace_kind_status", table_name="surveys")
    op.create_index("ix_timeline_kind_at", "timeline", ["kind", "at"])
    op.drop_index("ix_timeline_kind_at_replies", table_name="timeline")
    op.drop_index("ix_disputes_workspace_due", table_name="disputes")
