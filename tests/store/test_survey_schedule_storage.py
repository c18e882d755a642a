"""Periodic surveys' workflow on both engines: a scheduled occurrence claimed by two
instances at once is sent once (the claim and the survey in one transaction), its next send
follows the rule on working days, a stopped schedule sends nothing, and two answers racing
for one person leave one current answer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.config.models import SurveysConfig
from bot.domain.calendar import calendar_for
from bot.domain.parties import PartyKind, Person
from bot.domain.recurrence_words import parse_recurrence
from bot.store import Store
from bot.store import parties as parties_repo
from bot.store import survey_schedules as schedules_repo
from bot.store.schema import outbox
from bot.store.schema_surveys import survey_responses, surveys
from bot.workflows import surveys as workflow

WS = "T0PARLEY"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Mon 23 Nov 2026 10:00 in Shanghai
CALENDAR = calendar_for("CN", "Asia/Shanghai")
SENDING = workflow.Sending(config=SurveysConfig(), calendar=CALENDAR)
GRETA = Person(user_id="U0GRETA", team_id="T0GLOBEX", name="greta")
FIRST = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)


async def count(store: Store, table: sa.Table) -> int:
    async with store.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def scheduled(store: Store) -> int:
    rule = parse_recurrence("every quarter", now=NOW, tz=CALENDAR.tz)
    assert rule is not None
    async with store.write() as conn:
        party = await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="Globex Audit",
            kind=PartyKind.CUSTOMER,
            slack_team="T0GLOBEX",
            now=NOW,
        )
        return await schedules_repo.insert(
            conn,
            workspace_id=WS,
            party_id=party.id,
            title=None,
            recurrence=rule.to_storage(),
            next_at=FIRST,
            created_by="U0ALICE",
            now=NOW,
        )


async def test_an_occurrence_claimed_twice_at_once_is_sent_once(store: Store) -> None:
    await scheduled(store)
    assert await workflow.due_schedules(store, now=FIRST - timedelta(minutes=1)) == []
    due = await workflow.due_schedules(store, now=FIRST)
    assert len(due) == 1
    sent = await asyncio.gather(
        *(
            workflow.send_scheduled(
                store, schedule=due[0], channel_id="C0GLOBEX", sending=SENDING, now=FIRST
            )
            for _ in range(4)
        )
    )
    assert sum(s is not None for s in sent) == 1
    assert await count(store, surveys) == 1 and await count(store, outbox) == 1
    (after,) = await workflow.due_schedules(store, now=datetime(2027, 4, 1, 2, 0, tzinfo=UTC))
    assert after.next_at == datetime(2027, 4, 1, 2, 0, tzinfo=UTC)  # 1 Apr: a working day
    # a second look at the same occurrence (a restart, a late tick) finds it taken
    again = await workflow.send_scheduled(
        store, schedule=due[0], channel_id="C0GLOBEX", sending=SENDING, now=FIRST
    )
    assert again is None and await count(store, surveys) == 1


async def test_a_stopped_schedule_sends_nothing(store: Store) -> None:
    schedule_id = await scheduled(store)
    (due,) = await workflow.due_schedules(store, now=FIRST)
    async with store.write() as conn:
        assert await schedules_repo.stop(conn, schedule_id=schedule_id)
    sent = await workflow.send_scheduled(
        store, schedule=due, channel_id="C0GLOBEX", sending=SENDING, now=FIRST
    )
    assert sent is None and await count(store, surveys) == 0
    assert await workflow.due_schedules(store, now=FIRST + timedelta(days=400)) == []


async def test_two_answers_racing_leave_one_current(store: Store) -> None:
    await scheduled(store)
    (due,) = await workflow.due_schedules(store, now=FIRST)
    survey = await workflow.send_scheduled(
        store, schedule=due, channel_id="C0GLOBEX", sending=SENDING, now=FIRST
    )
    assert survey is not None
    await asyncio.gather(
        *(
            workflow.answer(
                store,
                workspace_id=WS,
                number=survey.number,
                actor=GRETA,
                ratings={i: str(r) for i in range(5)},
                comment=None,
                now=FIRST + timedelta(minutes=1),
            )
            for r in (1, 2, 3, 4, 5)
        )
    )
    async with store.read() as conn:
        rows = (await conn.execute(sa.select(survey_responses))).all()
    assert len(rows) == 5 and sum(r.replaced_at is None for r in rows) == 1
