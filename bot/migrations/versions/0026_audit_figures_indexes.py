"""The audit figures' indexes, continued: `/audit open` (`bot/store/audit_figures.py`) seeks a
period's closed disputes by when they closed, and reads a supplier's first replies from an
index alone.

- disputes (workspace_id, closed_at, status, stage): a period's closed disputes with their
  status and stage from the index alone; each is then one seek on dispute_parties' key for the
  supplier. Before it, the figures read every closed dispute of the workspace
  (ix_disputes_workspace_status) to keep a period's few.
- dispute_parties (party_id, first_reply_at, added_at, dispute_id) replaces 0025's index of the
  first three: with the dispute's id in it (for the join that checks the workspace) the rows
  are read from the index alone, not each looked up in the table too;
- disputes (id, workspace_id): a dispute's workspace by its id from a narrow index, not its
  whole row: the check that each of a supplier's first replies (thousands a quarter) is on a
  dispute of the workspace.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_disputes_closed", "disputes", ["workspace_id", "closed_at", "status", "stage"]
    )
    op.drop_index("ix_dispute_parties_first_reply", table_name="dispute_parties")
    op.create_index(
        "ix_dispute_parties_first_reply",
        "dispute_parties",
        ["party_id", "first_reply_at", "added_at", "dispute_id"],
    )
    op.create_index("ix_disputes_id_workspace", "disputes", ["id", "workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_disputes_id_workspace", table_name="disputes")
    op.drop_index("ix_dispute_parties_first_reply", table_name="dispute_parties")
    op.create_index(
        "ix_dispute_parties_first_reply",
        "dispute_parties",
        ["party_id", "first_reply_at", "added_at"],
    )
    op.drop_index("ix_disputes_closed", table_name="disputes")
