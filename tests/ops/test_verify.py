"""`parley verify` against a real database (a SQLite file, and PostgreSQL where one answers):
a record that holds exits 0 with what was checked; a row changed, removed or moved in time
by hand is named (its dispute, kind, time and row id) and exits 1."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.config import ParleyConfig
from bot.domain import chain
from bot.domain.calendar import calendar_for
from bot.domain.parties import Person
from bot.store import Store
from bot.store import disputes_timeline as timeline_repo
from bot.store.schema import disputes as disputes_table
from bot.store.schema import timeline
from bot.workflows import disputes
from tests.ops.test_cli import parley
from tests.store.test_chain_storage import _migrate

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ALICE = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")


async def _record(url: str) -> None:
    """Three disputes; D-2 with three notes after its opening."""
    store = Store.open(url)
    await store.upgrade()
    try:
        for title in ("First", "核心交换机故障", "Third"):
            await disputes.open_dispute(
                store,
                workspace_id="T0PARLEY",
                channel_id="C0DESK",
                owner=ALICE,
                title=title,
                people=[],
                config=ParleyConfig(),
                calendar=calendar_for(None, "UTC"),
                now=NOW,
            )
        for i in range(3):
            await disputes.add_note(
                store,
                workspace_id="T0PARLEY",
                number=2,
                actor=ALICE,
                text=f"备注 {i}",
                now=NOW + timedelta(minutes=i + 1),
            )
    finally:
        await store.close()


async def _sql(url: str, statement: sa.Executable) -> None:
    store = Store.open(url)
    try:
        async with store.write() as conn:
            await conn.execute(statement)
    finally:
        await store.close()


async def _note_ids(url: str) -> list[int]:
    store = Store.open(url)
    try:
        async with store.read() as conn:
            rows = await conn.execute(
                sa.select(timeline.c.id).where(timeline.c.kind == "note").order_by(timeline.c.id)
            )
            return [int(r) for (r,) in rows]
    finally:
        await store.close()


async def _ready(url: str) -> list[int]:
    await _record(url)
    return await _note_ids(url)


def _verify(url: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    done = parley("verify", *args, cwd=tmp_path, env={"DATABASE_URL": url})
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


async def test_a_record_that_holds_exits_0_with_what_was_checked(
    database_url: str, tmp_path: Path
) -> None:
    await _ready(database_url)
    code, out, err = await asyncio.to_thread(_verify, database_url, tmp_path)
    assert code == 0, err
    assert out.strip() == "parley verify: the record chain holds: 3 dispute(s), 6 event(s) checked"
    code, out, _ = await asyncio.to_thread(_verify, database_url, tmp_path, "--dispute", "d-2")
    assert code == 0 and "1 dispute(s), 4 event(s) checked" in out


async def test_a_text_changed_with_sql_is_named_and_exits_1(
    database_url: str, tmp_path: Path
) -> None:
    notes = await _ready(database_url)
    await _sql(database_url, sa.update(timeline).where(timeline.c.id == notes[1]).values(text="x"))
    code, out, err = await asyncio.to_thread(_verify, database_url, tmp_path)
    assert code == 1 and out == ""
    first = err.splitlines()[0]
    assert first.startswith("parley verify: BROKEN: D-2 (workspace T0PARLEY): ")
    assert f"its note event at 2026-11-23T02:02:00.000000Z (timeline row {notes[1]})" in first
    assert "does not match its hash: the row was changed" in first
    assert "1 dispute(s) and 3 event(s) held before it" in err  # D-1, and D-2's first two
    # Another dispute alone still holds; the broken one alone is named again.
    assert (await asyncio.to_thread(_verify, database_url, tmp_path, "--dispute", "D-3"))[0] == 0
    code, _, err = await asyncio.to_thread(_verify, database_url, tmp_path, "--dispute", "D-2")
    assert code == 1 and f"timeline row {notes[1]}" in err


async def test_a_removed_row_is_named_by_the_event_after_it(
    database_url: str, tmp_path: Path
) -> None:
    notes = await _ready(database_url)
    await _sql(database_url, sa.delete(timeline).where(timeline.c.id == notes[0]))
    code, _, err = await asyncio.to_thread(_verify, database_url, tmp_path)
    assert code == 1
    assert (
        f"D-2 (workspace T0PARLEY): its note event at 2026-11-23T02:02:00.000000Z (timeline row {notes[1]}) does not follow the event before it"
        in err
    )


async def test_the_last_row_removed_is_caught_by_the_head(
    database_url: str, tmp_path: Path
) -> None:
    notes = await _ready(database_url)
    await _sql(database_url, sa.delete(timeline).where(timeline.c.id == notes[2]))
    code, _, err = await asyncio.to_thread(_verify, database_url, tmp_path)
    assert code == 1
    assert "D-2 (workspace T0PARLEY): the dispute's head is " in err
    assert f"(timeline row {notes[1]}): events after it were removed" in err
    # Every event of a dispute removed: its head still names it.
    await _sql(database_url, sa.delete(timeline).where(timeline.c.dispute_id == 3))
    code, _, err = await asyncio.to_thread(_verify, database_url, tmp_path, "--dispute", "D-3")
    assert code == 1 and "D-3 (workspace T0PARLEY): its head is " in err
    assert "but it has no events" in err


async def test_a_time_moved_or_a_head_rewritten_is_named(database_url: str, tmp_path: Path) -> None:
    notes = await _ready(database_url)
    await _sql(
        database_url,
        sa.update(timeline)
        .where(timeline.c.id == notes[2])
        .values(at=NOW + timedelta(minutes=3, microseconds=1)),
    )
    code, _, err = await asyncio.to_thread(_verify, database_url, tmp_path)
    assert code == 1
    assert (
        f"its note event at 2026-11-23T02:03:00.000001Z (timeline row {notes[2]}) does not match its hash"
        in err
    )
    await _sql(
        database_url,
        sa.update(timeline).where(timeline.c.id == notes[2]).values(at=NOW + timedelta(minutes=3)),
    )
    assert (await asyncio.to_thread(_verify, database_url, tmp_path))[0] == 0  # put back: holds
    # Another dispute's number on the rows: every hash covers the dispute's number.
    await _sql(
        database_url, sa.update(disputes_table).where(disputes_table.c.number == 3).values(number=9)
    )
    code, _, err = await asyncio.to_thread(_verify, database_url, tmp_path)
    assert code == 1 and "D-9 (workspace T0PARLEY): its opened event" in err


def test_a_dispute_that_is_not_there_or_not_a_dispute(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/p.db"
    asyncio.run(_record(url))
    code, _, err = _verify(url, tmp_path, "--dispute", "D-7")
    assert code == 2 and "there is no D-7" in err
    code, _, err = _verify(url, tmp_path, "--dispute", "R-2")
    assert code == 2 and "'R-2' is not a dispute: write it as D-3" in err
    assert re.search(r"Usage: parley verify", err)


async def test_a_row_resealed_by_hand_is_caught_by_the_next_event(
    database_url: str, tmp_path: Path
) -> None:
    """Whoever rewrites a row and its own hash still breaks the next event's link."""
    notes = await _ready(database_url)
    store = Store.open(database_url)
    try:
        async with store.write() as conn:
            row = (await conn.execute(sa.select(timeline).where(timeline.c.id == notes[0]))).one()
            forged = timeline_repo.sealed_row(
                {**row._mapping, "text": "forged"}, workspace_id="T0PARLEY", number=2
            )
            await conn.execute(
                sa.update(timeline)
                .where(timeline.c.id == notes[0])
                .values(text="forged", hash=chain.seal(forged, row.prev_hash))
            )
    finally:
        await store.close()
    code, _, err = await asyncio.to_thread(_verify, database_url, tmp_path)
    assert code == 1
    assert f"(timeline row {notes[1]}) does not follow the event before it" in err


def test_an_empty_record_holds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    assert parley("db", "upgrade", cwd=tmp_path, env={"DATABASE_URL": url}).returncode == 0
    code, out, _ = _verify(url, tmp_path)
    assert code == 0
    assert out.strip() == "parley verify: the record chain holds: 0 dispute(s), 0 event(s) checked"


def test_verify_never_migrates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    _migrate(url, "0015")
    code, out, err = _verify(url, tmp_path)
    assert code == 2 and out == ""
    assert "run `parley db upgrade` first" in err
    assert parley("db", "current", cwd=tmp_path, env={"DATABASE_URL": url}).returncode == 1
