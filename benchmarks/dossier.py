"""The dossier of a long dispute: building the HTML file and the PDF of a dispute with
thousands of events, read from the store page by page (time, peak Python memory, sizes)."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.commands.deliver_dossiers import dossier_files
from bot.commands.render_dossiers import Reader
from bot.commands.words.language import Languages
from bot.domain.dossiers import BATCH
from bot.domain.names import name_key
from bot.store import Store
from bot.store.schema import dispute_parties, dispute_threads, disputes, parties, timeline
from bot.workflows.dossiers import dossier_source

KINDS = ("reply", "reply", "reply", "edited", "deleted", "note")


async def _fill(store: Store, events: int) -> int:
    """D-1 with its party, its thread and `events` events (replies, edits, deletions,
    notes), written straight through the store; the dispute's id."""
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    async with store.write() as conn:
        party = (
            await conn.execute(
                sa.insert(parties)
                .values(
                    workspace_id="T0PARLEY",
                    name="Acme Networks",
                    name_key=name_key("Acme Networks"),
                    kind="supplier",
                    slack_team="T0ACME",
                    created_at=now,
                )
                .returning(parties.c.id)
            )
        ).scalar_one()
        dispute_id = (
            await conn.execute(
                sa.insert(disputes)
                .values(
                    workspace_id="T0PARLEY",
                    number=1,
                    title="Core outage <with> a long record",
                    status="open",
                    stage="company_process",
                    channel_id="C0ACME",
                    root_ts="1700000000.000100",
                    owner_id="U0ALICE",
                    opened_at=now,
                    stage_started_at=now,
                )
                .returning(disputes.c.id)
            )
        ).scalar_one()
        await conn.execute(
            sa.insert(dispute_parties).values(dispute_id=dispute_id, party_id=party, added_at=now)
        )
        await conn.execute(
            sa.insert(dispute_threads).values(
                channel_id="C0ACME", ts="1700000000.000100", dispute_id=dispute_id, kind="home"
            )
        )
        rows = []
        for n in range(events):
            kind = KINDS[n % len(KINDS)]
            rows.append(
                {
                    "dispute_id": dispute_id,
                    "kind": kind,
                    "at": now + timedelta(minutes=n),
                    "actor_id": "U0RAJ" if kind != "note" else "U0ALICE",
                    "party_id": party if kind != "note" else None,
                    "text": f"Reply {n}: the fix is late again <script>, 修复又延迟了",
                    "previous_text": f"Reply {n}: earlier words" if kind == "edited" else None,
                    "channel_id": "C0ACME",
                    "message_ts": f"{1700000100 + n}.000100",
                }
            )
        await conn.execute(sa.insert(timeline), rows)
    return int(dispute_id)


async def _build(store: Store, dispute_id: int) -> tuple[bytes, bytes]:
    reader = Reader(
        language=Languages()["en"], tz=ZoneInfo("Asia/Shanghai"), names={"U0RAJ": "raj"}
    )
    now = datetime.now(UTC)
    source = await dossier_source(
        store, dispute_id=dispute_id, now=now, tz=ZoneInfo("Asia/Shanghai")
    )
    assert source is not None
    made = await dossier_files(
        store, source, reader, asker_id="U0ALICE", generated_at=now, links=[]
    )
    return made.html, made.pdf


async def measure_dossier(work: Path, events: int) -> dict[str, Any]:
    """The dossier of a dispute with `events` events: built once timed, and once more under
    tracemalloc for its peak (tracing slows it down, so the two are apart)."""
    store = Store.open(f"sqlite:///{work}/dossier.db")
    try:
        await store.upgrade()
        dispute_id = await _fill(store, events)
        await _build(store, dispute_id)  # warm: the CLDR data, the font's metrics
        started = time.perf_counter()
        html, pdf = await _build(store, dispute_id)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        await _build(store, dispute_id)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        await store.close()
    return {
        "events": events,
        "seconds": seconds,
        "peak_mb": peak / 2**20,
        "file_kb": len(html) / 1024,
        "pdf_kb": len(pdf) / 1024,
    }


def dossier_table(result: dict[str, Any]) -> list[str]:
    head = f"dossier of a dispute with {result['events']:,} events"
    return [
        f"| {head} | seconds | peak MB | HTML KB | PDF KB |",
        "|---|---:|---:|---:|---:|",
        f"| HTML and PDF, read {BATCH} events at a time | {result['seconds']:.2f} | "
        f"{result['peak_mb']:.1f} | {result['file_kb']:.0f} | {result['pdf_kb']:.0f} |",
    ]
