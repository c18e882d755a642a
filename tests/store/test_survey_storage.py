"""Surveys on both engines: numbered surveys read back as written, one case survey per case
and party, the sampling decision kept from the first time it was taken, the cooldown's
look-up, and answers that replace one another with both kept (one current per person)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.domain.parties import PartyKind
from bot.domain.surveys import CaseKind, SurveyKind, SurveyStatus
from bot.store import Store, counters
from bot.store import parties as parties_repo
from bot.store import surveys as surveys_repo
from bot.store.schema_surveys import survey_responses

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
WS = "T0PARLEY"


async def a_party(store: Store) -> int:
    async with store.write() as conn:
        party = await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="Contoso Retail",
            kind=PartyKind.CUSTOMER,
            slack_team="T0CONTOSO",
            now=NOW,
        )
    return party.id


async def a_survey(store: Store, party_id: int, **extra: object) -> int:
    async with store.write() as conn:
        number = await counters.next_number(conn, workspace_id=WS, kind="survey")
        return await surveys_repo.insert(
            conn,
            workspace_id=WS,
            number=number,
            kind=SurveyKind.PERIODIC,
            party_id=party_id,
            title="Q4 服务评价",
            questions=("Quality of service", "总体"),
            channel_id="C0SHARED",
            now=NOW,
            closes_at=NOW + timedelta(days=7),
            **extra,  # type: ignore[arg-type]
        )


async def test_a_survey_reads_back_as_written(store: Store) -> None:
    party_id = await a_party(store)
    survey_id = await a_survey(store, party_id)
    async with store.read() as conn:
        survey = await surveys_repo.get(conn, workspace_id=WS, number=1)
        page, total = await surveys_repo.find(conn, workspace_id=WS, limit=10)
    assert survey is not None and survey.id == survey_id and survey.ref == "Q-1"
    assert survey.questions == ("Quality of service", "总体")
    assert survey.title == "Q4 服务评价" and survey.party.name == "Contoso Retail"
    assert survey.status is SurveyStatus.OPEN and survey.closes_at == NOW + timedelta(days=7)
    assert [s.ref for s in page] == ["Q-1"] and total == 1
    async with store.write() as conn:
        assert await surveys_repo.close(conn, survey_id=survey_id, now=NOW, by="U0ALICE")
        assert not await surveys_repo.close(conn, survey_id=survey_id, now=NOW, by=None)
        assert await surveys_repo.claim_reminder(conn, survey_id=survey_id)
        assert not await surveys_repo.claim_reminder(conn, survey_id=survey_id)


async def test_one_case_survey_per_case_and_party(store: Store) -> None:
    party_id = await a_party(store)
    await a_survey(store, party_id, case_kind=CaseKind.DISPUTE, case_id=7)
    with pytest.raises(sa.exc.IntegrityError):
        await a_survey(store, party_id, case_kind=CaseKind.DISPUTE, case_id=7)
    await a_survey(store, party_id, case_kind=CaseKind.COMPLAINT, case_id=7)
    async with store.read() as conn:
        found = await surveys_repo.for_case(conn, case_kind=CaseKind.DISPUTE, case_id=7)
    assert len(found) == 1


async def test_the_sampling_decision_is_taken_once(store: Store) -> None:
    async with store.write() as conn:
        first = await surveys_repo.decide_case(
            conn, workspace_id=WS, case_kind=CaseKind.COMPLAINT, case_id=3, sampled=False, now=NOW
        )
    async with store.write() as conn:
        again = await surveys_repo.decide_case(
            conn, workspace_id=WS, case_kind=CaseKind.COMPLAINT, case_id=3, sampled=True, now=NOW
        )
    assert (first, again) == (False, False)


async def test_the_cooldown_looks_back_from_when_asked(store: Store) -> None:
    party_id = await a_party(store)
    survey_id = await a_survey(store, party_id)
    async with store.write() as conn:
        await surveys_repo.invite(
            conn, survey_id=survey_id, workspace_id=WS, user_ids=["U1", "U2", "U1"], now=NOW
        )
    async with store.read() as conn:
        recent = await surveys_repo.asked_since(
            conn, workspace_id=WS, user_ids=["U1", "U3"], since=NOW - timedelta(days=30)
        )
        later = await surveys_repo.asked_since(
            conn, workspace_id=WS, user_ids=["U1"], since=NOW + timedelta(seconds=1)
        )
        asked = await surveys_repo.invited(conn, survey_id=survey_id)
    assert (recent, later, asked) == ({"U1"}, set(), {"U1", "U2"})


async def test_a_later_answer_replaces_the_first_and_both_are_kept(store: Store) -> None:
    party_id = await a_party(store)
    survey_id = await a_survey(store, party_id)
    async with store.write() as conn:
        first, replaced = await surveys_repo.record_answer(
            conn,
            survey_id=survey_id,
            respondent_id="U0MEI",
            party_id=party_id,
            ratings={0: 2, 1: 3},
            comment="慢",
            now=NOW,
        )
    assert replaced is None
    later = NOW + timedelta(hours=1)
    async with store.write() as conn:
        second, replaced = await surveys_repo.record_answer(
            conn,
            survey_id=survey_id,
            respondent_id="U0MEI",
            party_id=party_id,
            ratings={0: 4, 1: 5},
            comment=None,
            now=later,
        )
        await surveys_repo.set_comment(conn, response_id=second, comment="better now")
    assert replaced is not None and replaced.id == first and replaced.ratings == {0: 2, 1: 3}
    async with store.read() as conn:
        current = await surveys_repo.answers(conn, survey_id=survey_id)
        every = await surveys_repo.answers(conn, survey_id=survey_id, current_only=False)
    assert [(a.id, dict(a.ratings), a.comment) for a in current] == [
        (second, {0: 4, 1: 5}, "better now")
    ]
    assert [(a.id, a.replaced_at) for a in every] == [(first, later), (second, None)]


async def test_the_database_keeps_one_current_answer_per_person(store: Store) -> None:
    party_id = await a_party(store)
    survey_id = await a_survey(store, party_id)
    row = {"survey_id": survey_id, "respondent_id": "U0MEI", "party_id": party_id, "at": NOW}
    async with store.write() as conn:
        await conn.execute(sa.insert(survey_responses).values(**row))
    with pytest.raises(sa.exc.IntegrityError):
        async with store.write() as conn:
            await conn.execute(sa.insert(survey_responses).values(**row))


async def test_answers_racing_for_one_person_end_with_one_current(store: Store) -> None:
    party_id = await a_party(store)
    survey_id = await a_survey(store, party_id)

    async def answer(rating: int) -> None:
        async with store.write() as conn:
            await surveys_repo.record_answer(
                conn,
                survey_id=survey_id,
                respondent_id="U0MEI",
                party_id=party_id,
                ratings={0: rating, 1: rating},
                comment=None,
                now=NOW,
            )

    await asyncio.gather(*(answer(r) for r in (1, 2, 3, 4, 5)))
    async with store.read() as conn:
        current = await surveys_repo.answers(conn, survey_id=survey_id)
        every = await surveys_repo.answers(conn, survey_id=survey_id, current_only=False)
    assert len(current) == 1 and len(every) == 5
