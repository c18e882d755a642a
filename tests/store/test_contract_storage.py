"""Contracts in the store, on both engines: a first reply marked late is sealed on the
dispute's record chain like any event, and read back per workspace and per dispute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import parse_config
from bot.domain.calendar import calendar_for
from bot.domain.parties import Person
from bot.store import Store
from bot.store import contracts as repo
from bot.store import disputes as disputes_repo
from bot.workflows import contracts as workflow
from bot.workflows import disputes
from bot.workflows.verify import verify
from tests.slack.contracts_setup import contracts_config

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ALICE = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")


async def test_a_late_first_reply_is_sealed_and_read_back(store: Store) -> None:
    config = parse_config(contracts_config(), Path("tests/company.toml"))
    calendar = calendar_for("CN", "Asia/Shanghai")
    d = await disputes.open_dispute(
        store,
        workspace_id="T0PARLEY",
        channel_id="C0DESK",
        owner=ALICE,
        title="Core outage",
        people=[RAJ],
        config=config,
        calendar=calendar,
        now=NOW,
    )
    (acme,) = d.parties
    async with store.write() as conn:
        on_time = await workflow.mark_late_reply(
            conn,
            dispute_id=d.id,
            party=acme,
            brought_in=NOW,
            replied_at=NOW + timedelta(hours=2),
            config=config,
            calendar=calendar,
        )
        late = await workflow.mark_late_reply(
            conn,
            dispute_id=d.id,
            party=acme,
            brought_in=NOW,
            replied_at=NOW + timedelta(hours=2, seconds=1),
            config=config,
            calendar=calendar,
        )
    assert (on_time, late) == (False, True)
    async with store.read() as conn:
        every = await repo.late_replies(conn)
        mine = await repo.late_replies(conn, workspace_id="T0PARLEY", dispute_id=d.id)
        other = await repo.late_replies(conn, workspace_id="T0OTHER")
        found = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=d.number)
    assert (
        every
        == mine
        == [
            repo.LateReply(
                dispute_number=d.number,
                party="Acme Networks",
                at=NOW + timedelta(hours=2, seconds=1),
                text="ACME-2026-07 · 2 h · 24x7",
            )
        ]
    )
    assert other == []
    assert found is not None and found.chain_head is not None
    verdict = await verify(store, number=d.number)
    assert verdict.holds and verdict.events == 3, verdict  # opened, brought in, late
