"""The ladder's state machine, alone and through the store, under random sequences of actions."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import ParleyConfig, parse_config
from bot.domain.calendar import calendar_for
from bot.domain.errors import DomainError, InvalidInput, NotAllowed
from bot.domain.ladder import (
    LIMITED_STAGES,
    Action,
    LadderState,
    Stage,
    Status,
    limit_of,
    transition,
)
from bot.domain.parties import Person
from bot.store import Store
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.workflows import disputes
from tests.saying import raises_saying

ORDER = list(Stage)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ALICE = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")
CAROL = Person(user_id="U0CAROL", team_id="T0PARLEY", name="carol")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")
CONFIG = parse_config(
    '[people]\napprovers = ["U0CAROL"]\n[channels]\ndispute_process = "C0PROCESS"\nlegal = "C0LEGAL"\n',
    Path("ladder.toml"),
)

states = st.builds(LadderState, st.sampled_from(Stage), st.sampled_from(Status))


@given(states, st.sampled_from(Action), st.booleans())
def test_transition_invariants(state: LadderState, action: Action, approver: bool) -> None:
    try:
        move = transition(state, action, ref="D-1", is_approver=approver)
    except DomainError:
        refused = True
    else:
        refused = False
        assert ORDER.index(move.after.stage) >= ORDER.index(state.stage)
        assert ORDER.index(move.after.stage) - ORDER.index(state.stage) <= 1
        if action is Action.REOPEN:
            # Only a closed dispute comes back, open, at the stage it was closed at, and
            # its clock starts again; at legal only an approver may bring it back.
            assert state.status is not Status.OPEN and move.after.status is Status.OPEN
            assert move.after.stage is state.stage and move.restarts_clock
            if state.stage is Stage.LEGAL:
                assert approver
        else:
            assert state.status is Status.OPEN
            assert move.restarts_clock is move.stage_changed
        if move.after.stage is Stage.LEGAL and state.stage is not Stage.LEGAL:
            assert approver
    if state.status is not Status.OPEN and action is not Action.REOPEN:
        assert refused
    if state.status is Status.OPEN and action is Action.REOPEN:
        assert refused


def test_the_table() -> None:
    open_at = LadderState(Stage.COMPANY_PROCESS, Status.OPEN)
    with pytest.raises(NotAllowed):
        transition(open_at, Action.ESCALATE, ref="D-1", is_approver=False)
    assert (
        transition(open_at, Action.ESCALATE, ref="D-1", is_approver=True).after.stage is Stage.LEGAL
    )
    with raises_saying(InvalidInput, "last stage"):
        transition(
            LadderState(Stage.LEGAL, Status.OPEN), Action.ESCALATE, ref="D-1", is_approver=True
        )
    done = transition(open_at, Action.RESOLVE, ref="D-1", is_approver=False).after
    assert done == LadderState(Stage.COMPANY_PROCESS, Status.RESOLVED)
    with raises_saying(InvalidInput, "closed dispute stays closed"):
        transition(done, Action.WITHDRAW, ref="D-1", is_approver=True)


def test_a_stage_limit_is_the_strictest_agreed_else_the_company_s() -> None:
    company = {Stage.COORDINATION: 3, Stage.MULTI_PARTY: 5, Stage.COMPANY_PROCESS: 10}
    acme = {Stage.COORDINATION: 2, Stage.MULTI_PARTY: 8}
    unconfigured: dict[Stage, int | None] = {}

    assert LIMITED_STAGES == (Stage.COORDINATION, Stage.MULTI_PARTY, Stage.COMPANY_PROCESS)
    assert limit_of(Stage.COORDINATION, company) == 3
    assert limit_of(Stage.COORDINATION, company, [acme]) == 2
    assert limit_of(Stage.MULTI_PARTY, company, [acme]) == 8
    # Each party gets its own limit (agreed, else the company's); the strictest holds.
    assert limit_of(Stage.MULTI_PARTY, company, [acme, unconfigured]) == 5
    assert limit_of(Stage.COMPANY_PROCESS, company, [acme]) == 10
    assert limit_of(Stage.MULTI_PARTY, company, [{Stage.MULTI_PARTY: None}]) == 5
    assert limit_of(Stage.LEGAL, company) is None
    assert limit_of(Stage.LEGAL, company, [acme]) is None


steps = st.lists(
    st.tuples(
        st.sampled_from(Action),
        st.sampled_from([ALICE, CAROL, RAJ]),
        st.sampled_from(["why", "", "x" * 2001]),
    ),
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=steps)
def test_random_sequences_through_the_store(
    sequence: list[tuple[Action, Person, str]], sqlite_template: Path
) -> None:
    asyncio.run(_walk(sequence, sqlite_template))


async def _walk(sequence: list[tuple[Action, Person, str]], template: Path) -> None:
    calendar = calendar_for("CN", "Asia/Shanghai")
    with tempfile.TemporaryDirectory() as folder:
        # Each example on a database of its own, a copy of the migrated one (tests/conftest.py)
        shutil.copyfile(template, Path(folder) / "walk.db")
        store = Store.open(f"sqlite:///{folder}/walk.db")
        try:
            d = await disputes.open_dispute(
                store,
                workspace_id="T0PARLEY",
                channel_id="C0DESK",
                owner=ALICE,
                title="Walk",
                people=[RAJ],
                config=CONFIG,
                calendar=calendar,
                now=NOW,
            )
            accepted = 0
            now = NOW
            for action, actor, text in sequence:
                now += timedelta(hours=1)
                before = await _state(store)
                try:
                    change = await disputes.act(
                        store,
                        workspace_id="T0PARLEY",
                        number=d.number,
                        action=action,
                        actor=actor,
                        text=text,
                        config=CONFIG,
                        calendar=calendar,
                        now=now,
                    )
                except DomainError:
                    assert await _state(store) == before
                    continue
                accepted += 1
                after = change.dispute
                assert ORDER.index(after.stage) >= ORDER.index(before[0].stage)
                if action is Action.REOPEN:
                    # Only a closed dispute comes back, at its stage, open, with a fresh clock.
                    assert before[0].status is not Status.OPEN and after.is_open
                    assert after.stage is before[0].stage and after.stage_started_at == now
                else:
                    assert before[0].status is Status.OPEN
                if after.stage is Stage.LEGAL:
                    assert after.legal_hold
                assert len(before[1]) + 1 == len((await _state(store))[1])
            _, events = await _state(store)
            assert len(events) == 2 + accepted  # opened, party_added, then one per accepted action
        finally:
            await store.close()


async def _state(store: Store) -> tuple[LadderState, list[str]]:
    async with store.read() as conn:
        d = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d is not None
        events = await timeline_repo.events(conn, dispute_id=d.id)
    return LadderState(d.stage, d.status), [e.kind for e in events]


async def test_new_stage_gets_its_own_clock(sqlite_url: str, config: ParleyConfig) -> None:
    store = Store.open(sqlite_url)
    try:
        calendar = calendar_for("CN", "Asia/Shanghai")
        await disputes.open_dispute(
            store,
            workspace_id="T0PARLEY",
            channel_id="C0DESK",
            owner=ALICE,
            title="Clock",
            people=[RAJ],
            config=config,
            calendar=calendar,
            now=NOW,
        )
        change = await disputes.act(
            store,
            workspace_id="T0PARLEY",
            number=1,
            action=Action.ESCALATE,
            actor=ALICE,
            text="No fix by the agreed date",
            config=config,
            calendar=calendar,
            now=NOW,
        )
        # Acme agreed 3 working days for multi_party: Mon 23 Nov → Thu 26 Nov.
        assert change.dispute.stage is Stage.MULTI_PARTY
        assert change.dispute.stage_due_at == NOW + timedelta(days=3)
        assert change.tell == ()
        change = await disputes.act(
            store,
            workspace_id="T0PARLEY",
            number=1,
            action=Action.ESCALATE,
            actor=ALICE,
            text="Beyond my authority",
            config=config,
            calendar=calendar,
            now=NOW,
        )
        assert [t.channel_id for t in change.tell] == ["C0PROCESS"]
        # company_process: default 10 working days → Mon 7 Dec.
        assert change.dispute.stage_due_at == NOW + timedelta(days=14)
    finally:
        await store.close()


def test_the_records_overdue_text_reads_back_as_facts() -> None:
    """What the record stores when a stage runs out (English, exported as it is) is read back
    as facts, so a reader of another language is shown it in their words."""
    from bot.domain.ladder import (
        OverdueRecord,
        automatic_escalation_text,
        overdue_text,
        read_overdue_text,
    )

    for stage in (Stage.COORDINATION, Stage.MULTI_PARTY, Stage.COMPANY_PROCESS):
        for days in (1, 2, 17):
            text = overdue_text(stage, days)
            assert read_overdue_text(text) == OverdueRecord(stage, days)
            assert read_overdue_text(automatic_escalation_text(text)) == OverdueRecord(
                stage, days, automatic=True
            )
    assert overdue_text(Stage.COORDINATION, 1) == "Coordination overdue by 1 working day"
    assert read_overdue_text("Supplier missed the fix date") is None
    assert read_overdue_text("Nothing overdue by 3 working days") is None
