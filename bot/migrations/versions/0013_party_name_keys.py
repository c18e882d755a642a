"""Parties are found and kept apart by their names as people read them.

`name_key` is the name NFKC-normalised, case-folded and mapped to its confusables skeleton
(`bot/domain/names.py`), unique per workspace, so `Аcme Networks` (Cyrillic А) can no longer
stand beside `Acme Networks`. Existing rows get their key; where two parties of a workspace
already read alike, the newer one keeps its records under its name with its number appended
(`Аcme Networks (#7)`) and a warning is logged.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from bot.domain.names import name_key

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

_parties = sa.table(
    "parties",
    sa.column("id", sa.Integer),
    sa.column("workspace_id", sa.String),
    sa.column("name", sa.String),
    sa.column("name_key", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("parties") as batch:
        batch.add_column(sa.Column("name_key", sa.Text, nullable=True))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_parties.c.id, _parties.c.workspace_id, _parties.c.name).order_by(_parties.c.id)
    ).all()
    taken: set[tuple[str, str]] = set()
    for party_id, workspace_id, name in rows:
        key = name_key(name)
        if (workspace_id, key) in taken:
            aside = f"{name[:100]} (#{party_id})"
            log.warning(
                "party %r reads the same as an older party of %s: renamed to %r",
                name,
                workspace_id,
                aside,
            )
            name, key = aside, name_key(aside)
        taken.add((workspace_id, key))
        conn.execute(
            sa.update(_parties).where(_parties.c.id == party_id).values(name=name, name_key=key)
        )
    with op.batch_alter_table("parties") as batch:
        batch.alter_column("name_key", existing_type=sa.Text, nullable=False)
        batch.create_unique_constraint(
            "uq_parties_workspace_name_key", ["workspace_id", "name_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("parties") as batch:
        batch.drop_constraint("uq_parties_workspace_name_key", type_="unique")
        batch.drop_column("name_key")
