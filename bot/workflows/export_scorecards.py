"""The export's scorecards (`S-n`): each with its current version's dimensions (score, the
figures behind it, weight), total, band, the auditor's rating and notes, the supplier's comments
and appeals, and its earlier published versions. Read in batches like the other streamed kinds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from bot.domain.audits import Dimension, DimensionScore, Remark
from bot.store import Store
from bot.store import audits as repo

SCORECARD_COLUMNS = [
    "id",
    "supplier",
    "period_start",
    "period_end",
    "status",
    "version",
    "owner",
    *(d.value for d in Dimension),
    "total",
    "band",
    "rating",
    "notes",
    "published_at",
    "comments",
    "appeals",
    "versions",
]


def _stamp(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z") if at is not None else None


def _dimension_document(d: DimensionScore) -> dict[str, Any]:
    return {"dimension": d.dimension.value, "score": d.score, "weight": d.weight, "facts": d.facts}


async def scorecard_documents(store: Store, *, size: int = 200) -> AsyncIterator[dict[str, Any]]:
    """Every scorecard in the export's shape (keys and codes, in no language): its current
    version's dimensions with their figures and weights, total, band, rating and notes, the
    supplier's comments and appeals, and its earlier versions."""
    async with store.read() as conn:
        async for batch in repo.in_batches(conn, size=size):
            remarks = await repo.remarks_of(conn, scorecard_ids=[c.id for c in batch])
            for card in batch:
                kept = await repo.versions(conn, scorecard_id=card.id) if card.version > 1 else []
                comments, appeals = remarks[card.id]
                yield {
                    "id": card.ref,
                    "workspace": card.workspace_id,
                    "supplier": card.party.name,
                    "period_start": _stamp(card.period_start),
                    "period_end": _stamp(card.period_end),
                    "status": card.status.value,
                    "version": card.version,
                    "owner": card.owner_id,
                    "created_at": _stamp(card.created_at),
                    "rated_by": card.rated_by,
                    "rated_at": _stamp(card.rated_at),
                    "cooperation": card.cooperation,
                    "notes": card.notes,
                    "total": card.total,
                    "band": card.band.value if card.band is not None else None,
                    "published_at": _stamp(card.published_at),
                    "dimensions": [_dimension_document(d) for d in card.dimensions],
                    "comments": [_remark(r) for r in comments],
                    "appeals": [_remark(r) for r in appeals],
                    "versions": [
                        {
                            "version": v.version,
                            "cooperation": v.cooperation,
                            "notes": v.notes,
                            "total": v.total,
                            "band": v.band.value if v.band is not None else None,
                            "published_at": _stamp(v.published_at),
                            "dimensions": [_dimension_document(d) for d in v.dimensions],
                        }
                        for v in kept
                    ],
                }


def _remark(r: Remark) -> dict[str, Any]:
    return {"version": r.version, "user": r.user_id, "text": r.text, "at": _stamp(r.created_at)}


def scorecard_row(document: dict[str, Any]) -> dict[str, Any]:
    """A scorecard's CSV row: each dimension's score in its own column (empty: no data; the
    auditor's 1-5 is `rating`), and how many comments, appeals and earlier versions it has."""
    scores = {d["dimension"]: d["score"] for d in document["dimensions"]}
    return {
        **document,
        "rating": document["cooperation"],
        **{d.value: scores.get(d.value) for d in Dimension},
        "comments": len(document["comments"]),
        "appeals": len(document["appeals"]),
        "versions": len(document["versions"]),
    }
