"""Each complaint's working days to close, kept when it closes, so that `/report satisfaction`
(`bot/store/reports.py`) counts its closed complaints and takes their median by SQL from an
index alone rather than counting working days for every row in Python.

- complaints.close_days: whole working days from opened_at to closed_at (at least 0), counted
  by the workspace's calendar (`WorkCalendar.working_days_between`) when it closes;
- complaints (workspace_id, closed_at, party_id, close_days): a period's closed complaints,
  of every party or of one, with their days, from the index alone; it begins with 0023's
  (workspace_id, closed_at), which it replaces.

Complaints closed before this revision keep NULL: their days depend on the calendar (country,
holidays, adjusted working days, time zone) in the running bot's config, which a migration does
not have, and a figure counted with a default calendar would be silently and lastingly wrong
for a workspace whose calendar is another. The report counts the days of those (few, and ever
fewer in a recent period) from their two instants with the configured calendar, exactly as it
did before.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("close_days", sa.Integer, nullable=True))
    op.create_index(
        "ix_complaints_close_days",
        "complaints",
        ["workspace_id", "closed_at", "party_id", "close_days"],
    )
    op.drop_index("ix_complaints_closed", table_name="complaints")


def downgrade() -> None:
    op.create_index("ix_complaints_closed", "complaints", ["workspace_id", "closed_at"])
    op.drop_index("ix_complaints_close_days", table_name="complaints")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("close_days")
