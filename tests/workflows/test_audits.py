"""Scorecards from a seeded quarter (tests/audit_history.py): the six figures as computed by
hand, the total and band, a supplier without a contract, rating and a second version, the
scheduled draft made once with one reminder, and bad input refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.domain.audits import Band, Dimension, ScorecardStatus
from bot.domain.calendar import calendar_for
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.parties import Person
from bot.store import Store
from bot.store.schema import outbox
from bot.store.schema_audits import audit_schedules, scorecards
from bot.workflows import audits
from tests.audit_history import ACME_Q3, NOW, WS, config, seed

CALENDAR = calendar_for(None, "UTC")
ALICE = Person(user_id="U0ALICE", team_id=WS, name="alice")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")
Q3 = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))


async def open_(store: Store, text: str, now: datetime = NOW) -> audits.Scorecard:
    return await audits.open_scorecard(
        store,
        workspace_id=WS,
        auditor=ALICE,
        text=text,
        config=config(),
        calendar=CALENDAR,
        now=now,
    )


async def test_acmes_last_quarter_is_the_hand_computed_figures(store: Store) -> None:
    await seed(store)
    card = await open_(store, "Acme Networks")
    assert card.ref == "S-1" and card.status is ScorecardStatus.DRAFT and card.version == 1
    assert (card.period_start, card.period_end) == Q3
    assert {d.dimension.value: d.score for d in card.dimensions} == ACME_Q3
    assert [d.dimension for d in card.dimensions] == list(Dimension)
    facts = {d.dimension: d.facts for d in card.dimensions}
    assert facts[Dimension.RESPONSIVENESS] == {
        "within": 3,
        "replies": 4,
        "median_hours": 1.5,
        "contract_hours": 2.0,
        "support_hours": "24x7",
    }
    assert facts[Dimension.PROBLEM_SOLVING] == {"early": 3, "closed": 5}
    assert facts[Dimension.EFFICIENCY] == {
        "resolved": 4,
        "median_hours": 36.0,
        "median_working_days": 0.5,
        "contract_hours": 12.0,
        "support_hours": "24x7",
    }
    assert facts[Dimension.STAFF_STABILITY] == {"stayed": 2, "people": 4, "leavers": 2}
    assert facts[Dimension.CUSTOMER_FEEDBACK] == {"answers": 2, "mean_rating": 3.0, "complaints": 1}
    assert facts[Dimension.COOPERATION] == {}
    assert [d.weight for d in card.dimensions] == [20.0, 20.0, 20.0, 10.0, 20.0, 10.0]
    assert (card.total, card.band) == (50.2, Band.C)


async def test_a_period_named_in_dates_and_in_chinese(store: Store) -> None:
    await seed(store)
    july = await open_(store, "Acme Networks 2026-07-01 to 2026-07-31")
    assert (july.period_start, july.period_end) == (Q3[0], datetime(2026, 8, 1, tzinfo=UTC))
    # In July: D1, D2, D3 answered (2 of 3 in time); D1, D2, D3, D5 closed.
    assert july.score_of(Dimension.RESPONSIVENESS).facts["replies"] == 3  # type: ignore[union-attr]
    assert july.score_of(Dimension.PROBLEM_SOLVING).facts == {"early": 3, "closed": 4}  # type: ignore[union-attr]
    chinese = await open_(store, "acme networks 上季度")
    assert (chinese.period_start, chinese.period_end) == Q3 and chinese.ref == "S-2"


async def test_a_supplier_without_a_contract_has_no_contract_figures(store: Store) -> None:
    await seed(store)
    card = await open_(store, "DBCo Database Services")
    by = {d.dimension: d for d in card.dimensions}
    assert by[Dimension.RESPONSIVENESS].score is None
    assert by[Dimension.RESPONSIVENESS].facts == {"no_data": "contract"}
    assert by[Dimension.EFFICIENCY].facts == {"no_data": "contract"}
    assert by[Dimension.PROBLEM_SOLVING].facts == {"no_data": "record"}
    assert card.total is None and card.band is None


async def test_rating_sets_the_climate_and_a_published_card_gets_version_2(store: Store) -> None:
    await seed(store)
    card = await open_(store, "Acme Networks")
    later = NOW + timedelta(hours=1)
    rated = await audits.rate(
        store,
        workspace_id=WS,
        rater=ALICE,
        number=card.number,
        cooperation="4",
        notes="  <!channel> 配合良好 <https://x|label> ",
        config=config(),
        now=later,
    )
    assert rated.cooperation == 4 and rated.notes == "<!channel> 配合良好 <https://x|label>"
    assert rated.score_of(Dimension.COOPERATION).score == 75  # type: ignore[union-attr]
    assert (rated.total, rated.band, rated.version) == (52.7, Band.C, 1)
    async with store.write() as conn:  # published by the publishing step (its own branch)
        from bot.store import audits as repo

        assert await repo.publish(conn, scorecard_id=card.id, version=1, by="U0ALICE", now=later)
    again = await audits.rate(
        store,
        workspace_id=WS,
        rater=ALICE,
        number=card.number,
        cooperation=1,
        notes=None,
        config=config(),
        now=later,
    )
    assert (again.version, again.status, again.cooperation) == (2, ScorecardStatus.DRAFT, 1)
    # (4520 + 0·10) / 100 = 45.2 → D
    assert (again.total, again.band) == (45.2, Band.D)
    _, kept = await audits.show(store, workspace_id=WS, asker=ALICE, number=card.number)
    assert [(v.version, v.cooperation, v.total, v.band) for v in kept] == [(1, 4, 52.7, Band.C)]
    # a form opened on version 1 is stale now that version 2 is begun: refused, nothing changed
    with pytest.raises(InvalidInput) as stale:
        await audits.rate(
            store,
            workspace_id=WS,
            rater=ALICE,
            number=card.number,
            cooperation=5,
            notes=None,
            config=config(),
            now=later,
            seen_version=1,
        )
    assert stale.value.code == "audit.changed"
    unchanged, _ = await audits.show(store, workspace_id=WS, asker=ALICE, number=card.number)
    assert (unchanged.version, unchanged.cooperation) == (2, 1)


async def count(store: Store, table: sa.Table) -> int:
    async with store.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


@pytest.mark.parametrize(
    ("text", "error", "code"),
    [
        ("Nobody Ltd", NotFound, "audit.no_supplier"),
        ("Contoso Retail", InvalidInput, "audit.not_supplier"),
        ("Acme Networks next quarter", InvalidInput, "report.future"),
        ("Acme Networks 2027-01-01 to 2027-03-31", InvalidInput, "report.future"),
        ("Acme Networks 2026-09-30 to 2026-07-01", InvalidInput, "report.inverted"),
        ("Acme Networks 2026-13-01 to 2026-14-01", InvalidInput, "report.bad_period"),
        ("", InvalidInput, "audit.which"),
    ],
)
async def test_bad_input_to_open_changes_nothing(
    store: Store, text: str, error: type[Exception], code: str
) -> None:
    await seed(store)
    with pytest.raises(error) as info:
        await open_(store, text)
    assert info.value.code == code  # type: ignore[attr-defined]
    assert await count(store, scorecards) == 0


async def test_outsiders_and_bad_ratings_are_refused(store: Store) -> None:
    await seed(store)
    with pytest.raises(NotAllowed):
        await audits.open_scorecard(
            store,
            workspace_id=WS,
            auditor=RAJ,
            text="Acme Networks",
            config=config(),
            calendar=CALENDAR,
            now=NOW,
        )
    card = await open_(store, "Acme Networks")
    for bad in ("0", "6", "4.5", "five", ""):
        with pytest.raises(InvalidInput) as info:
            await audits.rate(
                store,
                workspace_id=WS,
                rater=ALICE,
                number=card.number,
                cooperation=bad,
                notes=None,
                config=config(),
                now=NOW,
            )
        assert info.value.code == "audit.bad_rating"
    with pytest.raises(NotFound):
        await audits.rate(
            store,
            workspace_id=WS,
            rater=ALICE,
            number=99,
            cooperation=3,
            notes=None,
            config=config(),
            now=NOW,
        )
    with pytest.raises(NotAllowed):
        await audits.rate(
            store,
            workspace_id=WS,
            rater=RAJ,
            number=card.number,
            cooperation=5,
            notes=None,
            config=config(),
            now=NOW,
        )
    _, _ = await audits.show(store, workspace_id=WS, asker=ALICE, number=card.number)
    unchanged, _ = await audits.show(store, workspace_id=WS, asker=ALICE, number=card.number)
    assert unchanged == card


async def test_a_scheduled_audit_makes_its_draft_once_and_reminds_once(store: Store) -> None:
    parties = await seed(store)
    made_at = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    planned = await audits.schedule(
        store,
        workspace_id=WS,
        asker=ALICE,
        text="Acme Networks every quarter",
        calendar=CALENDAR,
        now=made_at,
    )
    assert planned.next_at == Q3[1] and planned.party == parties["acme"]
    before = await audits.make_scheduled_drafts(
        store, config=config(), calendar=CALENDAR, now=Q3[1] - timedelta(seconds=1)
    )
    assert before == []
    for _ in range(2):  # a second instance, or the next tick, makes nothing more
        made = await audits.make_scheduled_drafts(
            store, config=config(), calendar=CALENDAR, now=Q3[1] + timedelta(minutes=1)
        )
        assert len(made) <= 1
    async with store.read() as conn:
        rows = (await conn.execute(sa.select(scorecards))).all()
        owed = (await conn.execute(sa.select(outbox.c.kind, outbox.c.lane))).all()
        following = (await conn.execute(sa.select(audit_schedules.c.next_at))).scalar_one()
    [row] = rows
    assert (row.period_start, row.period_end, row.created_by, row.reminded) == (
        Q3[0],
        Q3[1],
        None,
        True,
    )
    assert owed == [("audit.draft_ready", "dm:U0ALICE")]
    assert following == datetime(2027, 1, 1, tzinfo=UTC)
    card, _ = await audits.show(store, workspace_id=WS, asker=ALICE, number=row.number)
    assert {d.dimension.value: d.score for d in card.dimensions} == ACME_Q3


async def test_schedule_and_unschedule_refuse_bad_input(store: Store) -> None:
    await seed(store)
    for text, code in (
        ("Acme Networks every fortnight", "audit.bad_recurrence"),
        ("Contoso Retail every quarter", "audit.not_supplier"),
        ("Nobody every quarter", "audit.no_supplier"),
    ):
        with pytest.raises((InvalidInput, NotFound)) as info:
            await audits.schedule(
                store, workspace_id=WS, asker=ALICE, text=text, calendar=CALENDAR, now=NOW
            )
        assert info.value.code == code
    assert await count(store, audit_schedules) == 0
    with pytest.raises(InvalidInput) as refused:
        await audits.unschedule(store, workspace_id=WS, asker=ALICE, text="Acme Networks")
    assert refused.value.code == "audit.not_scheduled"
    await audits.schedule(
        store, workspace_id=WS, asker=ALICE, text="Acme Networks 每季度", calendar=CALENDAR, now=NOW
    )
    party = await audits.unschedule(store, workspace_id=WS, asker=ALICE, text="acme networks")
    assert party.name == "Acme Networks"


async def test_a_chinese_suppliers_name_runs_straight_into_its_period(store: Store) -> None:
    await seed(store)
    async with store.write() as conn:
        from bot.domain.parties import PartyKind
        from bot.store import parties as parties_repo

        await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="华东网络",
            kind=PartyKind.SUPPLIER,
            slack_team="T0HD",
            now=NOW,
        )
    card = await open_(store, "华东网络上季度")
    assert card.party.name == "华东网络" and (card.period_start, card.period_end) == Q3
    # no contract: its contract-relative dimensions say so
    assert card.score_of(Dimension.RESPONSIVENESS).facts == {"no_data": "contract"}  # type: ignore[union-attr]
    with pytest.raises(InvalidInput) as info:
        await open_(store, "华东网络下季度")
    assert info.value.code == "report.future"
    with pytest.raises(NotFound):
        await open_(store, "华东上季度")  # a part of the name is not the name
    planned = await audits.schedule(
        store, workspace_id=WS, asker=ALICE, text="华东网络每季度", calendar=CALENDAR, now=NOW
    )
    assert planned.party.name == "华东网络" and planned.recurrence == "quarter"


async def test_two_instances_at_the_quarters_end_make_one_draft_and_owe_one_dm(
    database_url: str,
) -> None:
    import asyncio

    first, second = Store.open(database_url), Store.open(database_url)
    try:
        await first.upgrade()
        await seed(first)
        await audits.schedule(
            first,
            workspace_id=WS,
            asker=ALICE,
            text="Acme Networks every quarter",
            calendar=CALENDAR,
            now=datetime(2026, 9, 1, tzinfo=UTC),
        )
        at = Q3[1] + timedelta(minutes=1)
        made = await asyncio.gather(
            *(
                audits.make_scheduled_drafts(s, config=config(), calendar=CALENDAR, now=at)
                for s in (first, second, first, second)
            )
        )
        assert sorted(len(m) for m in made) == [0, 0, 0, 1]
        async with first.read() as conn:
            cards = (await conn.execute(sa.select(scorecards.c.id))).all()
            owed = (await conn.execute(sa.select(outbox.c.kind))).scalars().all()
        assert len(cards) == 1 and list(owed) == ["audit.draft_ready"]
    finally:
        await first.close()
        await second.close()


async def test_a_reply_counts_on_the_party_slacks_record_placed_it_on(store: Store) -> None:
    from bot.domain.timeline import TimelineKind
    from bot.store import disputes_timeline as timeline_repo

    parties = await seed(store)
    async with store.write() as conn:
        from bot.store.schema import disputes

        dispute_id = (await conn.execute(sa.select(sa.func.min(disputes.c.id)))).scalar_one()
        when = datetime(2026, 8, 20, 9, 0, tzinfo=UTC)
        # Pat's reply was recorded on Contoso by the event's team, then placed on Acme.
        for kind, party in ((TimelineKind.REPLY, "contoso"), (TimelineKind.PLACED, "acme")):
            await timeline_repo.add_event(
                conn,
                dispute_id=dispute_id,
                kind=kind,
                at=when,
                actor_id="U0PAT",
                party_id=parties[party].id,
                text="checking",
                message=("C0ACME", "1.5"),
            )
    card = await open_(store, "Acme Networks")
    # raj, mei, tom, li and now pat: 5 people, li and tom left → 3 / 5
    assert card.score_of(Dimension.STAFF_STABILITY).facts == {  # type: ignore[union-attr]
        "stayed": 3,
        "people": 5,
        "leavers": 2,
    }
