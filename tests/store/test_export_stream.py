"""`parley export` streams: what it writes piece by piece is byte for byte the document the
export always printed, for JSON and every CSV table, in batches smaller than the record."""

from __future__ import annotations

from dataclasses import replace

import pytest

from benchmarks.harness import TINY
from benchmarks.scale import populate
from bot.store import Store
from bot.store import disputes as disputes_repo
from bot.workflows.export import (
    ExportKind,
    export_document,
    rows_of,
    to_csv,
    to_json,
    write_export,
)


@pytest.fixture
async def filled(tmp_path: object) -> Store:
    url = f"sqlite:///{tmp_path}/export.db"
    await populate(url, replace(TINY, disputes=1_234, events=6_000, show_events=40, answers=1_200))
    store = Store.open(url)
    yield store  # type: ignore[misc]
    await store.close()


async def _streamed(store: Store, fmt: str, kind: ExportKind | None) -> str:
    parts: list[str] = []
    await write_export(store, parts.append, fmt=fmt, kind=kind)
    return "".join(parts)


async def test_the_streamed_export_is_the_document(filled: Store) -> None:
    document = await export_document(filled)
    assert len(document["disputes"]) == 1_234  # more than two batches
    assert await _streamed(filled, "json", None) == to_json(document)
    for kind in ExportKind:
        assert await _streamed(filled, "csv", kind) == to_csv(document, kind)
        assert await _streamed(filled, "json", kind) == to_json(
            {kind.value: rows_of(document, kind)}
        )


async def test_batches_cover_every_dispute_once_in_order(filled: Store) -> None:
    async with filled.read() as conn:
        batches = [b async for b in disputes_repo.in_batches(conn, size=100)]
    numbers = [d.number for batch in batches for d, _ in batch]
    assert numbers == sorted(numbers) and len(set(numbers)) == 1_234
    assert max(len(b) for b in batches) == 100
    assert sum(len(events) for batch in batches for _, events in batch) >= 6_000
