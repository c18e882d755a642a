"""Scale: the heavy reads (lists, a long record, the digest, App Home) over a database of
years of business, filled straight through the store."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.customers import ITEMS as CUSTOMER_ITEMS
from benchmarks.customers import measure_figures, measure_item, populate_customers
from benchmarks.harness import SECRET, Sizes, drained, parley_serve, rss_mb, summary
from bot.domain import chain
from bot.domain.names import name_key
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store
from bot.store.disputes_timeline import sealed_row
from bot.store.schema import (
    counters,
    dispute_members,
    dispute_parties,
    dispute_threads,
    disputes,
    parties,
    timeline,
)
from bot.store.schema_audits import channel_memberships


async def populate(database_url: str, sizes: Sizes) -> None:
    """Years of business: disputes with parties and a timeline, D-1 with `show_events` events."""
    store = Store.open(database_url)
    try:
        await store.upgrade()
        # Relative to today: `parley serve` runs on the real clock, and the digest's "new replies
        # since the last digest" must find the latest of them (a fixed date found none a week on).
        now = datetime.now(UTC).replace(microsecond=0)
        async with store.write() as conn:
            party_ids = []
            for name, team in (
                ("Acme Networks", "T0ACME"),
                ("Globex Audit", "T0GLOBEX"),
                ("Initech", "T0INITECH"),
            ):
                result = await conn.execute(
                    sa.insert(parties)
                    .values(
                        workspace_id="T0PARLEY",
                        name=name,
                        name_key=name_key(name),
                        kind="supplier",
                        slack_team=team,
                        created_at=now,
                    )
                    .returning(parties.c.id)
                )
                party_ids.append(result.scalar_one())
            rows = []
            for number in range(1, sizes.disputes + 1):
                opened = now - timedelta(days=number % 900, minutes=number)
                status = "open" if number % 10 < 3 else ("resolved" if number % 2 else "withdrawn")
                closed = None if status == "open" else opened + timedelta(hours=2 + number % 90)
                rows.append(
                    {
                        "id": number,
                        "workspace_id": "T0PARLEY",
                        "number": number,
                        "title": f"Historic dispute {number}",
                        "status": status,
                        "stage": ("coordination", "multi_party", "company_process")[number % 3],
                        "channel_id": "C0DESK",
                        "root_ts": f"{1700000000 + number}.000100",
                        "owner_id": ("U0ALICE", "U0BOB", "U0CAROL")[number % 3],
                        "opened_at": opened,
                        "stage_started_at": opened,
                        "stage_due_at": opened + timedelta(days=3),
                        "closed_at": closed,
                        "legal_hold": False,
                    }
                )
            for start in range(0, len(rows), 2000):
                await conn.execute(sa.insert(disputes), rows[start : start + 2000])
            # Each party brought in when its dispute opened and first replying 20 minutes to
            # 5 hours on: the first replies and closings `/audit open` scores.
            await conn.execute(
                sa.insert(dispute_parties),
                [
                    {
                        "dispute_id": row["id"],
                        "party_id": party_ids[row["id"] % 3],
                        "added_at": row["opened_at"],
                        "first_reply_at": row["opened_at"]
                        + timedelta(minutes=20 + (row["id"] * 37) % 300),
                    }
                    for row in rows
                ],
            )
            await conn.execute(sa.insert(channel_memberships), memberships(party_ids, sizes, now))
            await conn.execute(
                sa.insert(dispute_members),
                [
                    {"dispute_id": n, "user_id": "U0RAJ", "party_id": party_ids[0], "added_at": now}
                    for n in range(1, sizes.disputes + 1, 3)
                ],
            )
            await conn.execute(
                sa.insert(dispute_threads),
                [
                    {
                        "channel_id": "C0DESK",
                        "ts": f"{1700000000 + n}.000100",
                        "dispute_id": n,
                        "kind": "home",
                    }
                    for n in range(1, sizes.disputes + 1)
                ],
            )
            await conn.execute(
                sa.insert(counters).values(
                    workspace_id="T0PARLEY", kind="dispute", value=sizes.disputes
                )
            )
            events = [
                {
                    "dispute_id": 1,
                    "kind": "reply",
                    "at": now - timedelta(minutes=i),
                    "actor_id": "U0RAJ",
                    "party_id": party_ids[0],
                    "text": f"Reply {i} on the big one",
                }
                for i in range(sizes.show_events)
            ]
            rest = sizes.events - sizes.show_events
            events += [
                {
                    "dispute_id": 2 + (i % (sizes.disputes - 1)),
                    "kind": "reply",
                    "at": now - timedelta(minutes=i),
                    "actor_id": "U0RAJ",
                    "party_id": party_ids[i % 3],
                    "text": f"History {i}",
                }
                for i in range(rest)
            ]
            heads = seal(events, sizes.disputes)
            for start in range(0, len(events), 5000):
                await conn.execute(sa.insert(timeline), events[start : start + 5000])
            await conn.execute(
                sa.update(disputes)
                .where(disputes.c.id == sa.bindparam("b_id"))
                .values(chain_head=sa.bindparam("b_head")),
                [{"b_id": n, "b_head": head} for n, head in heads.items()],
            )
            await populate_customers(conn, sizes, party_ids, now)
        if store.dialect == "postgresql":
            async with store.write() as conn:
                for table in ("disputes", "timeline", "complaints", "surveys", "survey_responses"):
                    await conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
    finally:
        await store.close()


def memberships(party_ids: list[int], sizes: Sizes, now: datetime) -> list[dict[str, Any]]:
    """Each supplier's people joining its shared channel over the years and some leaving:
    one person per 250 disputes (40 at the scale size), an eighth of them gone since."""
    people = max(2, sizes.disputes // 250)
    return [
        {
            "workspace_id": "T0PARLEY",
            "channel_id": f"C0SHARED{k}",
            "user_id": f"U{k}{p:06d}S",
            "team_id": None,
            "party_id": party_id,
            "event": "left" if p % 8 == 0 and i else "joined",
            "at": now - timedelta(days=(p * 7) % 900 + 31) + timedelta(days=30 * i),
            "event_id": f"Ev{k}-{p}-{i}",
        }
        for k, party_id in enumerate(party_ids)
        for p in range(people)
        for i in range(2)
    ]


def scale_folder(work: Path) -> Path:
    """Where `parley serve` runs for the scale rows: the audited supplier's contract in its
    parley.toml (`/audit open` scores responsiveness and efficiency against it)."""
    folder = work / "scale"
    folder.mkdir(exist_ok=True)
    (folder / "parley.toml").write_text(AUDIT_CONFIG, encoding="utf-8")
    return folder


AUDIT_CONFIG = """\
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

