"""The customer's voice at scale: complaints, periodic surveys with their invitations and
answers (some replaced), and praise, written straight through the store beside the scale
database's disputes; and the rows that read them (`/complaint list`, `/report satisfaction`)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.harness import SECRET, Sizes, summary
from bot.domain.calendar import calendar_for
from bot.domain.complaints import close_days
from bot.domain.reports import split_party_and_period
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store, survey_tallies
from bot.store import parties as parties_repo
from bot.store.schema import complaints, counters
from bot.store.schema_praise import praise
from bot.store.schema_surveys import survey_invitations, survey_ratings, survey_responses, surveys
from bot.workflows.reports import satisfaction_figures

QUESTIONS = ["Quality of service", "Responsiveness", "Attitude", "Communication", "Overall"]
ANSWERS_PER_SURVEY = 100
CHUNK = 5000

# The scale rows these records are read by over HTTP: (name, command, text). Asking for a
# report is answered at once (its party and period checked); the outbox makes its figures,
# timed apart in FIGURES.
ITEMS = (
    ("/complaint list", "/complaint", "list"),
    ("/report satisfaction (the answer)", "/report", "satisfaction"),
)
# The report's figures as its deliverer makes them (the store's sums): (name, party, period).
FIGURES = (
    ("/report satisfaction figures (every party, this year)", None, "this year"),
    ("/report satisfaction figures (a party, last quarter)", "Initech", "last quarter"),
)


async def _chunked(
    conn: AsyncConnection, table: sa.Table, rows: Sequence[dict[str, object]]
) -> None:
    for start in range(0, len(rows), CHUNK):
        await conn.execute(sa.insert(table), rows[start : start + CHUNK])


async def populate_customers(
    conn: AsyncConnection, sizes: Sizes, party_ids: Sequence[int], now: datetime
) -> None:
    """`sizes.complaints` complaints over two and a half years (most closed), surveys of
    `ANSWERS_PER_SURVEY` answers each up to `sizes.answers` answers, and some praise."""
    calendar = calendar_for("CN", "Asia/Shanghai")  # the calendar the figures are made with
    rows = []
    for n in range(1, sizes.complaints + 1):
        opened = now - timedelta(days=n % 900, minutes=n)
        state = n % 10
        closed = opened + timedelta(days=1 + n % 12) if state >= 3 else None
        rows.append(
            {
                "id": n,
                "workspace_id": "T0PARLEY",
                "number": n,
                "text": f"Complaint {n}",
                "party_id": party_ids[n % len(party_ids)],
                "owner_id": "U0ALICE",
                "channel_id": "C0DESK",
                "status": "closed" if closed else ("open" if state < 2 else "resolved"),
                "opened_at": opened,
                "answer_due_at": opened + timedelta(days=1),
                "resolve_due_at": opened + timedelta(days=7),
                "first_answer_at": opened + timedelta(hours=3),
                "resolved_at": closed,
                "closed_at": closed,
                "closed_by": "confirmed" if closed else None,
                # Kept as the bot keeps it when a complaint closes (migration 0024).
                "close_days": close_days(calendar, opened, closed) if closed else None,
                "round": 1 if closed else 0,
            }
        )
    await _chunked(conn, complaints, rows)
    count = max(1, sizes.answers // ANSWERS_PER_SURVEY)
    survey_rows, invitations, responses, ratings = [], [], [], []
    response_id = 0
    for s in range(1, count + 1):
        opened = now - timedelta(days=(s * 7) % 900, hours=s)
        survey_rows.append(
            {
                "id": s,
                "workspace_id": "T0PARLEY",
                "number": s,
                "kind": "periodic",
                "party_id": party_ids[s % len(party_ids)],
                "title": f"Survey {s}",
                "questions": json.dumps(QUESTIONS),
                "channel_id": "C0DESK",
                "status": "closed",
                "opened_at": opened,
                "closes_at": opened + timedelta(days=7),
                "closed_at": opened + timedelta(days=7),
            }
        )
        for p in range(ANSWERS_PER_SURVEY + 20):  # a sixth of those asked never answer
            user = f"U{p:08d}"
            invitations.append(
                {"survey_id": s, "user_id": user, "workspace_id": "T0PARLEY", "asked_at": opened}
            )
            if p >= ANSWERS_PER_SURVEY:
                continue
            response_id += 1
            at = opened + timedelta(hours=1 + p)
            responses.append(
                {
                    "id": response_id,
                    "survey_id": s,
                    "respondent_id": user,
                    "party_id": party_ids[s % len(party_ids)],
                    "at": at,
                    "comment": "Fine" if p % 5 == 0 else None,
                    # every tenth answer was replaced (its replacement is not written: the
                    # report counts only current answers, so fewer rows but the same reading)
                    "replaced_at": at + timedelta(minutes=5) if p % 10 == 9 else None,
                }
            )
            ratings.extend(
                {"response_id": response_id, "question": q, "rating": 1 + (p + q + s) % 5}
                for q in range(len(QUESTIONS))
            )
    await _chunked(conn, surveys, survey_rows)
    await _chunked(conn, survey_invitations, invitations)
    await _chunked(conn, survey_responses, responses)
    await _chunked(conn, survey_ratings, ratings)
    await survey_tallies.rebuild(conn)  # as `record_answer` would have kept them
    await _chunked(
        conn,
        praise,
        [
            {
                "workspace_id": "T0PARLEY",
                "number": n,
                "praiser_id": "U0RAJ",
                "praiser_internal": False,
                "party_id": party_ids[n % len(party_ids)],
                "text": f"Praise {n}",
                "at": now - timedelta(days=n % 900),
                "recorded_by": "U0ALICE",
                "channel_id": "C0DESK",
                "source": "command",
            }
            for n in range(1, sizes.complaints // 10 + 1)
        ],
    )
    await conn.execute(
        sa.insert(counters),
        [
            {"workspace_id": "T0PARLEY", "kind": "complaint", "value": sizes.complaints},
            {"workspace_id": "T0PARLEY", "kind": "survey", "value": count},
            {"workspace_id": "T0PARLEY", "kind": "praise", "value": sizes.complaints // 10},
        ],
    )


async def measure_customers(
    slack: SlackStandIn, url: str, database_url: str, sizes: Sizes
) -> dict[str, dict[str, float]]:
    """`--only reports`: the customer rows alone, on a scale database already served."""
    results = await measure_figures(database_url, sizes.repeats)
    async with SlackDriver(url, SECRET, slack) as driver:
        for name, command, text in ITEMS:
            await measure_item(driver, command, text)  # warm
            results[name] = summary(
                [await measure_item(driver, command, text) for _ in range(sizes.repeats)]
            )
    return results


async def measure_item(driver: SlackDriver, command: str, text: str) -> float:
    """One request's time to its answer, in ms."""
    started = time.perf_counter()
    reply = await driver.command(command, text, user="U0ALICE", channel="C0DESK")
    elapsed = (time.perf_counter() - started) * 1000
    assert reply.status == 200, reply.text
    return elapsed


async def measure_figures(database_url: str, repeats: int) -> dict[str, dict[str, float]]:
    """The satisfaction figures made as the deliverer makes them, on the served database."""
    calendar = calendar_for("CN", "Asia/Shanghai")
    store = Store.open(database_url)
    results: dict[str, dict[str, float]] = {}
    try:
        now = datetime.now(UTC)
        for name, party_name, words in FIGURES:
            party_id = None
            if party_name is not None:
                async with store.read() as conn:
                    party = await parties_repo.by_name(
                        conn, workspace_id="T0PARLEY", name=party_name
                    )
                assert party is not None
                party_id = party.id
            period = split_party_and_period(words, today=calendar.local_date(now)).period
            samples = []
            for i in range(repeats + 1):
                started = time.perf_counter()
                await satisfaction_figures(
                    store,
                    workspace_id="T0PARLEY",
                    party_id=party_id,
                    period=period,
                    calendar=calendar,
                    now=now,
                )
                if i:  # the first warms the caches
                    samples.append((time.perf_counter() - started) * 1000)
            results[name] = summary(samples)
    finally:
        await store.close()
    return results
