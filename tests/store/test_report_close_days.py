"""The report's closed complaints on both engines: each complaint's working days to close kept
in its row (migration 0024) give the same count and median, read by SQL from an index, as the
days counted from every row's two instants by the calendar (what the report did before), over
a seeded history across China's National Day holiday, its adjusted working weekend days and
plain weekends, with an odd and an even number closed; complaints closed before the days were
kept (NULL) are counted from their instants; and the migration leaves those NULL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.domain import reports as rules
from bot.domain.calendar import calendar_for
from bot.domain.complaints import close_days
from bot.domain.parties import PartyKind
from bot.domain.reports import Period, quarter_edges
from bot.store import Store
from bot.store import parties as parties_repo
from bot.store import reports as repo
from bot.store.db import MIGRATIONS
from bot.store.schema import complaints
from bot.workflows.reports import satisfaction_figures

WS = "T0PARLEY"
CALENDAR = calendar_for("CN", "Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Mon 23 Nov 2026 10:00 in Shanghai
FIRST = datetime(2026, 9, 18, 1, 0, tzinfo=UTC)  # Fri 18 Sep 09:00 in Shanghai
PERIODS = (
    Period(start=date(2026, 1, 1), end=date(2026, 11, 23)),  # this year so far
    Period(start=date(2026, 9, 1), end=date(2026, 9, 30)),  # ends before National Day
    Period(start=date(2026, 10, 1), end=date(2026, 10, 8)),  # the holiday week
    Period(start=date(2026, 10, 1), end=date(2026, 12, 31)),  # Q4
    Period(start=date(2026, 10, 9), end=date(2026, 10, 9)),  # a working Friday alone
)


def rows(party_ids: list[int], *, kept: bool) -> list[dict[str, object]]:
    """Complaints opened every 17 hours from a Friday before National Day (1-7 October 2026,
    with Sunday 27 September and Saturday 10 October worked), most closed 0 hours to 15 days
    later: over the holiday, weekends and within a day. Without `kept`, every fifth closed one
    has no days kept, as one closed before migration 0024."""
    out = []
    for n in range(1, 121):
        opened = FIRST + timedelta(hours=17 * n)
        closed = opened + timedelta(hours=(n * 37) % 360) if n % 7 else None
        status = "closed" if closed else ("open" if n % 2 else "resolved")
        out.append(
            {
                "id": n,
                "workspace_id": WS,
                "number": n,
                "text": f"Complaint {n}",
                "party_id": party_ids[n % len(party_ids)],
                "owner_id": "U0ALICE",
                "channel_id": "C0DESK",
                "status": status,
                "opened_at": opened,
                "answer_due_at": opened + timedelta(days=1),
                "resolve_due_at": opened + timedelta(days=7),
                "first_answer_at": opened + timedelta(hours=3) if n % 3 else None,
                "resolved_at": closed,
                "closed_at": closed,
                "closed_by": "confirmed" if closed else None,
                "close_days": (
                    close_days(CALENDAR, opened, closed) if closed and (kept or n % 5) else None
                ),
                "round": 1 if closed else 0,
            }
        )
    return out


async def seed(store: Store, *, kept: bool) -> list[int]:
    async with store.write() as conn:
        ids = []
        for name, team in (("Contoso Retail", "T0CONTOSO"), ("Initech 中国", "T0INITECH")):
            party = await parties_repo.insert(
                conn,
                workspace_id=WS,
                name=name,
                kind=PartyKind.CUSTOMER,
                slack_team=team,
                now=FIRST,
            )
            ids.append(party.id)
        await conn.execute(sa.insert(complaints), rows(ids, kept=kept))
    return ids


async def from_every_row(store: Store, period: Period, party_id: int | None) -> tuple[Any, ...]:
    """Opened, closed, overdue and the median days as counted from every complaint's row."""
    start, end = period.bounds(CALENDAR.tz)
    async with store.read() as conn:
        found = (await conn.execute(sa.select(complaints))).mappings().all()
    mine = [r for r in found if party_id is None or r["party_id"] == party_id]
    opened = [r for r in mine if start <= r["opened_at"] < end]
    closed = [r for r in mine if r["closed_at"] is not None and start <= r["closed_at"] < end]
    overdue = [
        r
        for r in opened
        if r["status"] != "closed"
        and (
            (r["first_answer_at"] is None and r["answer_due_at"] < NOW)
            or (r["status"] == "open" and r["resolve_due_at"] < NOW)
        )
    ]
    days = [max(0, CALENDAR.working_days_between(r["opened_at"], r["closed_at"])) for r in closed]
    return len(opened), len(closed), len(overdue), rules.median_days(days)


