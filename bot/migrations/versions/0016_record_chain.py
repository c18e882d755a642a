"""The record chain: each timeline event's hash, chained to its dispute's previous one.

`timeline` gains `hash` and `prev_hash`, `disputes` gains `chain_head` (bot/domain/chain.py,
docs/record-chain.md). Every event already recorded is sealed here, dispute by dispute in the
order the events went on the record (their row ids, the order appends keep from now on), a
batch of rows at a time: the upgrade of a record of millions of events holds one batch in
memory, never the record.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.domain import chain
from bot.store.types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BATCH = 5_000

_disputes = sa.table(
    "disputes",
    sa.column("id", sa.Integer),
    sa.column("workspace_id", sa.String),
    sa.column("number", sa.Integer),
    sa.column("chain_head", sa.String),
)
# The columns as they were when this was written: a migration says what the rows held then.
_timeline = sa.table(
    "timeline",
    sa.column("id", sa.Integer),
    sa.column("dispute_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("at", UTCDateTime),
    sa.column("actor_id", sa.String),
    sa.column("party_id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("stage", sa.String),
    sa.column("channel_id", sa.String),
    sa.column("message_ts", sa.String),
    sa.column("previous_text", sa.Text),
    sa.column("response_wall_seconds", sa.Integer),
    sa.column("response_working_seconds", sa.Integer),
    sa.column("hash", sa.String),
    sa.column("prev_hash", sa.String),
)
_SET_EVENT = (
    sa.update(_timeline)
    .where(_timeline.c.id == sa.bindparam("b_id"))
    .values(hash=sa.bindparam("b_hash"), prev_hash=sa.bindparam("b_prev"))
)
_SET_HEAD = (
    sa.update(_disputes)
    .where(_disputes.c.id == sa.bindparam("b_id"))
    .values(chain_head=sa.bindparam("b_head"))
)


def _sealed(row: Any) -> chain.Sealed:
    """Version 1 of the canonical form, from a row as it was stored (the form never changes:
    a new one would be a new version, and these rows keep this one)."""
    return chain.Sealed(
        workspace=row.workspace_id,
        dispute=row.number,
        kind=row.kind,
        at=row.at,
        actor=row.actor_id,
        party=row.party_id,
        text=row.text,
        stage=row.stage,
        channel=row.channel_id,
        message_ts=row.message_ts,
        previous_text=row.previous_text,
        response_wall_seconds=row.response_wall_seconds,
        response_working_seconds=row.response_working_seconds,
    )


def seal_everything(conn: sa.Connection, batch: int = BATCH) -> int:
    """Seal every recorded event, oldest first in each dispute; how many were sealed."""
    columns = [c for c in _timeline.c if c.name not in ("hash", "prev_hash")]
    after = (0, 0)
    dispute_id, prev = 0, chain.GENESIS
    sealed = 0
    while True:
        rows = conn.execute(
            sa.select(*columns, _disputes.c.workspace_id, _disputes.c.number)
            .join(_disputes, _disputes.c.id == _timeline.c.dispute_id)
            .where(
                sa.or_(
                    _timeline.c.dispute_id > after[0],
                    sa.and_(_timeline.c.dispute_id == after[0], _timeline.c.id > after[1]),
                )
            )
            .order_by(_timeline.c.dispute_id, _timeline.c.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        events, heads = [], []
        for row in rows:
            if row.dispute_id != dispute_id:
                dispute_id, prev = row.dispute_id, chain.GENESIS
            digest = chain.seal(_sealed(row), prev)
            events.append({"b_id": row.id, "b_hash": digest, "b_prev": prev})
            prev = digest
            heads.append({"b_id": dispute_id, "b_head": digest})
        conn.execute(_SET_EVENT, events)
        # The last hash of each dispute in the batch (a later batch may move it on).
        last = {h["b_id"]: h for h in heads}
        conn.execute(_SET_HEAD, list(last.values()))
        sealed += len(rows)
        after = (rows[-1].dispute_id, rows[-1].id)
    return sealed


def upgrade() -> None:
    with op.batch_alter_table("timeline") as batch:
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(sa.Column("chain_head", sa.String(64), nullable=True))
    seal_everything(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("chain_head")
    with op.batch_alter_table("timeline") as batch:
        batch.drop_column("prev_hash")
        batch.drop_column("hash")
