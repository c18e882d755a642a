"""The complaints workflow and its repository on both engines: opening one for a customer,
the answer to a resolution taken once even when two race, the clocks claimed once, silence
closing it, and a refusal leaving the data as it was."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.config import ParleyConfig, parse_config
from bot.domain.calendar import calendar_for
from bot.domain.complaints import Clock, ClosedBy, ComplaintStatus, EventKind
from bot.domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from bot.domain.lists import ListScope
from bot.domain.parties import Audience, Person
from bot.store import Store
from bot.store import complaints as repo
from bot.store.schema import complaints as complaints_table
from bot.store.schema import outbox
from bot.workflows import complaints, complaints_clocks
from tests.conftest import COMPANY_CONFIG, snapshot
from tests.saying import raises_saying

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Mon 23 Nov 2026 10:00 in Shanghai
WS = "T0PARLEY"
ALICE = Person(user_id="U0ALICE", team_id=WS, name="alice")
GRETA = Person(user_id="U0GRETA", team_id="T0GLOBEX", name="greta", team_name="Globex Audit")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")
CALENDAR = calendar_for("CN", "Asia/Shanghai")


@pytest.fixture
def config() -> ParleyConfig:
    text = COMPANY_CONFIG.replace(
        'kind = "third_party"\nslack_team = "T0GLOBEX"',
        'kind = "customer"\nslack_team = "T0GLOBEX"',
    )
    return parse_config(text + "\n[complaints]\nconfirm_within = 2\n", Path("t.toml"))


async def opened(store: Store, config: ParleyConfig, *, now: datetime = NOW) -> int:
    found = await complaints.open_complaint(
        store,
        workspace_id=WS,
        channel_id="C0DESK",
        owner=ALICE,
        text="The report is late",
        people=[GRETA],
        channel_teams=None,
        config=config,
        calendar=CALENDAR,
        now=now,
    )
    return found.number


async def kept_days(store: Store, number: int) -> int | None:
    """The working days to close kept in the complaint's row (`close_days`)."""
    async with store.read() as conn:
        found = await conn.execute(
            sa.select(complaints_table.c.close_days).where(complaints_table.c.number == number)
        )
        return found.scalar_one()


async def test_open_resolve_answer_and_the_record(store: Store, config: ParleyConfig) -> None:
    number = await opened(store, config)
    async with store.read() as conn:
        found = await repo.get(conn, workspace_id=WS, number=number)
    assert found is not None and found.ref == "C-1"
    assert found.answer_due_at == CALENDAR.add_working_days(NOW, 1)
    assert found.party.name == "Globex Audit" and found.complainant_id == "U0GRETA"
    resolved = await complaints.resolve(
        store,
        workspace_id=WS,
        number=1,
        actor=ALICE,
        text="Resent",
        config=config,
        calendar=CALENDAR,
        now=NOW + timedelta(hours=1),
    )
    assert (resolved.status, resolved.round) == (ComplaintStatus.RESOLVED, 1)
    assert resolved.confirm_due_at == CALENDAR.add_working_days(NOW + timedelta(hours=1), 2)
    before = await snapshot(store)
    with raises_saying(NotAllowed, "Only Globex Audit, whose complaint C-1 is"):
        await complaints.answer(
            store,
            calendar=CALENDAR,
            workspace_id=WS,
            number=1,
            round_=1,
            resolved=True,
            actor=ALICE,
            now=NOW,
        )
    with raises_saying(NotFound, "There is no complaint C-1"):
        await complaints.answer(
            store,
            calendar=CALENDAR,
            workspace_id=WS,
            number=1,
            round_=1,
            resolved=True,
            actor=RAJ,
            now=NOW,
        )
    with raises_saying(InvalidInput, "has had its answer"):
        await complaints.answer(
            store,
            calendar=CALENDAR,
            workspace_id=WS,
            number=1,
            round_=2,
            resolved=True,
            actor=GRETA,
            now=NOW,
        )
    assert await snapshot(store) == before
    closed = await complaints.answer(
        store,
        calendar=CALENDAR,
        workspace_id=WS,
        number=1,
        round_=1,
        resolved=True,
        actor=GRETA,
        now=NOW + timedelta(days=2),
    )
    assert (closed.status, closed.closed_by) == (ComplaintStatus.CLOSED, ClosedBy.CONFIRMED)
    # Mon 10:00 to Wed 10:00 in Shanghai: two working days, kept in its row for the report.
    assert await kept_days(store, 1) == 2
    page = await complaints.list_complaints(
        store,
        workspace_id=WS,
        scope=ListScope.ALL,
        user_id="U0ALICE",
        audience=Audience.shared(frozenset({"T0ACME"})),
        now=NOW,
    )
    assert page.complaints == [] and page.total == 0  # Acme's channel sees none of Globex's


