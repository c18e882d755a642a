"""`/complaint list`'s page and count on both engines: the count read from the index of statuses
alone, the statuses not closed named one by one and a shared channel's parties picked by their
ids rather than joined (`bot/store/complaints.py: find`), is the count of every matching row,
for each scope, owner, shared channel (its own party, two teams, a team with no party) and page
size, over complaints of three parties, two owners, every status, overdue or not, and another
workspace's; the page is the newest matching ones; and on SQLite the count reads no row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.complaints import ComplaintStatus
from bot.domain.lists import ListScope
from bot.domain.parties import Audience, PartyKind
from bot.store import Store
from bot.store import complaints as repo
from bot.store import parties as parties_repo
from bot.store.schema import complaints, parties
from bot.workflows.complaints import list_complaints

WS = "T0PARLEY"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
AUDIENCES = (
    Audience(),
    Audience.shared(frozenset({"T0CONTOSO"})),
    Audience.shared(frozenset({"T0CONTOSO", "T0INITECH"})),
    Audience.shared(frozenset({"T0NOBODY"})),
)


async def seed(store: Store) -> None:
    """Complaints 1-90 of three parties (one with no Slack team), opened a day apart; their
    statuses, owners and clocks varied; and five of another workspace."""
    async with store.write() as conn:
        ids = [
            (
                await parties_repo.insert(
                    conn,
                    workspace_id=WS,
                    name=name,
                    kind=PartyKind.CUSTOMER,
                    slack_team=team,
                    now=NOW,
                )
            ).id
            for name, team in (
                ("Contoso Retail", "T0CONTOSO"),
                ("Initech 中国", "T0INITECH"),
                ("Walk-in", None),
            )
        ]
        rows = []
        for n in range(1, 96):
            opened = NOW - timedelta(days=96 - n)
            status = list(ComplaintStatus)[n * 7 % 3]
            rows.append(
                {
                    "workspace_id": WS if n <= 90 else "T0OTHER",
                    "number": n if n <= 90 else n - 90,
                    "text": f"Complaint {n}",
                    "party_id": ids[n % 3 if n % 11 else 0],
                    "owner_id": "U0ALICE" if n % 4 else "U0BOB",
                    "channel_id": "C0DESK",
                    "status": status.value,
                    "opened_at": opened,
                    "answer_due_at": opened + timedelta(days=1 + n % 5 * 20),
                    "resolve_due_at": opened + timedelta(days=7 + n % 6 * 20),
                    "first_answer_at": opened + timedelta(hours=3) if n % 3 else None,
                    "closed_at": opened + timedelta(days=2) if status.value == "closed" else None,
                    "round": 0,
                }
            )
        await conn.execute(sa.insert(complaints), rows)


async def every_row(store: Store, *, scope: ListScope, owner: str, audience: Audience) -> list[int]:
    """The numbers of the complaints the list shows, newest first, from every row."""
    async with store.read() as conn:
        found = (
            await conn.execute(
                sa.select(complaints, parties.c.slack_team).join(
                    parties, parties.c.id == complaints.c.party_id
                )
            )
        ).mappings()
        rows = list(found)

    def shown(r: Any) -> bool:
        overdue = r["status"] != "closed" and (
            (r["first_answer_at"] is None and r["answer_due_at"] < NOW)
            or (r["status"] == "open" and r["resolve_due_at"] < NOW)
        )
        return (
            r["workspace_id"] == WS
            and (scope is ListScope.ALL or r["status"] != "closed")
            and (scope is not ListScope.MINE or r["owner_id"] == owner)
            and (scope is not ListScope.OVERDUE or overdue)
            and (audience.internal or r["slack_team"] in audience.team_ids)
        )

    return sorted((r["number"] for r in rows if shown(r)), reverse=True)


@pytest.mark.parametrize("limit", [1, 7, 25, 200])
async def test_the_page_and_count_are_those_of_every_row(store: Store, limit: int) -> None:
    await seed(store)
    for scope in ListScope:
        for owner in ("U0ALICE", "U0BOB"):
            for audience in AUDIENCES:
                page = await list_complaints(
                    store,
                    workspace_id=WS,
                    scope=scope,
                    user_id=owner,
                    audience=audience,
                    now=NOW,
                    limit=limit,
                )
                expected = await every_row(store, scope=scope, owner=owner, audience=audience)
                assert page.total == len(expected), (scope, owner, audience)
                assert [c.number for c in page.complaints] == expected[:limit], (scope, audience)


async def test_sqlite_counts_the_open_ones_from_the_status_index_alone(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    await store.upgrade()
    try:
        await seed(store)
        sent: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            sent.append((statement, parameters))

        plans = []
        async with store.read() as conn:
            for teams in (None, frozenset({"T0CONTOSO", "T0INITECH"})):
                sent.clear()
                sa.event.listen(store.engine.sync_engine, "before_cursor_execute", capture)
                try:
                    await repo.find(
                        conn,
                        workspace_id=WS,
                        open_only=True,
                        owner=None,
                        overdue_at=None,
                        party_teams=teams,
                        limit=2,
                    )
                finally:
                    sa.event.remove(store.engine.sync_engine, "before_cursor_execute", capture)
                statement, parameters = next(s for s in sent if "count(*)" in s[0])
                rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                plans.append("\n".join(str(r[-1]) for r in rows))
    finally:
        await store.close()
    every_party, shared = plans
    assert "COVERING INDEX ix_complaints_workspace_status" in every_party, every_party
    assert "parties" not in every_party, every_party
    assert "ix_complaints_workspace_status" in shared, shared
