"""The export: Parley's records (disputes with their timelines, reviews, action items and
every version of every agreement) in the contract's JSON and CSV shapes (times ISO 8601, UTC)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.domain.agreements import Agreement, AgreementVersion
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.reviews import ActionItem, Review
from bot.domain.text import TOKEN_OPEN, as_plain
from bot.store import Store
from bot.store import agreements as agreements_repo
from bot.store import disputes as disputes_repo
from bot.store import reviews as reviews_repo


class ExportKind(StrEnum):
    DISPUTES = "disputes"
    TIMELINE = "timeline"
    REVIEWS = "reviews"
    ACTIONS = "actions"
    AGREEMENTS = "agreements"


COLUMNS: dict[ExportKind, list[str]] = {
    ExportKind.DISPUTES: [
        "id",
        "title",
        "status",
        "stage",
        "parties",
        "channel",
        "owner",
        "opened_at",
        "stage_due_at",
        "resolution",
    ],
    ExportKind.TIMELINE: [
        "dispute",
        "kind",
        "at",
        "actor",
        "party",
        "text",
        "stage",
        "previous_text",
        "first_response_wall_seconds",
        "first_response_working_seconds",
        "hash",
        "prev_hash",
    ],
    ExportKind.REVIEWS: [
        "id",
        "title",
        "channel",
        "participants",
        "recurrence",
        "next_at",
        "status",
    ],
    ExportKind.ACTIONS: ["id", "review", "owner", "due_at", "text", "status"],
    ExportKind.AGREEMENTS: [
        "id",
        "version",
        "party",
        "what",
        "why",
        "who",
        "when",
        "where",
        "how",
        "authorization",
        "valid_until",
        "status",
        "acknowledged_by",
        "acknowledged_at",
        "who_people",
        "where_channel",
        "owner",
        "created_by",
        "created_at",
        "revoke_reason",
    ],
}


def iso(when: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`, or None."""
    if when is None:
        return None
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_document(event: TimelineEvent) -> dict[str, Any]:
    return {
        "kind": event.kind.value,
        "at": iso(event.at),
        "actor": event.actor_id,
        "party": event.party,
        "text": event.text,
        "stage": event.stage.value if event.stage else None,
        "previous_text": event.previous_text,
        "first_response": (
            {
                "wall_seconds": event.response_wall_seconds,
                "working_seconds": event.response_working_seconds,
            }
            if event.response_wall_seconds is not None
            else None
        ),
        # The record chain (docs/record-chain.md): this event's hash, and its dispute's
        # previous event's (64 zeros before the first).
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }


def dispute_document(dispute: Dispute, events: list[TimelineEvent]) -> dict[str, Any]:
    return {
        "id": dispute.ref,
        "title": dispute.title,
        "status": dispute.status.value,
        "stage": dispute.stage.value,
        "parties": [p.name for p in dispute.parties],
        "channel": dispute.channel_id,
        "owner": dispute.owner_id,
        "opened_at": iso(dispute.opened_at),
        "stage_due_at": iso(dispute.stage_due_at),
        "resolution": dispute.resolution,
        "timeline": [event_document(e) for e in events],
    }


def review_document(review: Review) -> dict[str, Any]:
    """A review in the contract's export shape."""
    return {
        "id": review.ref,
        "title": review.title,
        "channel": review.channel_id,
        "participants": list(review.participants),
        "recurrence": review.rule_text,
        "next_at": iso(review.next_at),
        "status": review.status.value,
    }


def action_document(item: ActionItem) -> dict[str, Any]:
    """An action item in the contract's export shape."""
    return {
        "id": item.ref,
        "review": item.review_ref,
        "owner": item.owner_id,
        "due_at": iso(item.due_at),
        "text": item.text,
        "status": item.status.value,
    }