async def test_two_answers_racing_are_taken_once(store: Store, config: ParleyConfig) -> None:
    await opened(store, config)
    await complaints.resolve(
        store,
        workspace_id=WS,
        number=1,
        actor=ALICE,
        text="Resent",
        config=config,
        calendar=CALENDAR,
        now=NOW,
    )
    results = await asyncio.gather(
        *(
            complaints.answer(
                store,
                calendar=CALENDAR,
                workspace_id=WS,
                number=1,
                round_=1,
                resolved=yes,
                actor=GRETA,
                now=NOW,
            )
            for yes in (True, False)
        ),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == "complaint.answered"
    async with store.read() as conn:
        kinds = [e.kind for e in await repo.events(conn, complaint_id=1)]
    assert kinds.count(EventKind.CONFIRMED) + kinds.count(EventKind.NOT_RESOLVED) == 1


async def test_clocks_are_claimed_once_and_silence_closes_it(
    store: Store, config: ParleyConfig
) -> None:
    await opened(store, config)
    later = NOW + timedelta(days=8)
    first = await complaints_clocks.claim_overdue(store, now=later)
    assert sorted(r.clock for r in first if r.clock) == [Clock.ANSWER, Clock.RESOLUTION]
    assert await complaints_clocks.claim_overdue(store, now=later + timedelta(days=1)) == []
    await complaints.resolve(
        store,
        workspace_id=WS,
        number=1,
        actor=ALICE,
        text="Resent",
        config=config,
        calendar=CALENDAR,
        now=later,
    )
    assert (
        await complaints_clocks.close_silent(
            store, now=later + timedelta(days=1), config=config, calendar=CALENDAR
        )
        == []
    )
    closed = await complaints_clocks.close_silent(
        store, now=later + timedelta(days=5), config=config, calendar=CALENDAR
    )
    assert [r.complaint.ref for r in closed] == ["C-1"]
    assert (
        await complaints_clocks.close_silent(
            store, now=later + timedelta(days=6), config=config, calendar=CALENDAR
        )
        == []
    )
    async with store.read() as conn:
        found = await repo.get(conn, workspace_id=WS, number=1)
        owed = list((await conn.execute(sa.select(outbox.c.kind))).scalars())
    assert found is not None and found.closed_by is ClosedBy.SILENCE
    # Mon 23 Nov 10:00 to Sun 6 Dec 10:00: the 9th working day after is Fri 4 Dec.
    assert await kept_days(store, 1) == 9
    assert owed.count("complaint.closed") == 1
    assert owed.count("complaint.overdue_dm") == 2  # one for each clock


async def test_a_supplier_is_refused_and_nothing_is_written(
    store: Store, config: ParleyConfig
) -> None:
    before = await snapshot(store)
    with raises_saying(InvalidInput, "Acme Networks is a supplier, not a customer"):
        await complaints.open_complaint(
            store,
            workspace_id=WS,
            channel_id="C0DESK",
            owner=ALICE,
            text="Late",
            people=[RAJ],
            channel_teams=None,
            config=config,
            calendar=CALENDAR,
            now=NOW,
        )
    with raises_saying(NotAllowed, "Only members of the workspace"):
        await complaints.open_complaint(
            store,
            workspace_id=WS,
            channel_id="C0DESK",
            owner=GRETA,
            text="Late",
            people=[],
            channel_teams=None,
            config=config,
            calendar=CALENDAR,
            now=NOW,
        )
    assert await snapshot(store) == before
