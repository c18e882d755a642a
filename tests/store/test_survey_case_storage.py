"""Case surveys' workflow on both engines: a closing complaint owes one survey in the same
transaction, two closes racing leave one survey, deciding again keeps the first decision,
sampling draws from the injected source, and a survey never posted frees its people."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from random import Random

import sqlalchemy as sa

from bot.config import ParleyConfig
from bot.config.models import SurveysConfig
from bot.domain.errors import DomainError
from bot.store import Store
from bot.store import complaints as complaints_repo
from bot.store import surveys as repo
from bot.store.schema import outbox
from bot.store.schema_surveys import survey_cases, survey_invitations, surveys
from bot.workflows import complaints
from bot.workflows import survey_cases as workflow
from tests.store.test_complaint_storage import (  # noqa: F401 (the config fixture)
    ALICE,
    CALENDAR,
    GRETA,
    NOW,
    WS,
    config,
    opened,
)


def asking(sample: float = 1.0, seed: int = 1) -> workflow.Asking:
    return workflow.Asking(
        config=SurveysConfig(sample=sample), calendar=CALENDAR, draw=Random(seed).random
    )


async def resolved(store: Store, settings: ParleyConfig) -> None:
    await opened(store, settings)
    async with store.write() as conn:
        found = await complaints_repo.get(conn, workspace_id=WS, number=1)
        assert found is not None
        await complaints_repo.set_root(conn, complaint_id=found.id, ts="1700000000.000100")
    await complaints.resolve(
        store,
        workspace_id=WS,
        number=1,
        actor=ALICE,
        text="Resent",
        config=settings,
        calendar=CALENDAR,
        now=NOW,
    )


async def count(store: Store, table: sa.Table) -> int:
    async with store.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def test_the_close_owes_one_survey_in_its_transaction(
    store: Store,
    config: ParleyConfig,  # noqa: F811
) -> None:
    await resolved(store, config)
    later = NOW + timedelta(hours=1)
    await complaints.answer(
        store,
        calendar=CALENDAR,
        workspace_id=WS,
        number=1,
        round_=1,
        resolved=True,
        actor=GRETA,
        now=later,
        asking=asking(),
    )
    async with store.read() as conn:
        page, _ = await repo.find(conn, workspace_id=WS, limit=5)
        (survey,) = page
        asked = await repo.invited(conn, survey_id=survey.id)
        owed = (
            await conn.execute(sa.select(outbox.c.kind).where(outbox.c.kind == "survey.case_post"))
        ).all()
    assert survey.case_ref == "C-1" and survey.questions == (
        "How satisfied are you with how C-1 was handled?",
    )
    assert survey.thread_ts == "1700000000.000100" and survey.channel_id == "C0DESK"
    assert survey.closes_at == CALENDAR.add_working_days(later, 5) and survey.remind_at is None
    assert asked == {"U0GRETA"} and len(owed) == 1
    # deciding again (a restart, another instance) opens nothing more
    async with store.write() as conn:
        found = await complaints_repo.get(conn, workspace_id=WS, number=1)
        assert found is not None
        assert await workflow.after_complaint(conn, found, asking(), later) == []
    assert await count(store, surveys) == 1 and await count(store, survey_cases) == 1
    # never posted (not the party's own channel): closed, and nobody counts as asked
    await workflow.not_posted(store, survey=survey, now=later)
    assert await count(store, survey_invitations) == 0
    async with store.read() as conn:
        again = await repo.by_id(conn, survey_id=survey.id)
    assert again is not None and not again.is_open


async def test_two_closes_racing_leave_one_survey(
    store: Store,
    config: ParleyConfig,  # noqa: F811
) -> None:
    await resolved(store, config)
    results = await asyncio.gather(
        *(
            complaints.answer(
                store,
                calendar=CALENDAR,
                workspace_id=WS,
                number=1,
                round_=1,
                resolved=True,
                actor=GRETA,
                now=NOW,
                asking=asking(),
            )
            for _ in range(2)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert await count(store, surveys) == 1 and await count(store, survey_invitations) == 1


async def test_sampling_draws_from_the_injected_source(
    store: Store,
    config: ParleyConfig,  # noqa: F811
) -> None:
    await resolved(store, config)
    seed = next(s for s in range(100) if Random(s).random() >= 0.5)  # a draw that says no
    await complaints.answer(
        store,
        calendar=CALENDAR,
        workspace_id=WS,
        number=1,
        round_=1,
        resolved=True,
        actor=GRETA,
        now=NOW,
        asking=asking(0.5, seed),
    )
    async with store.read() as conn:
        kept = (await conn.execute(sa.select(survey_cases.c.sampled))).scalars().all()
    assert kept == [False] and await count(store, surveys) == 0
