"""Supplier audits at scale: one supplier with `sizes.audit_disputes` disputes and
`sizes.audit_events` timeline events in last quarter (its replies), with first replies,
closings, membership events and case-survey answers, written straight through the store into
a database of its own; then `/audit open` over HTTP against `parley serve`, and the scorecard's
computation alone (the workflow, as the command runs it)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.harness import SECRET, Sizes, parley_serve, summary
from bot.config import parse_config
from bot.domain.calendar import calendar_for
from bot.domain.names import name_key
from bot.domain.parties import Person
from bot.domain.reports import split_party_and_period
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store
from bot.store.schema import counters, dispute_parties, disputes, parties, timeline
from bot.store.schema_audits import channel_memberships
from bot.workflows.audits import open_scorecard

CHUNK = 5000
PEOPLE = 40  # the supplier's people who answer
CONFIG = """\
[calendar]
timezone = "Asia/Shanghai"
holidays = "CN"

[parties."Acme Networks"]
kind = "supplier"
slack_team = "T0ACME"

[parties."Acme Networks".contract]
reference = "ACME-2026-07"
owner = "U0CAROL"
response_hours = 2
resolution_hours = 12
availability = 99.9
support_hours = "5x8"
valid_until = 2030-06-30
"""


def last_quarter(now: datetime) -> tuple[datetime, datetime]:
    calendar = calendar_for("CN", "Asia/Shanghai")
    period = split_party_and_period("last quarter", today=calendar.local_date(now)).period
    return period.bounds(calendar.tz)


async def _chunked(conn: Any, table: sa.Table, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await conn.execute(sa.insert(table), rows[start : start + CHUNK])


async def populate_audits(database_url: str, sizes: Sizes) -> None:
    """The supplier's quarter: its disputes (most resolved, some in each stage), its people's
    replies spread over them, first replies some late, joins and leaves of its channel."""
    store = Store.open(database_url)
    now = datetime.now(UTC).replace(microsecond=0)
    start, end = last_quarter(now)
    span = (end - start).total_seconds()
    try:
        await store.upgrade()
        async with store.write() as conn:
            party_id = (
                await conn.execute(
                    sa.insert(parties)
                    .values(
                        workspace_id="T0PARLEY",
                        name="Acme Networks",
                        name_key=name_key("Acme Networks"),
                        kind="supplier",
                        slack_team="T0ACME",
                        created_at=start,
                    )
                    .returning(parties.c.id)
                )
            ).scalar_one()
            rows, joined, events = [], [], []
            count = sizes.audit_disputes
            per = max(1, sizes.audit_events // count)
            stages = ("coordination", "multi_party", "company_process")
            for n in range(1, count + 1):
                opened = start + timedelta(seconds=span * (n - 1) / count * 0.9)
                status = "open" if n % 10 == 0 else ("withdrawn" if n % 17 == 0 else "resolved")
                closed = opened + timedelta(hours=2 + n % 90) if status != "open" else None
                rows.append(
                    {
                        "id": n,
                        "workspace_id": "T0PARLEY",
                        "number": n,
                        "title": f"Incident {n}",
                        "status": status,
                        "stage": stages[n % 3],
                        "channel_id": "C0ACME",
                        "owner_id": "U0ALICE",
                        "opened_at": opened,
                        "stage_started_at": opened,
                        "closed_at": closed,
                    }
                )
                joined.append(
                    {
                        "dispute_id": n,
                        "party_id": party_id,
                        "added_at": opened,
                        "first_reply_at": opened + timedelta(minutes=20 + (n * 37) % 300),
                    }
                )
                for e in range(per):
                    events.append(
                        {
                            "dispute_id": n,
                            "kind": "reply",
                            "at": opened + timedelta(minutes=20 + e * 7),
                            "actor_id": f"U{(n + e) % PEOPLE:07d}A",
                            "party_id": party_id,
                            "text": "on it",
                        }
                    )
            await _chunked(conn, disputes, rows)
            await _chunked(conn, dispute_parties, joined)
            await _chunked(conn, timeline, events)
            await _chunked(
                conn,
                channel_memberships,
                [
                    {
                        "workspace_id": "T0PARLEY",
                        "channel_id": "C0ACME",
                        "user_id": f"U{p:07d}A",
                        "team_id": "T0ACME",
                        "party_id": party_id,
                        "event": "left" if p % 8 == 0 and i else "joined",
                        "at": start + timedelta(days=p + 40 * i),
                        "event_id": f"Ev{p}-{i}",
                    }
                    for p in range(PEOPLE)
                    for i in range(2)
                ],
            )
            await conn.execute(
                sa.insert(counters).values(workspace_id="T0PARLEY", kind="dispute", value=count)
            )
    finally:
        await store.close()


async def measure_audits(work: Path, database_url: str, sizes: Sizes) -> dict[str, Any]:
    """`--only audits`: the populated database served, `/audit open` timed over HTTP, then
    the computation alone."""
    (work / "parley.toml").write_text(CONFIG, encoding="utf-8")
    started = time.perf_counter()
    await populate_audits(database_url, sizes)
    results: dict[str, Any] = {"populate_seconds": time.perf_counter() - started}
    async with (
        SlackStandIn() as slack,
        parley_serve(slack, database_url, work) as (url, _),
        SlackDriver(url, SECRET, slack) as driver,
    ):
        samples = []
        for i in range(sizes.repeats + 1):
            began = time.perf_counter()
            reply = await driver.command(
                "/audit", "open Acme Networks last quarter", user="U0ALICE", channel="C0DESK"
            )
            elapsed = (time.perf_counter() - began) * 1000
            assert reply.status == 200 and "S-" in reply.text, reply.text
            if i:
                samples.append(elapsed)
        results["/audit open (over HTTP)"] = summary(samples)
    config = parse_config(CONFIG, work / "parley.toml")
    store = Store.open(database_url)
    try:
        calendar = calendar_for("CN", "Asia/Shanghai")
        auditor = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")
        samples = []
        for i in range(sizes.repeats + 1):
            began = time.perf_counter()
            card = await open_scorecard(
                store,
                workspace_id="T0PARLEY",
                auditor=auditor,
                text="Acme Networks last quarter",
                config=config,
                calendar=calendar,
                now=datetime.now(UTC),
            )
            if i:
                samples.append((time.perf_counter() - began) * 1000)
        results["scorecard computed (the workflow alone)"] = summary(samples)
        results["figures"] = {d.dimension.value: d.score for d in card.dimensions}
    finally:
        await store.close()
    return results
