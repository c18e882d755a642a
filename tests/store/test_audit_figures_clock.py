"""The audit figures on both engines, counted over the calendar's table of days
(`bot/domain/audit_clock.py`, instants read as microseconds), are the figures the row-by-row
count gives (each row's support hours by `support_hours_between`, its reply against
`within_response_time`, its working days by `WorkCalendar.working_days_between`, from the
rows' datetimes: what `bot/store/audit_figures.py` did before), to the last bit: over seeded
random disputes with microseconds, around China's National Day holiday and its worked weekend
days, the New Year, daylight-saving changes and plain weekends, in four time zones, for 5x8
and 24x7 contracts and none; and over an empty period. Staff stability is held to a count over
every membership event."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.audit_scores import Figures, support_hours_between, within_response_time
from bot.domain.calendar import WorkCalendar, calendar_for
from bot.domain.contracts import Contract, SupportHours, Terms
from bot.domain.ladder import Stage, Status
from bot.domain.parties import PartyKind
from bot.store import Store
from bot.store import audit_figures as figures_repo
from bot.store import parties as parties_repo
from bot.store.schema import dispute_parties, disputes
from bot.store.schema_audits import channel_memberships

WS = "T0PARLEY"
CALENDARS = (
    calendar_for(
        "CN", "Asia/Shanghai"
    ),  # National Day 1-8 Oct 2026, Sun 27 Sep + Sat 10 Oct worked
    calendar_for(None, "UTC"),
    calendar_for("DE", "Europe/Berlin"),  # summer time ends Sun 25 Oct 2026
    calendar_for("US", "America/New_York"),  # ends Sun 1 Nov 2026, at 02:00 local
)
PERIODS = (
    (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
    (datetime(2026, 9, 30, 16, tzinfo=UTC), datetime(2026, 10, 9, 16, tzinfo=UTC)),
    (datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)),  # every row
    (datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 4, 1, tzinfo=UTC)),  # nothing in it
)
#: Instants the rows begin near: the holiday, its worked weekend days, New Year, DST changes.
NEAR = (
    datetime(2026, 9, 25, tzinfo=UTC),
    datetime(2026, 10, 9, tzinfo=UTC),
    datetime(2026, 10, 24, 20, tzinfo=UTC),
    datetime(2026, 10, 31, 20, tzinfo=UTC),
    datetime(2026, 12, 28, tzinfo=UTC),
    datetime(2026, 3, 27, tzinfo=UTC),
)
CLOSED = (Status.RESOLVED, Status.RESOLVED, Status.WITHDRAWN)
STAGES = (Stage.COORDINATION, Stage.MULTI_PARTY, Stage.COMPANY_PROCESS)


def _contract(support: SupportHours, response_hours: float) -> Contract:
    terms = Terms(
        response_hours=response_hours,
        resolution_hours=12,
        availability=99.9,
        support_hours=support,
    )
    return Contract(
        party="Acme Networks",
        reference="ACME-1",
        owner_id="U0MGR",
        terms=terms,
        valid_until=date(2030, 1, 1),
    )


CONTRACTS = (
    _contract(SupportHours.OFFICE, 2),
    _contract(SupportHours.OFFICE, 4.5),
    _contract(SupportHours.ALWAYS, 2),
    None,
)


def _span(rng: random.Random) -> timedelta:
    """Minutes to weeks, in odd seconds and microseconds; now and then none at all."""
    kind = rng.randrange(6)
    if kind == 0:
        return timedelta(0)
    if kind == 1:
        return timedelta(minutes=rng.randrange(1, 600), microseconds=rng.randrange(10**6))
    if kind == 2:  # exactly 2 office hours on the hour, as a reply on the due instant is
        return timedelta(hours=2)
    days = rng.choice((1, 3, 9, 40))
    return timedelta(seconds=rng.randrange(days * 86400), microseconds=rng.randrange(10**6))


def _rows(rng: random.Random, party_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Disputes and the supplier's rows in them (brought in, first reply, closed)."""
    found, parties = [], []
    for n in range(1, 241):
        added = rng.choice(NEAR) + timedelta(
            seconds=rng.randrange(-3 * 86400, 20 * 86400),
            microseconds=rng.choice((0, rng.randrange(10**6))),
        )
        replied = added + _span(rng) if n % 5 else None
        closed = added + _span(rng) if n % 3 else None
        if closed is not None and n % 17 == 0:
            closed = added - timedelta(hours=3)  # recorded closed before it was brought in
        status = rng.choice(CLOSED) if closed is not None else Status.OPEN
        found.append(
            {
                "id": n,
                "workspace_id": WS if n % 29 else "T0OTHER",  # another workspace's never count
                "number": n,
                "title": f"Dispute {n}",
                "status": status.value,
                "stage": rng.choice(STAGES).value,
                "channel_id": "C0DESK",
                "owner_id": "U0ALICE",
                "opened_at": added - timedelta(hours=1),
                "stage_started_at": added,
                "closed_at": closed,
            }
        )
        parties.append(
            {"dispute_id": n, "party_id": party_id, "added_at": added, "first_reply_at": replied}
        )
    return found, parties


