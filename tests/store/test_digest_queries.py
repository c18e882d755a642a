"""The digest's bounded queries (both engines) against the computations they replaced: every
open dispute, reply and open complaint loaded and ordered, counted and cut in Python. Open
complaints late by either clock, resolved ones, closed ones left out, a deadline at the very
instant, disputes without a deadline, ties in time, a reply placed on another party after
the ack, a person's digest, a shared channel's, a window smaller than what there is, and an
empty workspace. On SQLite, the statements read the indexes of migration 0027, which goes
down and up again with the digest as it was."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.domain.calendar import calendar_for
from bot.domain.complaints import Clock, ComplaintStatus
from bot.domain.disputes import Dispute
from bot.domain.ladder import Stage, Status
from bot.domain.lists import ListScope
from bot.domain.parties import Audience, PartyKind
from bot.domain.timeline import TimelineKind
from bot.store import Store
from bot.store import complaints as complaints_repo
from bot.store import digests as digests_repo
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store import parties as parties_repo
from bot.store.db import MIGRATIONS
from bot.store.prepared import sqlite_connection
from bot.store.schema import complaints as complaints_table
from bot.store.schema import disputes, parties, timeline
from bot.workflows import complaints, digests_complaints, digests_content
from bot.workflows.digests_content import DigestEntry, DigestRequest, Line, Window

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wed 25 Nov 2026 10:00 in Shanghai
WS = "T0PARLEY"
CALENDAR = calendar_for("CN", "Asia/Shanghai")
ACME, GLOBEX = frozenset({"T0ACME"}), frozenset({"T0GLOBEX"})
SHARED = Audience.shared(ACME, "C0ACME")


@dataclass
class Seeded:
    acme: int
    globex: int
    local: int  # a party with no Slack team


async def seed_parties(store: Store) -> Seeded:
    async with store.write() as conn:
        ids = [
            (
                await parties_repo.insert(
                    conn, workspace_id=WS, name=name, kind=kind, slack_team=team, now=NOW
                )
            ).id
            for name, kind, team in (
                ("Acme Networks", PartyKind.CUSTOMER, "T0ACME"),
                ("Globex Audit", PartyKind.CUSTOMER, "T0GLOBEX"),
                ("Local Shop", PartyKind.CUSTOMER, None),
            )
        ]
    return Seeded(*ids)


# ------------------------------------------------------------------------- complaints


async def seed_complaints(store: Store, p: Seeded) -> None:
    """Complaints C-1..C-12 in every state a digest tells apart."""
    hour = timedelta(hours=1)
    # (party, owner, answer due, resolve due, answered, then: "resolve" / "close" / None)
    rows = [
        (p.acme, "U0ALICE", NOW + hour, NOW + 9 * hour, False, None),  # running
        (p.acme, "U0ALICE", NOW - hour, NOW + 9 * hour, False, None),  # answer clock out
        (p.globex, "U0BOB", NOW - 2 * hour, NOW - hour, True, None),  # resolution out
        (p.acme, "U0BOB", NOW - 2 * hour, NOW - hour, True, "resolve"),  # waits: not late
        (p.local, "U0ALICE", NOW - 2 * hour, NOW - hour, False, "resolve"),  # answer late
        (p.acme, "U0ALICE", NOW - 2 * hour, NOW - hour, False, "close"),  # closed: left out
        (p.globex, "U0ALICE", NOW, NOW + hour, False, None),  # due this very instant
        (p.acme, "U0BOB", NOW + hour, NOW, True, None),  # resolution due now: not late
        (p.local, "U0BOB", NOW - hour, NOW + hour, False, None),
        (p.acme, "U0ALICE", NOW + hour, NOW + 2 * hour, True, None),
        (p.globex, "U0ALICE", NOW - hour, NOW - hour, True, None),
        (p.acme, "U0ALICE", NOW + 3 * hour, NOW + 4 * hour, False, None),
    ]
    async with store.write() as conn:
        for number, (party, owner, answer_due, resolve_due, answered, then) in enumerate(
            rows, start=1
        ):
            cid = await complaints_repo.insert(
                conn,
                workspace_id=WS,
                number=number,
                text=f"Complaint {number}",
                party_id=party,
                complainant_id=None,
                owner_id=owner,
                channel_id="C0DESK",
                now=NOW - timedelta(days=1),
                answer_due_at=answer_due,
                resolve_due_at=resolve_due,
            )
            if answered:
                await complaints_repo.set_first_answer(conn, complaint_id=cid, at=NOW - 3 * hour)
            if then is not None:
                await complaints_repo.resolve(
                    conn,
                    complaint_id=cid,
                    round_=0,
                    resolution="done",
                    now=NOW - hour,
                    confirm_due_at=NOW + 5 * hour,
                )
            if then == "close":
                await complaints_repo.answer(
                    conn, complaint_id=cid, round_=1, resolved=True, now=NOW - hour
                )


async def old_open_complaints(
    store: Store, *, owner: str | None, audience: Audience, newest: int
) -> list[tuple[str, bool]]:
    """What the digest computed before: the newest page of open complaints, each one's
    lateness decided in Python, the late ones first."""
    page = await complaints.list_complaints(
        store,
        workspace_id=WS,
        scope=ListScope.MINE if owner else ListScope.OPEN,
        user_id=owner or "",
        audience=audience,
        now=NOW,
        limit=newest,
    )
    marked = [(c.ref, any(c.overdue(k, NOW) for k in Clock)) for c in page.complaints]
    return [m for m in marked if m[1]] + [m for m in marked if not m[1]]


AUDIENCES = [
    pytest.param(None, Audience(), id="internal"),
    pytest.param("U0ALICE", Audience(), id="alice"),
    pytest.param(None, SHARED, id="acme-channel"),
    pytest.param(None, Audience.shared(GLOBEX | {"T0NOBODY"}, "C0G"), id="globex-channel"),
    pytest.param(None, Audience.shared(frozenset(), "C0NONE"), id="no-team"),
]


@pytest.mark.parametrize(("owner", "audience"), AUDIENCES)
async def test_newest_open_complaints_match_the_old_ordering(
    store: Store, owner: str | None, audience: Audience
) -> None:
    await seed_complaints(store, await seed_parties(store))
    for newest in (100, 5, 1):
        old = await old_open_complaints(store, owner=owner, audience=audience, newest=newest)
        for limit in (15, 3, 1):
            new, total = await complaints.newest_open(
                store,
                workspace_id=WS,
                owner=owner,
                audience=audience,
                now=NOW,
                newest=newest,
                limit=limit,
            )
            assert [(c.ref, late) for c, late in new] == old[:limit], (newest, limit)
            assert total == len(old), (newest, limit)
            assert all(c.concerns(audience) and not c.is_closed for c, _ in new)


async def test_the_state_of_the_seeded_complaints_is_what_the_test_says(store: Store) -> None:
    await seed_complaints(store, await seed_parties(store))
    async with store.read() as conn:
        found = await conn.execute(sa.select(complaints_table.c.number, complaints_table.c.status))
        statuses = {number: status for number, status in found.all()}
    assert statuses[4] == statuses[5] == ComplaintStatus.RESOLVED.value
    assert statuses[6] == ComplaintStatus.CLOSED.value
    old = await old_open_complaints(store, owner=None, audience=Audience(), newest=100)
    assert old == [
        ("C-11", True),
        ("C-9", True),
        ("C-5", True),
        ("C-3", True),
        ("C-2", True),
        ("C-12", False),
        ("C-10", False),
        ("C-8", False),
        ("C-7", False),
        ("C-4", False),
        ("C-1", False),
    ]


def old_complaint_line(c: object, late: bool) -> Line:
    from bot.domain.complaints import Complaint

    assert isinstance(c, Complaint)
    return Line(
        DigestEntry(
            c.ref,
            c.text,
            when=c.resolve_due_at if c.first_answer_at else c.answer_due_at,
            when_label="overdue since" if late else "due",
        ),
        (c.party,),
        (c.owner_id,),
    )


@pytest.mark.parametrize(("owner", "audience"), AUDIENCES)
async def test_the_complaints_section_is_the_one_the_digest_and_home_showed(
    store: Store, owner: str | None, audience: Audience
) -> None:
    await seed_complaints(store, await seed_parties(store))
    window = Window(
        workspace_id=WS, audience=audience, member=owner, now=NOW, until=NOW, tz=CALENDAR.tz
    )
    source = next(s for s in digests_content.DIGEST_SOURCES if s.key.value == "complaints")
    assert source.lines is digests_complaints.open_complaints
    for limit in (15, 10, 2):
        page = await complaints.list_complaints(
            store,
            workspace_id=WS,
            scope=ListScope.MINE if owner else ListScope.OPEN,
            user_id=owner or "",
            audience=audience,
            now=NOW,
            limit=digests_complaints.COMPLAINT_LINES,
        )
        marked = [(c, any(c.overdue(k, NOW) for k in Clock)) for c in page.complaints]
        ordered = [m for m in marked if m[1]] + [m for m in marked if not m[1]]
        lines = [old_complaint_line(c, late) for c, late in ordered]
        shown = [line.entry for line in lines if digests_content.shown_to(line, window)]
        section = await digests_content.feature_section(store, source, window, limit)
        assert section.entries == tuple(shown[:limit])
        assert section.total == len(shown)


async def test_no_open_complaint_is_an_empty_count(store: Store) -> None:
    await seed_parties(store)
    found, total = await complaints.newest_open(
        store, workspace_id=WS, owner=None, audience=Audience(), now=NOW, newest=100, limit=15
    )
    assert (found, total) == ([], 0)


# --------------------------------------------------------------------------- disputes


async def seed_disputes(store: Store, p: Seeded) -> dict[int, int]:
    """D-1..D-30: overdue, due later, due this very instant, without a deadline, closed;
    some with Acme, some with Alice in them. Their ids by number."""
    ids = {}
    async with store.write() as conn:
        for number in range(1, 31):
            due: datetime | None = NOW + timedelta(hours=(number % 7) - 3)
            if number % 5 == 0:
                due = None
            elif number % 11 == 0:
                due = NOW
            dispute_id = await disputes_repo.insert(
                conn,
                workspace_id=WS,
                number=number,
                title=f"Dispute {number}",
                channel_id="C0DESK",
                owner_id=("U0ALICE", "U0BOB")[number % 2],
                stage=Stage.COORDINATION,
                now=NOW - timedelta(days=3),
                stage_due_at=due,
            )
            ids[number] = dispute_id
            await disputes_repo.add_party(
                conn, dispute_id=dispute_id, party_id=(p.acme, p.globex)[number % 3 == 0], now=NOW
            )
            if number % 4 == 0:
                await disputes_repo.add_member(
                    conn, dispute_id=dispute_id, user_id="U0ALICE", party_id=None, now=NOW
                )
            if number % 9 == 0:
                await conn.execute(
                    sa.update(disputes)
                    .where(disputes.c.id == dispute_id)
                    .values(status=Status.RESOLVED.value)
                )
    return ids


REQUESTS = [
    pytest.param(None, Audience(), id="internal"),
    pytest.param("U0ALICE", Audience(), id="alice"),
    pytest.param(None, SHARED, id="acme-channel"),
]


@pytest.mark.parametrize(("member", "audience"), REQUESTS)
async def test_the_dispute_sections_are_those_of_every_open_dispute(
    store: Store, member: str | None, audience: Audience
) -> None:
    await seed_disputes(store, await seed_parties(store))
    async with store.read() as conn:
        every, _ = await disputes_repo.find(
            conn,
            workspace_id=WS,
            statuses=[Status.OPEN],
            member=member,
            team_ids=None if audience.internal else audience.team_ids,
        )
    seen = [d for d in every if d.concerns(audience)]
    assert any(d.stage_due_at is None for d in seen) and any(d.stage_due_at == NOW for d in seen)
    for limit in (15, 4, 2, 1):
        old = digests_content.dispute_sections(
            seen, now=NOW, calendar=CALENDAR, personal=member is not None, limit=limit
        )
        request = DigestRequest(
            workspace_id=WS,
            audience=audience,
            member=member,
            now=NOW,
            since=NOW - timedelta(days=1),
            calendar=CALENDAR,
            limit=limit,
        )
        digest = await digests_content.build_digest(store, request)
        for before in old:
            after = digest.section(before.key)
            assert after is not None
            assert after.total == before.total, (limit, before.key)
            assert [(e.ref, e.clock) for e in after.entries] == [
                (e.ref, e.clock) for e in before.entries
            ], (limit, before.key)


async def test_no_open_dispute_is_two_empty_sections(store: Store) -> None:
    await seed_parties(store)
    request = DigestRequest(
        workspace_id=WS, audience=Audience(), now=NOW, since=NOW, calendar=CALENDAR
    )
    digest = await digests_content.build_digest(store, request)
    assert digest.empty and [s.key.value for s in digest.sections[:2]] == ["overdue", "open"]


# ---------------------------------------------------------------------------- replies


async def seed_replies(store: Store, p: Seeded, ids: dict[int, int]) -> None:
    """Replies on D-1..D-12 around the window (NOW-1d, NOW]: at its very edges, ties in time
    across disputes, ours (no party), a reply placed on another party after the ack."""
    start = NOW - timedelta(days=1)
    events: list[tuple[int, TimelineKind, datetime, str, int | None, str]] = []
    for number in range(1, 13):
        party = (p.acme, p.globex)[number % 3 == 0]
        at = start + timedelta(hours=number % 5)  # ties: D-1, D-6, D-11 at the same time
        events.append((number, TimelineKind.REPLY, at, f"U{number % 4}", party, f"{number}.1"))
        events.append((number, TimelineKind.REPLY, at, "U9", party, f"{number}.2"))
    events += [
        (1, TimelineKind.REPLY, start, "U0RAJ", p.acme, "e.1"),  # at `since`: left out
        (2, TimelineKind.REPLY, NOW, "U0RAJ", p.acme, "e.2"),  # at `until`: counted
        (3, TimelineKind.REPLY, NOW + timedelta(seconds=1), "U0RAJ", p.acme, "e.3"),
        (4, TimelineKind.REPLY, NOW - timedelta(hours=2), "U0ALICE", None, "e.4"),  # ours
        (5, TimelineKind.REPLY, NOW - timedelta(hours=3), "U0GRETA", None, "p.5"),
        (5, TimelineKind.PLACED, NOW - timedelta(hours=3), "U0GRETA", p.globex, "p.5"),
        (7, TimelineKind.REPLY, NOW - timedelta(hours=1), "U0RAJ", p.acme, "p.7"),
        (7, TimelineKind.PLACED, NOW - timedelta(hours=1), "U0RAJ", None, "p.7"),  # ours now
        (8, TimelineKind.REPLY, start + timedelta(hours=1), "U0X", p.acme, "p.8"),
        (6, TimelineKind.REPLY, start + timedelta(hours=1), "U0Y", p.acme, "p.6"),
    ]
    for number, kind, at, actor, party, ts in events:
        async with store.write() as conn:
            await timeline_repo.add_event(
                conn,
                dispute_id=ids[number],
                kind=kind,
                at=at,
                actor_id=actor,
                party_id=party,
                text="hi" if kind is TimelineKind.REPLY else None,
                message=("C0DESK", ts),
            )


async def brute_replies(
    store: Store, *, since: datetime, until: datetime, member: str | None, teams: frozenset[str]
) -> tuple[list[int], dict[int, list[tuple[str, int]]]]:
    """Every timeline row read and the digest's new replies worked out in Python: (the
    disputes, latest reply first; who replied on each, in the order of their latest reply)."""
    async with store.read() as conn:
        rows = (
            await conn.execute(
                sa.select(
                    timeline.c.id,
                    timeline.c.dispute_id,
                    timeline.c.kind,
                    timeline.c.at,
                    timeline.c.actor_id,
                    timeline.c.party_id,
                    timeline.c.channel_id,
                    timeline.c.message_ts,
                )
            )
        ).all()
        in_ws, _ = await disputes_repo.find(
            conn,
            workspace_id=WS,
            member=member,
            team_ids=teams or None,
        )
        team_of = dict((await conn.execute(sa.select(parties.c.id, parties.c.slack_team))).all())
    allowed = {d.id for d in in_ws}
    placed = [r for r in rows if r.kind == TimelineKind.PLACED.value]
    current = [
        r
        for r in rows
        if r.kind in (TimelineKind.REPLY.value, TimelineKind.PLACED.value)
        and not any(
            (q.channel_id, q.message_ts, q.dispute_id) == (r.channel_id, r.message_ts, r.dispute_id)
            and q.id > r.id
            for q in placed
        )
        and r.party_id is not None
        and since < r.at <= until
        and r.dispute_id in allowed
        and (not teams or team_of[r.party_id] in teams)
    ]
    latest: dict[int, tuple[datetime, int]] = {}
    for r in current:
        at, rid = latest.get(r.dispute_id, (r.at, r.id))
        latest[r.dispute_id] = (max(at, r.at), max(rid, r.id))
    order = sorted(latest, key=lambda d: latest[d], reverse=True)
    who: dict[int, dict[tuple[str, int], tuple[datetime, int]]] = {}
    for r in current:
        key = (r.actor_id or "", r.party_id)
        at, rid = who.setdefault(r.dispute_id, {}).get(key, (r.at, r.id))
        who[r.dispute_id][key] = (max(at, r.at), max(rid, r.id))
    repliers = {d: sorted(found, key=lambda k: found[k]) for d, found in who.items()}
    return order, repliers


@pytest.mark.parametrize(
    ("member", "teams"),
    [
        pytest.param(None, frozenset(), id="internal"),
        pytest.param("U0ALICE", frozenset(), id="alice"),
        pytest.param(None, ACME, id="acme-channel"),
        pytest.param(None, GLOBEX, id="globex-channel"),
    ],
)
async def test_new_replies_match_every_reply_worked_out_in_python(
    store: Store, member: str | None, teams: frozenset[str]
) -> None:
    p = await seed_parties(store)
    await seed_replies(store, p, await seed_disputes(store, p))
    for since, until in (
        (NOW - timedelta(days=1), NOW),
        (NOW - timedelta(hours=2), NOW),
        (NOW + timedelta(days=1), NOW + timedelta(days=2)),  # nothing in it
    ):
        order, who = await brute_replies(
            store, since=since, until=until, member=member, teams=teams
        )
        for limit in (15, 3, 1):
            async with store.read() as conn:
                shown, total = await digests_repo.replied_disputes(
                    conn,
                    workspace_id=WS,
                    since=since,
                    until=until,
                    member=member,
                    team_ids=teams or None,
                    limit=limit,
                )
                found = await digests_repo.repliers(
                    conn, dispute_ids=shown, since=since, until=until, team_ids=teams or None
                )
            assert shown == order[:limit], (since, limit)
            assert total == len(order), (since, limit)
            assert found == {d: who[d] for d in shown}, (since, limit)


# ------------------------------------------------------------------------- the indexes


@pytest.fixture
async def sqlite_store(sqlite_url: str) -> AsyncIterator[Store]:
    s = Store.open(sqlite_url)
    await s.upgrade()
    yield s
    await s.close()


async def test_the_digest_reads_the_indexes_of_migration_0027_on_sqlite(
    sqlite_store: Store,
) -> None:
    """EXPLAIN QUERY PLAN of the very statements sent (with their values)."""
    p = await seed_parties(sqlite_store)
    await seed_replies(sqlite_store, p, await seed_disputes(sqlite_store, p))
    sent: list[str] = []
    plans: dict[str, str] = {}
    async with sqlite_store.read() as conn:
        raw = sqlite_connection(conn)
        assert raw is not None

        async def plan_of(name: str, query: object) -> None:
            sent.clear()
            raw.set_trace_callback(sent.append)
            try:
                await query  # type: ignore[misc]
            finally:
                raw.set_trace_callback(None)
            found = [
                " ".join(str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + sql))
                for sql in sent
                if sql.lstrip().upper().startswith("SELECT")
            ]
            plans[name] = found[0]

        common = {"workspace_id": WS, "statuses": [Status.OPEN], "limit": 1, "by_due": True}
        # The first statement a find sends is its page: a count and the parties follow.
        await plan_of("later", disputes_repo.find(conn, due_from=NOW, **common))
        await plan_of("undated", disputes_repo.find(conn, undated=True, **common))
        await plan_of(
            "replies",
            digests_repo.replied_disputes(
                conn,
                workspace_id=WS,
                since=NOW - timedelta(days=1),
                until=NOW,
                member=None,
                team_ids=None,
                limit=15,
            ),
        )
        sent.clear()
        raw.set_trace_callback(sent.append)
        try:
            await disputes_repo.find(conn, due_before=NOW, **common)  # a full page: counted
        finally:
            raw.set_trace_callback(None)
        count = next(sql for sql in sent if "count(*)" in sql)
        plans["overdue_count"] = " ".join(
            str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + count)
        )
    assert "COVERING INDEX ix_disputes_workspace_due" in plans["overdue_count"], plans
    assert "ix_disputes_workspace_due" in plans["later"], plans
    assert "TEMP B-TREE FOR ORDER BY" not in plans["later"], plans
    assert "ix_disputes_workspace_due" in plans["undated"], plans
    assert "TEMP B-TREE FOR ORDER BY" not in plans["undated"], plans
    assert "COVERING INDEX ix_timeline_kind_at_replies" in plans["replies"], plans


def test_the_digest_sources_and_the_home_share_the_complaints_lines() -> None:
    home = next(s for s in digests_content.HOME_SOURCES if s.key.value == "complaints")
    assert home.lines is digests_complaints.open_complaints


async def test_a_dispute_of_the_page_is_loaded_whole(store: Store) -> None:
    ids = await seed_disputes(store, await seed_parties(store))
    async with store.read() as conn:
        page, _ = await disputes_repo.find(
            conn, workspace_id=WS, statuses=[Status.OPEN], undated=True, limit=2, by_due=True
        )
        again = {d.id: d for d in await disputes_repo.by_ids(conn, ids=[d.id for d in page])}
    assert [d.number for d in page] == [30, 25]
    assert all(isinstance(d, Dispute) and again[d.id] == d for d in page)
    assert {ids[30], ids[25]} == {d.id for d in page}


def _index_names(conn: sa.Connection) -> set[str]:
    inspector = sa.inspect(conn)
    return {
        str(ix["name"])
        for table in ("disputes", "timeline", "surveys")
        for ix in inspector.get_indexes(table)
    }


async def test_migration_0027_goes_down_and_up_with_the_digest_unchanged(store: Store) -> None:
    p = await seed_parties(store)
    await seed_replies(store, p, await seed_disputes(store, p))
    await seed_complaints(store, p)
    request = DigestRequest(
        workspace_id=WS,
        audience=Audience(),
        now=NOW,
        since=NOW - timedelta(days=1),
        calendar=CALENDAR,
        limit=3,
    )
    before = await digests_content.build_digest(store, request)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = store.url
    await asyncio.to_thread(command.downgrade, config, "0025")
    async with store.read() as conn:
        names = await conn.run_sync(_index_names)
    assert "ix_timeline_kind_at" in names
    assert not names & {"ix_disputes_workspace_due", "ix_timeline_kind_at_replies"}
    await store.upgrade()
    async with store.read() as conn:
        names = await conn.run_sync(_index_names)
    assert "ix_timeline_kind_at" not in names
    assert {"ix_disputes_workspace_due", "ix_timeline_kind_at_replies"} <= names
    assert {"ix_surveys_workspace_kind_status", "ix_surveys_workspace_kind_closed"} <= names
    assert await digests_content.build_digest(store, request) == before
    assert not before.empty