async def export_reviews(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every review and action item, in the contract's export shapes (times ISO 8601, UTC)."""
    async with store.read() as conn:
        found, items = await reviews_repo.everything(conn)
    return [review_document(r) for r in found], [action_document(i) for i in items]


def version_document(agreement: Agreement, version: AgreementVersion) -> dict[str, Any]:
    """One version in the contract's shape (plus who and when it was written and acknowledged).

    `status` is the agreement's for its current version and `superseded` for earlier ones."""
    terms = version.terms
    current = version.version == agreement.version
    return {
        "id": agreement.ref,
        "version": version.version,
        "party": agreement.party.name,
        "what": terms.what,
        "why": terms.why,
        "who": terms.who,
        "when": terms.when,
        "where": terms.where,
        "how": terms.how,
        "authorization": terms.authorization,
        "valid_until": terms.valid_until.isoformat(),
        "status": agreement.status.value if current else "superseded",
        "acknowledged_by": version.acknowledged_by,
        "acknowledged_at": iso(version.acknowledged_at),
        "who_people": list(terms.who_people),
        "where_channel": terms.where_channel,
        "owner": agreement.owner_id,
        "created_by": version.created_by,
        "created_at": iso(version.created_at),
        "channel": agreement.channel_id,
        "revoke_reason": agreement.revoke_reason if current else None,
    }


async def export_agreements(store: Store) -> list[dict[str, Any]]:
    """Every version of every agreement, oldest agreement and version first."""
    async with store.read() as conn:
        found = await agreements_repo.everything(conn)
    return [version_document(a, v) for a, every in found for v in every]


async def export_document(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Everything Parley has recorded, as one JSON-ready document (the demo, small records);
    `write_export` writes the same, streamed, whatever the size."""
    document = {
        "disputes": [d async for d in dispute_documents(store)],
        **await _the_rest(store),
    }
    return document


async def dispute_documents(store: Store) -> AsyncIterator[dict[str, Any]]:
    """Each dispute with its timeline in the export's shape, oldest first, read in batches."""
    async with store.read() as conn:
        async for batch in disputes_repo.in_batches(conn):
            for dispute, events in batch:
                shown: dict[str, Any] = readable(dispute_document(dispute, events))
                yield shown


async def _the_rest(store: Store) -> dict[str, list[dict[str, Any]]]:
    reviews, actions = await export_reviews(store)
    rest: dict[str, list[dict[str, Any]]] = readable(
        {"reviews": reviews, "actions": actions, "agreements": await export_agreements(store)}
    )
    return rest


async def write_export(
    store: Store, write: Callable[[str], object], *, fmt: str, kind: ExportKind | None
) -> None:
    """The export written piece by piece as it is read (the same text as `to_json` or
    `to_csv` of `export_document`): its memory is a batch of disputes, not the record."""
    if fmt == "csv":
        await _write_csv(store, write, kind or ExportKind.DISPUTES)
        return
    if kind is not None:
        write("{\n")
        await _write_list(write, f'"{kind.value}"', _rows(store, kind), last=True)
        write("}\n")
        return
    write("{\n")
    await _write_list(write, '"disputes"', dispute_documents(store), last=False)
    rest = await _the_rest(store)
    for i, (name, items) in enumerate(rest.items()):
        await _write_list(write, json.dumps(name), _each(items), last=i == len(rest) - 1)
    write("}\n")


async def _each(items: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for item in items:
        yield item


async def _rows(store: Store, kind: ExportKind) -> AsyncIterator[dict[str, Any]]:
    """One kind's rows, as `rows_of` gives them, without the whole document."""
    if kind is ExportKind.DISPUTES:
        async for d in dispute_documents(store):
            yield d
    elif kind is ExportKind.TIMELINE:
        async for d in dispute_documents(store):
            for event in d["timeline"]:
                yield {"dispute": d["id"], **event, **_flat_response(event)}
    else:
        for row in (await _the_rest(store))[kind.value]:
            yield row


async def _write_list(
    write: Callable[[str], object], key: str, items: AsyncIterator[dict[str, Any]], *, last: bool
) -> None:
    """`  "key": [ … ]` as `json.dumps(…, indent=2)` writes it inside the top-level object."""
    write(f"  {key}: ")
    first = True
    async for item in items:
        write("[\n" if first else ",\n")
        write(textwrap.indent(json.dumps(item, indent=2, ensure_ascii=False), "    "))
        first = False
    write("[]" if first else "\n  ]")
    write("\n" if last else ",\n")


async def _write_csv(store: Store, write: Callable[[str], object], kind: ExportKind) -> None:
    writer = csv.DictWriter(
        _Writes(write), fieldnames=COLUMNS[kind], extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    async for row in _rows(store, kind):
        writer.writerow(_cells(row))


class _Writes:
    """A file-like `write` for the csv module."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write


def _cells(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: "; ".join(map(str, value)) if isinstance(value, list) else value
        for key, value in row.items()
    }


def readable(value: Any) -> Any:
    """Stored text as people read it: a kept mention (a token) is exported as `@name`."""
    if isinstance(value, str):
        return as_plain(value) if TOKEN_OPEN in value else value
    if isinstance(value, dict):
        return {key: readable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [readable(item) for item in value]
    return value


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def rows_of(document: dict[str, list[dict[str, Any]]], kind: ExportKind) -> list[dict[str, Any]]:
    """One kind's records; the timeline flattened to one row per event with its dispute's id."""
    if kind is ExportKind.TIMELINE:
        return [
            {"dispute": d["id"], **event, **_flat_response(event)}
            for d in document["disputes"]
            for event in d["timeline"]
        ]
    return document[kind.value]


def to_csv(document: dict[str, list[dict[str, Any]]], kind: ExportKind) -> str:
    """One table: the kind's rows, lists joined with `; `."""
    rows = rows_of(document, kind)
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=COLUMNS[kind], extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow(_cells(row))
    return out.getvalue()


def _flat_response(event: dict[str, Any]) -> dict[str, Any]:
    response = event.get("first_response") or {}
    return {
        "first_response_wall_seconds": response.get("wall_seconds"),
        "first_response_working_seconds": response.get("working_seconds"),
    }