#: The scale row of `/audit open`: the supplier with a third of the disputes, last quarter.
AUDIT_ITEM = ("/audit open (a supplier's last quarter)", "open Acme Networks last quarter")


def seal(events: list[dict[str, Any]], disputes_count: int) -> dict[int, str]:
    """Each event's hash and prev_hash, chained per dispute in the order they are inserted
    (their row ids), as `add_event` would have written them; each dispute's head."""
    heads: dict[int, str] = {}
    for event in events:
        dispute_id = event["dispute_id"]
        prev = heads.get(dispute_id, chain.GENESIS)
        row = {**_EMPTY_EVENT, **event}
        sealed = sealed_row(row, workspace_id="T0PARLEY", number=dispute_id)
        event["prev_hash"] = prev
        event["hash"] = heads[dispute_id] = chain.seal(sealed, prev)
    assert len(heads) <= disputes_count
    return heads


_EMPTY_EVENT = dict.fromkeys(
    (
        "stage",
        "channel_id",
        "message_ts",
        "previous_text",
        "response_wall_seconds",
        "response_working_seconds",
    )
)


async def measure_scale(
    slack: SlackStandIn, url: str, database_url: str, sizes: Sizes
) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    # Before each item, what Parley owes Slack is delivered: the overdue notices a database
    # of years of business owes at start-up, and what the item before owed (a report's chart
    # is drawn by the outbox), so no item is timed beside another's deliveries.
    await drained(url)
    async with SlackDriver(url, SECRET, slack) as driver:
        for name, text in (
            ("/dispute list", "list"),
            ("/dispute list all", "list all"),
            (f"/dispute show ({sizes.show_events} events)", "show D-1"),
        ):
            await driver.command("/dispute", text, user="U0ALICE", channel="C0DESK")
            samples = []
            for _ in range(sizes.repeats):
                started = time.perf_counter()
                reply = await driver.command("/dispute", text, user="U0ALICE", channel="C0DESK")
                samples.append((time.perf_counter() - started) * 1000)
                assert reply.status == 200, reply.text
            results[name] = summary(samples)
        for name, command, text in CUSTOMER_ITEMS:
            await drained(url)
            await measure_item(driver, command, text)  # warm
            results[name] = summary(
                [await measure_item(driver, command, text) for _ in range(sizes.repeats)]
            )
        await drained(url)
        results.update(await measure_figures(database_url, sizes.repeats))
        await drained(url)
        name, text = AUDIT_ITEM
        samples = []
        for i in range(sizes.repeats + 1):  # the first warms
            started = time.perf_counter()
            reply = await driver.command("/audit", text, user="U0ALICE", channel="C0DESK")
            elapsed = (time.perf_counter() - started) * 1000
            assert reply.status == 200 and "S-" in reply.text, reply.text
            if i:
                samples.append(elapsed)
        results[name] = summary(samples)
        for name, measure in extra_scale_items().items():
            await drained(url)
            samples = []
            for _ in range(sizes.repeats):
                samples.append(await measure(driver, database_url))
            results[name] = summary(samples)
    return results


