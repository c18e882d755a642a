"""The export: Parley's records (disputes with their timelines, reviews, action items, every
version of every agreement, complaints with their records, praise, value-added services,
surveys and their answers, contracts, scorecards) in the contract's JSON and CSV shapes (times
ISO 8601, UTC)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.config import ParleyConfig
from bot.domain.agreements import Agreement, AgreementVersion
from bot.domain.complaints import Complaint, ComplaintEvent
from bot.domain.complaints import EventKind as ComplaintEventKind
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.praise import Praise
from bot.domain.reviews import ActionItem, Review
from bot.domain.text import TOKEN_OPEN, as_plain
from bot.domain.valueadds import CHECKS, ValueAdd
from bot.store import Store
from bot.store import agreements as agreements_repo
from bot.store import complaints as complaints_repo
from bot.store import disputes as disputes_repo
from bot.store import praise as praise_repo
from bot.store import reviews as reviews_repo
from bot.store import valueadds as valueadds_repo
from bot.workflows import export_scorecards, export_surveys
from bot.workflows.contracts import CONTRACT_COLUMNS, contract_documents, contract_row


class ExportKind(StrEnum):
    DISPUTES = "disputes"
    TIMELINE = "timeline"
    REVIEWS = "reviews"
    ACTIONS = "actions"
    AGREEMENTS = "agreements"
    COMPLAINTS = "complaints"
    PRAISE = "praise"
    VALUEADDS = "valueadds"
    CONTRACTS = "contracts"
    SURVEYS = "surveys"
    ANSWERS = "answers"
    SCORECARDS = "scorecards"


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
        "dispute",
    ],
    ExportKind.ACTIONS: ["id", "review", "owner", "due_at", "text", "status", "scorecard"],
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
    ExportKind.COMPLAINTS: [
        "id",
        "party",
        "complainant",
        "owner",
        "status",
        "text",
        "channel",
        "opened_at",
        "answer_due_at",
        "first_answer_at",
        "resolve_due_at",
        "resolved_at",
        "resolution",
        "closed_at",
        "closed_by",
        "escalations",
        "linked_disputes",
    ],
    ExportKind.PRAISE: [
        "id",
        "at",
        "party",
        "praiser",
        "praiser_internal",
        "praised",
        "text",
        "recorded_by",
        "channel",
        "source",
    ],
    ExportKind.VALUEADDS: [
        "id",
        "party",
        "what",
        "when",
        "cost",
        "hours",
        *CHECKS,
        "recorded_by",
        "recorded_at",
        "checks_by",
        "checks_at",
    ],
    ExportKind.CONTRACTS: CONTRACT_COLUMNS,
    ExportKind.SURVEYS: export_surveys.SURVEY_COLUMNS,
    ExportKind.ANSWERS: export_surveys.ANSWER_COLUMNS,
    ExportKind.SCORECARDS: export_scorecards.SCORECARD_COLUMNS,
}
# The kinds read in batches after the rest, as they are written (never all in memory).
STREAMED_LAST = (
    ExportKind.COMPLAINTS,
    ExportKind.PRAISE,
    ExportKind.VALUEADDS,
    ExportKind.SURVEYS,
    ExportKind.ANSWERS,
)


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
        "dispute": review.dispute_ref,
    }


def action_document(item: ActionItem) -> dict[str, Any]:
    """An action item in the contract's export shape."""
    return {
        "id": item.ref,
        "review": item.review_ref,
        "scorecard": item.scorecard_ref,
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


def praise_document(praise: Praise) -> dict[str, Any]:
    """A praise in the export's shape: who praised (a Slack user id), whom, what, when."""
    return {
        "id": praise.ref,
        "at": iso(praise.at),
        "party": praise.party.name if praise.party is not None else None,
        "praiser": praise.praiser_id,
        "praiser_internal": praise.praiser_internal,
        "praised": list(praise.praised),
        "text": praise.text,
        "recorded_by": praise.recorded_by,
        "channel": praise.channel_id,
        "source": praise.source.value,
    }


def valueadd_document(valueadd: ValueAdd) -> dict[str, Any]:
    """A value-add in the export's shape; each of the four checks true, false or null."""
    return {
        "id": valueadd.ref,
        "party": valueadd.party.name,
        "what": valueadd.what,
        "when": valueadd.done_on.isoformat(),
        "cost": float(valueadd.cost) if valueadd.cost is not None else None,
        "hours": float(valueadd.hours) if valueadd.hours is not None else None,
        **valueadd.checks.answers(),
        "recorded_by": valueadd.recorded_by,
        "recorded_at": iso(valueadd.recorded_at),
        "checks_by": valueadd.checks_by,
        "checks_at": iso(valueadd.checks_at),
    }


async def _praise_documents(store: Store) -> AsyncIterator[dict[str, Any]]:
    async with store.read() as conn:
        async for batch in praise_repo.in_batches(conn):
            for praise in batch:
                shown: dict[str, Any] = readable(praise_document(praise))
                yield shown


async def _valueadd_documents(store: Store) -> AsyncIterator[dict[str, Any]]:
    async with store.read() as conn:
        async for batch in valueadds_repo.in_batches(conn):
            for valueadd in batch:
                shown: dict[str, Any] = readable(valueadd_document(valueadd))
                yield shown


async def _readable(items: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    async for item in items:
        shown: dict[str, Any] = readable(item)
        yield shown


def _streamed(store: Store, kind: ExportKind) -> AsyncIterator[dict[str, Any]]:
    """Complaints, praise, value-adds, surveys or answers in the export's shape, oldest
    first, read in batches."""
    if kind is ExportKind.COMPLAINTS:
        return complaint_documents(store)
    if kind is ExportKind.PRAISE:
        return _praise_documents(store)
    if kind is ExportKind.SURVEYS:
        return _readable(export_surveys.survey_documents(store))
    if kind is ExportKind.ANSWERS:
        return _readable(export_surveys.answer_documents(store))
    if kind is ExportKind.SCORECARDS:
        return _readable(export_scorecards.scorecard_documents(store))
    return _valueadd_documents(store)


def complaint_document(complaint: Complaint, events: list[ComplaintEvent]) -> dict[str, Any]:
    """A complaint in the export's shape: its clocks, how it closed, each escalation with its
    reason, the disputes that caused it, and its whole record."""
    return {
        "id": complaint.ref,
        "party": complaint.party.name,
        "complainant": complaint.complainant_id,
        "owner": complaint.owner_id,
        "status": complaint.status.value,
        "text": complaint.text,
        "channel": complaint.channel_id,
        "opened_at": iso(complaint.opened_at),
        "answer_due_at": iso(complaint.answer_due_at),
        "first_answer_at": iso(complaint.first_answer_at),
        "resolve_due_at": iso(complaint.resolve_due_at),
        "resolved_at": iso(complaint.resolved_at),
        "resolution": complaint.resolution,
        "closed_at": iso(complaint.closed_at),
        "closed_by": complaint.closed_by.value if complaint.closed_by else None,
        "escalations": [
            {"at": iso(e.at), "actor": e.actor_id, "reason": e.text}
            for e in events
            if e.kind is ComplaintEventKind.ESCALATED
        ],
        "linked_disputes": [f"D-{n}" for n in complaint.disputes],
        "timeline": [
            {
                "kind": e.kind.value,
                "at": iso(e.at),
                "actor": e.actor_id,
                "party": e.party,
                "text": e.text,
            }
            for e in events
        ],
    }


async def complaint_documents(store: Store) -> AsyncIterator[dict[str, Any]]:
    """Each complaint with its record in the export's shape, oldest first, read in batches."""
    async with store.read() as conn:
        async for batch in complaints_repo.in_batches(conn):
            for complaint, events in batch:
                shown: dict[str, Any] = readable(complaint_document(complaint, events))
                yield shown


def _complaint_row(document: dict[str, Any]) -> dict[str, Any]:
    """A complaint as one CSV row: its escalations counted (their reasons are in the JSON)."""
    return {**document, "escalations": len(document["escalations"])}


async def export_document(
    store: Store, config: ParleyConfig | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Everything Parley has recorded, as one JSON-ready document (the demo, small records);
    `write_export` writes the same, streamed, whatever the size."""
    document = {
        "disputes": [d async for d in dispute_documents(store)],
        **await _the_rest(store),
    }
    for kind in STREAMED_LAST:
        document[kind.value] = [d async for d in _streamed(store, kind)]
    document[ExportKind.CONTRACTS.value] = await contract_documents(store, config)
    scorecards = export_scorecards.scorecard_documents(store)
    document[ExportKind.SCORECARDS.value] = [d async for d in _readable(scorecards)]
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
    store: Store,
    write: Callable[[str], object],
    *,
    fmt: str,
    kind: ExportKind | None,
    config: ParleyConfig | None = None,
) -> None:
    """The export written piece by piece as it is read (the same text as `to_json` or
    `to_csv` of `export_document`): its memory is a batch of disputes, not the record."""
    if fmt == "csv":
        await _write_csv(store, write, kind or ExportKind.DISPUTES, config)
        return
    if kind is not None:
        write("{\n")
        await _write_list(write, f'"{kind.value}"', _rows(store, kind, config), last=True)
        write("}\n")
        return
    write("{\n")
    await _write_list(write, '"disputes"', dispute_documents(store), last=False)
    rest = await _the_rest(store)
    for name, items in rest.items():
        await _write_list(write, json.dumps(name), _each(items), last=False)
    for kind in STREAMED_LAST:
        await _write_list(write, json.dumps(kind.value), _streamed(store, kind), last=False)
    contracts = _each(await contract_documents(store, config))
    await _write_list(write, json.dumps(ExportKind.CONTRACTS.value), contracts, last=False)
    scorecards = _streamed(store, ExportKind.SCORECARDS)
    await _write_list(write, json.dumps(ExportKind.SCORECARDS.value), scorecards, last=True)
    write("}\n")


async def _each(items: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for item in items:
        yield item


async def _rows(
    store: Store, kind: ExportKind, config: ParleyConfig | None = None
) -> AsyncIterator[dict[str, Any]]:
    """One kind's rows, as `rows_of` gives them, without the whole document."""
    if kind is ExportKind.DISPUTES:
        async for d in dispute_documents(store):
            yield d
    elif kind is ExportKind.TIMELINE:
        async for d in dispute_documents(store):
            for event in d["timeline"]:
                yield {"dispute": d["id"], **event, **_flat_response(event)}
    elif kind in STREAMED_LAST or kind is ExportKind.SCORECARDS:
        async for row in _streamed(store, kind):
            yield row
    elif kind is ExportKind.CONTRACTS:
        for row in await contract_documents(store, config):
            yield row
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


async def _write_csv(
    store: Store, write: Callable[[str], object], kind: ExportKind, config: ParleyConfig | None
) -> None:
    writer = csv.DictWriter(
        _Writes(write), fieldnames=COLUMNS[kind], extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    async for row in _rows(store, kind, config):
        writer.writerow(_cells(_csv_row(kind, row)))


class _Writes:
    """A file-like `write` for the csv module."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write


def _csv_row(kind: ExportKind, row: dict[str, Any]) -> dict[str, Any]:
    """A record as one CSV row: lists counted or joined where the JSON keeps their detail."""
    shapes = {
        ExportKind.COMPLAINTS: _complaint_row,
        ExportKind.CONTRACTS: contract_row,
        ExportKind.SCORECARDS: export_scorecards.scorecard_row,
    }
    shape = shapes.get(kind) or (export_surveys.answer_row if kind is ExportKind.ANSWERS else None)
    return shape(row) if shape is not None else row


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
        writer.writerow(_cells(_csv_row(kind, row)))
    return out.getvalue()


def _flat_response(event: dict[str, Any]) -> dict[str, Any]:
    response = event.get("first_response") or {}
    return {
        "first_response_wall_seconds": response.get("wall_seconds"),
        "first_response_working_seconds": response.get("working_seconds"),
    }