async def figures(store: Store, period: Period, party_id: int | None) -> tuple[Any, ...]:
    report = await satisfaction_figures(
        store, workspace_id=WS, party_id=party_id, period=period, calendar=CALENDAR, now=NOW
    )
    return (
        report.complaints_opened,
        report.complaints_closed,
        report.overdue,
        report.median_days_to_close,
    )


async def compare(store: Store) -> set[int]:
    """Every period and party's figures alike both ways; the numbers closed seen."""
    ids = [None, *[p.id for p in (await _parties(store))]]
    counted = set()
    for period in PERIODS:
        for party_id in ids:
            expected = await from_every_row(store, period, party_id)
            assert await figures(store, period, party_id) == expected, (period, party_id)
            counted.add(expected[1])
    return counted


async def _parties(store: Store) -> list[Any]:
    async with store.read() as conn:
        return [
            p
            for name in ("Contoso Retail", "Initech 中国")
            if (p := await parties_repo.by_name(conn, workspace_id=WS, name=name)) is not None
        ]


async def test_kept_days_give_the_figures_counted_from_every_row(store: Store) -> None:
    await seed(store, kept=True)
    counted = await compare(store)
    # Medians of an odd and of an even number closed, and of none.
    assert {n % 2 for n in counted if n} == {0, 1} and 0 in counted
    # The holiday week counts few working days: the medians differ from calendar days.
    start, end = PERIODS[2].bounds(CALENDAR.tz)
    async with store.read() as conn:
        scope = repo.Scope(
            workspace_id=WS,
            party_id=None,
            start=start,
            end=end,
            edges=quarter_edges(PERIODS[2], CALENDAR.tz),
        )
        closed, kept = await repo.closed_count(conn, scope=scope)
        assert closed == kept > 0
        spans = await repo.closed_spans(conn, scope=scope)
    assert max(close_days(CALENDAR, o, c) for o, c in spans) < max((c - o).days for o, c in spans)


async def test_days_not_kept_are_counted_from_the_rows(store: Store) -> None:
    await seed(store, kept=False)
    start, end = PERIODS[0].bounds(CALENDAR.tz)
    async with store.read() as conn:
        scope = repo.Scope(workspace_id=WS, party_id=None, start=start, end=end, edges=[])
        closed, kept = await repo.closed_count(conn, scope=scope)
    assert 0 < kept < closed
    await compare(store)


async def test_the_migration_adds_the_column_and_leaves_closed_ones_null(store: Store) -> None:
    await seed(store, kept=True)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = store.url
    await asyncio.to_thread(command.downgrade, config, "0023")  # the column dropped
    async with store.read() as conn:
        names = await conn.run_sync(
            lambda c: {col["name"] for col in sa.inspect(c).get_columns("complaints")}
        )
    assert "close_days" not in names
    await store.upgrade()
    async with store.read() as conn:
        kept = await conn.execute(
            sa.select(sa.func.count(complaints.c.close_days), sa.func.count(complaints.c.closed_at))
        )
        assert tuple(kept.one()) == (0, 103)  # the 103 closed ones left NULL
    await compare(store)