def extra_scale_items() -> dict[str, Callable[[SlackDriver, str], Awaitable[float]]]:
    """The digest and the App Home, measured when those features are present."""
    items: dict[str, Callable[[SlackDriver, str], Awaitable[float]]] = {}
    with contextlib.suppress(ImportError):
        import bot.commands.home  # noqa: F401

        async def home(driver: SlackDriver, database_url: str) -> float:
            mark = len(driver.slack.calls_to("views.publish"))
            started = time.perf_counter()
            await driver.home_opened("U0ALICE")
            await driver.slack.wait_for("views.publish", count=mark + 1)
            return (time.perf_counter() - started) * 1000

        items["App Home view (views.publish)"] = home
    with contextlib.suppress(ImportError):
        import bot.commands.digests  # noqa: F401

        async def digest(driver: SlackDriver, database_url: str) -> float:
            started = time.perf_counter()
            reply = await driver.command("/digest", "now", user="U0ALICE", channel="C0DESK")
            assert reply.status == 200
            return (time.perf_counter() - started) * 1000

        items["channel digest (/digest now)"] = digest
    return items


async def measure_ten_times(slack: SlackStandIn, work: Path, sizes: Sizes) -> dict[str, Any]:
    """The scale items again at ten times the data, with how long `parley serve` takes to be
    healthy on it and the most memory `parley export` takes to print it all."""
    bigger = replace(
        sizes,
        disputes=sizes.disputes * 10,
        events=sizes.events * 10,
        complaints=sizes.complaints * 10,
        answers=sizes.answers * 10,
    )
    url = f"sqlite:///{work}/ten-times.db"
    started = time.perf_counter()
    await populate(url, bigger)
    populated = time.perf_counter() - started
    started = time.perf_counter()
    async with parley_serve(slack, url, scale_folder(work)) as (events_url, pid):
        healthy = time.perf_counter() - started
        items = await measure_scale(slack, events_url, url, bigger)
        rss = rss_mb(pid)
    export = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "export",
        "--format",
        "json",
        cwd=work,
        env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    started = time.perf_counter()
    export_mb = 0.0
    while export.returncode is None:  # its peak resident size, sampled as it runs
        with contextlib.suppress(OSError, ValueError):
            export_mb = max(export_mb, rss_mb(export.pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(export.wait(), 0.05)
    exported = time.perf_counter() - started
    return {
        "disputes": bigger.disputes,
        "events": bigger.events,
        "populate_seconds": round(populated, 1),
        "healthy_seconds": round(healthy, 2),
        "items": items,
        "serve_rss_mb": rss,
        "export_seconds": round(exported, 1),
        "export_max_rss_mb": round(export_mb, 1),
        "export_ok": export.returncode == 0,
    }
