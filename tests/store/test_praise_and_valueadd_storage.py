"""Praise and value-adds on both engines: recorded through their workflows, read back as
they were written (the people in order, exact amounts, checks true/false/null), numbered per
workspace and never reused, listed newest first, and exported in batches."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.config import ParleyConfig
from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.parties import Party, PartyKind, Person
from bot.domain.praise import PraiseSource
from bot.domain.valueadds import Checks
from bot.store import Store
from bot.store import parties as parties_repo
from bot.store import praise as praise_repo
from bot.store import valueadds as valueadds_repo
from bot.workflows import export, praise, valueadds
from tests.conftest import snapshot

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WS = "T0PARLEY"
ALICE = Person(user_id="U0ALICE", team_id=WS, name="alice")
BOB = Person(user_id="U0BOB", team_id=WS, name="bob")
CAROL = Person(user_id="U0CAROL", team_id=WS, name="carol")
IVAN = Person(user_id="U0IVAN", team_id="T0INITECH", name="ivan", team_name="Initech")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")


async def record(store: Store, config: ParleyConfig, **changes: object) -> int:
    args: dict[str, object] = {
        "workspace_id": WS,
        "recorder": ALICE,
        "praiser": ALICE,
        "praised": [BOB],
        "text": "Fixed the VPN",
        "channel_id": "C0DESK",
        "channel_teams": frozenset(),
        "source": PraiseSource.COMMAND,
        "config": config,
        "now": NOW,
        **changes,
    }
    recorded = await praise.record_praise(store, **args)  # type: ignore[arg-type]
    return recorded.number


async def test_praise_round_trips_with_its_people_in_order(
    store: Store, config: ParleyConfig
) -> None:
    await record(store, config)
    number = await record(store, config, praiser=IVAN, praised=[CAROL, BOB, CAROL])
    assert number == 2
    async with store.read() as conn:
        p2 = await praise_repo.get(conn, workspace_id=WS, number=2)
        bobs, total = await praise_repo.find(conn, workspace_id=WS, person="U0BOB", limit=1)
    assert p2 is not None and p2.praised == ("U0CAROL", "U0BOB")
    assert p2.party is not None and p2.party.name == "Initech" and not p2.praiser_internal
    assert p2.at == NOW and p2.at.tzinfo is not None
    assert [p.number for p in bobs] == [2] and total == 2
    rows = [row async for row in export._streamed(store, export.ExportKind.PRAISE)]
    assert [r["id"] for r in rows] == ["P-1", "P-2"]


async def test_a_refused_praise_changes_nothing_and_takes_no_number(
    store: Store, config: ParleyConfig
) -> None:
    before = await snapshot(store)
    with pytest.raises(NotAllowed):
        await record(store, config, recorder=RAJ)
    with pytest.raises(InvalidInput):
        await record(store, config, praised=[RAJ])
    assert await snapshot(store) == before
    assert await record(store, config) == 1


async def customer(store: Store) -> Party:
    async with store.write() as conn:
        return await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="Contoso Retail",
            kind=PartyKind.CUSTOMER,
            slack_team=None,
            now=NOW,
        )


async def test_a_value_add_keeps_exact_amounts_and_each_check_as_answered(
    store: Store,
) -> None:
    party = await customer(store)
    entry = valueadds.Entry(
        what="Dashboard", done_on=date(2026, 11, 20), cost="9,999,999.99", hours="9999.9"
    )
    v1 = await valueadds.log_valueadd(
        store, workspace_id=WS, actor=ALICE, party=party, entry=entry, today=NOW.date(), now=NOW
    )
    assert (v1.cost_cents, v1.hours_tenths) == (999_999_999, 99_999)
    assert v1.checks.answers() == dict.fromkeys(v1.checks.answers())
    answered = Checks(
        keeps_agreed_services=True,
        fits_real_need=False,
        cost_within_accepted=True,
        can_build_on=False,
    )
    saved = await valueadds.answer_checks(
        store,
        workspace_id=WS,
        number=1,
        actor=BOB,
        party=party,
        entry=valueadds.Entry(what="Dashboard", done_on=date(2026, 11, 20), checks=answered),
        today=NOW.date(),
        now=NOW,
    )
    assert saved.checks == answered and saved.cost is None and saved.checks_by == "U0BOB"
    async with store.read() as conn:
        page, total = await valueadds_repo.find(conn, workspace_id=WS, party_id=party.id, limit=5)
    assert [v.ref for v in page] == ["V-1"] and total == 1
    rows = [row async for row in export._streamed(store, export.ExportKind.VALUEADDS)]
    assert rows[0]["fits_real_need"] is False and rows[0]["can_build_on"] is False
