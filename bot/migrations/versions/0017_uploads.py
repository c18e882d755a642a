"""Files sent to Slack: which files one notice uploaded, and whether Slack shared them.

A notice that sends a file (a dispute's dossier) uploads it, records the file ids, then
shares them; a try after a stop or a lost answer finds the ids here and asks Slack whether
they were shared, rather than uploading the file a second time.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("outbox_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("file_ids", sa.String(400), nullable=False),
        sa.Column("uploaded_at", UTCDateTime, nullable=False),
        sa.Column("shared_at", UTCDateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("uploads")
