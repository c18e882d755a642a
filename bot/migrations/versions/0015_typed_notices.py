"""Outbox rows hold typed notices: each names the ids its lane is made of.

A notice is now a model whose lane follows from its fields (bot/domain/notices.py). Rows
owed before held some of those ids only in their lane: action items' notices their review's
id, agreements' notices their agreement's id, digests the kind and id of what they go to. The
ids are copied from the lane into the payload, so a row owed before the upgrade is delivered
after it. A `/digest now` row gives its channel as `target` (it was `channel_id`).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_outbox = sa.table(
    "outbox",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("lane", sa.String),
    sa.column("payload", sa.JSON),
)

# The kinds as stored (bot/domain/notices.py declares them), written out here: a migration
# says what the rows held when it was written, whatever the code says later.
_IN_REVIEW_LANE = ("review.action_posted", "review.action_refresh", "review.action_due")
_IN_AGREEMENT_LANE = (
    "agreement.card",
    "agreement.refresh",
    "agreement.version_line",
    "agreement.expired_dm",
)
_DIGEST = "digest"


def _with_lane_ids(kind: str, lane: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with the ids its lane is made of (unchanged for a lane of another shape:
    such a row fails as unreadable, and is logged, when it is tried)."""
    prefix, _, rest = lane.partition(":")
    if kind in _IN_REVIEW_LANE and prefix == "review" and rest.isdigit():
        return {**payload, "review_id": int(rest)}
    if kind in _IN_AGREEMENT_LANE and prefix == "agreement" and rest.isdigit():
        return {**payload, "agreement_id": int(rest)}
    target_kind, _, target = rest.partition(":")
    if kind == _DIGEST and prefix == "digest" and target_kind in ("channel", "person") and target:
        return {**payload, "target_kind": target_kind, "target": target}
    return payload


def _without_lane_ids(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the previous version reads it."""
    out = dict(payload)
    if kind in _IN_REVIEW_LANE:
        out.pop("review_id", None)
    elif kind in _IN_AGREEMENT_LANE:
        out.pop("agreement_id", None)
    elif kind == _DIGEST:
        target = out.pop("target", None)
        out.pop("target_kind", None)
        if out.get("on_request") and target is not None:
            out["channel_id"] = target
    return out


def _rewrite(change: Any) -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_outbox.c.id, _outbox.c.kind, _outbox.c.lane, _outbox.c.payload).where(
            _outbox.c.kind.in_((*_IN_REVIEW_LANE, *_IN_AGREEMENT_LANE, _DIGEST))
        )
    ).all()
    for row_id, kind, lane, payload in rows:
        before = dict(payload or {})
        after = change(kind, lane, before)
        if after != before:
            conn.execute(sa.update(_outbox).where(_outbox.c.id == row_id).values(payload=after))


def upgrade() -> None:
    _rewrite(_with_lane_ids)


def downgrade() -> None:
    _rewrite(lambda kind, _lane, payload: _without_lane_ids(kind, payload))