def _memberships(rng: random.Random, party_id: int) -> list[dict[str, Any]]:
    return [
        {
            "workspace_id": WS,
            "channel_id": "C0ACME",
            "user_id": f"U0P{rng.randrange(12)}",
            "team_id": "T0ACME",
            "party_id": party_id,
            "event": rng.choice(("joined", "left")),
            "at": rng.choice(NEAR) + timedelta(seconds=rng.randrange(-90 * 86400, 90 * 86400)),
            "event_id": f"Ev{n}",
        }
        for n in range(60)
    ]


async def _reference(
    conn: AsyncConnection,
    *,
    party_id: int,
    start: datetime,
    end: datetime,
    contract: Contract | None,
    calendar: WorkCalendar,
) -> dict[str, Any]:
    """The figures of first replies and closed disputes counted row by row, from datetimes,
    as `audit_figures` counted them before; staff stability over every membership event."""
    support = contract.terms.support_hours if contract is not None else SupportHours.ALWAYS
    joined = sa.join(dispute_parties, disputes, disputes.c.id == dispute_parties.c.dispute_id)
    ours = (disputes.c.workspace_id == WS, dispute_parties.c.party_id == party_id)
    replies = await conn.execute(
        sa.select(dispute_parties.c.added_at, dispute_parties.c.first_reply_at)
        .select_from(joined)
        .where(*ours, dispute_parties.c.first_reply_at >= start)
        .where(dispute_parties.c.first_reply_at < end)
    )
    within, reply_hours = 0, []
    for added_at, replied_at in replies:
        taken = support_hours_between(added_at, replied_at, support, calendar)
        reply_hours.append(taken)
        if contract is not None:
            agreed = contract.terms.response_hours
            within += within_response_time(added_at, replied_at, agreed, taken, support, calendar)
    closed_rows = await conn.execute(
        sa.select(
            disputes.c.status, disputes.c.stage, dispute_parties.c.added_at, disputes.c.closed_at
        )
        .select_from(joined)
        .where(*ours, disputes.c.status.in_([Status.RESOLVED.value, Status.WITHDRAWN.value]))
        .where(disputes.c.closed_at >= start, disputes.c.closed_at < end)
    )
    closed, early, hours, days = 0, 0, [], []
    for status, stage, added_at, closed_at in closed_rows:
        closed += 1
        if status != Status.RESOLVED.value:
            continue
        early += stage in figures_repo.EARLY_STAGES
        hours.append(support_hours_between(added_at, closed_at, support, calendar))
        days.append(max(0, calendar.working_days_between(added_at, closed_at)))
    events = await conn.execute(
        sa.select(
            channel_memberships.c.user_id, channel_memberships.c.event, channel_memberships.c.at
        ).order_by(channel_memberships.c.at, channel_memberships.c.id)
    )
    before = [(user, event, at) for user, event, at in events if at < end]
    in_period = {user for user, _, at in before if at >= start}
    sat_before = {
        user
        for user in {u for u, _, _ in before}
        if [e for u, e, at in before if u == user and at < start][-1:] == ["joined"]
    }
    people = in_period | sat_before
    last = {user: event for user, event, _ in before}
    return {
        "first_replies": len(reply_hours),
        "replies_within": within,
        "reply_hours": tuple(reply_hours),
        "closed": closed,
        "solved_early": early,
        "resolve_hours": tuple(hours),
        "resolve_working_days": tuple(days),
        "people": len(people),
        "leavers": sum(1 for user in people if last[user] == "left"),
    }


