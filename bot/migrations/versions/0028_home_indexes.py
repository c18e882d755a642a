"""The App Home's indexes: a person's Home seeks what is theirs, not every open record.

- disputes (owner_id, workspace_id, status, stage_due_at, number DESC): the open disputes a
  person owns, soonest deadline first, the first page read off the index and counted from it
  (the owner first: SQLite, without statistics, took an index that starts with the workspace
  for the disputes a person takes part in and does not own, and read all of the workspace's);
- dispute_members (user_id, dispute_id): the disputes a person takes part in (the key starts
  with the dispute, so finding a person's scanned every membership);
- complaints (workspace_id, owner_id, number, status): a person's newest complaints not closed
  (`/complaint list mine` and the Home), newest first without a sort.

The Home's open periodic surveys, newest first, are read from 0027's (workspace_id, kind,
status, number), which the digest reads them from too.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_disputes_owner_due",
        "disputes",
        ["owner_id", "workspace_id", "status", "stage_due_at", sa.text("number DESC")],
    )
    op.create_index("ix_dispute_members_user", "dispute_members", ["user_id", "dispute_id"])
    op.create_index(
        "ix_complaints_owner", "complaints", ["workspace_id", "owner_id", "number", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_complaints_owner", table_name="complaints")
    op.drop_index("ix_dispute_members_user", table_name="dispute_members")
    op.drop_index("ix_disputes_owner_due", table_name="disputes")