@pytest.mark.parametrize("seed", [1, 2])
async def test_the_figures_are_the_row_by_row_count_to_the_last_bit(
    database_url: str, seed: int
) -> None:
    rng = random.Random(seed)
    store = Store.open(database_url)
    try:
        async with store.write() as conn:
            acme = await parties_repo.insert(
                conn,
                workspace_id=WS,
                name="Acme Networks",
                kind=PartyKind.SUPPLIER,
                slack_team="T0ACME",
                now=datetime(2025, 1, 1, tzinfo=UTC),
            )
            found, parties = _rows(rng, acme.id)
            await conn.execute(sa.insert(disputes), found)
            await conn.execute(sa.insert(dispute_parties), parties)
            await conn.execute(sa.insert(channel_memberships), _memberships(rng, acme.id))
        compared = 0
        async with store.read() as conn:
            for calendar in CALENDARS:
                for contract in CONTRACTS:
                    for start, end in PERIODS:
                        kw: dict[str, Any] = {
                            "party_id": acme.id,
                            "start": start,
                            "end": end,
                            "contract": contract,
                            "calendar": calendar,
                        }
                        got = await figures_repo.figures(conn, workspace_id=WS, **kw)
                        want = await _reference(conn, **kw)
                        assert replace(got, ratings=(), complaints=0) == Figures(**want), (
                            calendar,
                            contract,
                            start,
                        )
                        compared += got.first_replies + got.closed
        # The seeded rows reach every case: replies and closings, in and out of the periods.
        assert compared > 1000
    finally:
        await store.engine.dispose()


async def test_the_figures_seek_their_indexes_on_sqlite(sqlite_url: str) -> None:
    """Migration 0026: a period's closed disputes by when they closed, the first replies and
    their disputes' workspace from indexes alone, and the linked complaints and ratings
    checked against the supplier's disputes row by row (no list of all of them built)."""
    store = Store.open(sqlite_url)
    params = {
        "workspace_id": WS,
        "party_id": 1,
        "start": PERIODS[0][0],
        "end": PERIODS[0][1],
        "closed": [Status.RESOLVED.value, Status.WITHDRAWN.value],
    }
    statements = {
        "first_replies": figures_repo._FIRST_REPLIES,
        "closed": figures_repo._CLOSED,
        "ratings": figures_repo._RATINGS,
        "linked": figures_repo._LINKED,
    }
    plan = {}
    try:
        async with store.read() as conn:
            for name, statement in statements.items():
                compiled = statement.plan(conn.dialect, params)
                rows = await conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + compiled.sql, tuple(compiled.arguments(params))
                )
                plan[name] = "\n".join(str(r[-1]) for r in rows)
    finally:
        await store.engine.dispose()
    assert "COVERING INDEX ix_dispute_parties_first_reply" in plan["first_replies"], plan
    assert "COVERING INDEX ix_disputes_id_workspace" in plan["first_replies"], plan
    assert "COVERING INDEX ix_disputes_closed" in plan["closed"], plan
    assert "ix_disputes_workspace_status" not in plan["closed"], plan
    assert "ix_complaints_opened" in plan["linked"], plan
    for name in ("ratings", "linked"):
        assert "LIST SUBQUERY" not in plan[name], (name, plan)


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    from bot.store import normalise_database_url
    from bot.store.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = normalise_database_url(url)
    (command.downgrade if down else command.upgrade)(cfg, revision)


async def test_migration_0026_goes_down_and_up(database_url: str) -> None:
    import asyncio

    async def indexes() -> dict[str, list[str]]:
        store = Store.open(database_url)
        try:
            async with store.read() as conn:
                return await conn.run_sync(
                    lambda sync: {
                        index["name"]: list(index["column_names"])
                        for table in ("disputes", "dispute_parties")
                        for index in sa.inspect(sync).get_indexes(table)
                        if index["name"]
                    }
                )
        finally:
            await store.engine.dispose()

    first_reply = ["party_id", "first_reply_at", "added_at"]
    new = {
        "ix_disputes_closed": ["workspace_id", "closed_at", "status", "stage"],
        "ix_disputes_id_workspace": ["id", "workspace_id"],
        "ix_dispute_parties_first_reply": [*first_reply, "dispute_id"],
    }
    found = await indexes()
    assert {name: found.get(name) for name in new} == new
    await asyncio.to_thread(_migrate, database_url, "0025", down=True)
    found = await indexes()
    assert "ix_disputes_closed" not in found and "ix_disputes_id_workspace" not in found
    assert found["ix_dispute_parties_first_reply"] == first_reply
    await asyncio.to_thread(_migrate, database_url, "head")
    found = await indexes()
    assert {name: found.get(name) for name in new} == new
