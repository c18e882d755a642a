"""What the report tests share: surveys, answers, complaints and praise seeded through their
stores at given moments, for the complaint tests' two customer parties (Globex, Initech)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.praise import PraiseSource
from bot.domain.surveys import CaseKind, SurveyKind
from bot.sandbox.harness import Running
from bot.store import complaints as complaints_repo
from bot.store import counters
from bot.store import parties as parties_repo
from bot.store import praise as praise_repo
from bot.store import surveys as surveys_repo

WS = "T0PARLEY"
QUESTIONS = ("Quality of service", "Responsiveness", "Overall")


async def party_id(app: Running, name: str) -> int:
    async with app.store.read() as conn:
        found = await parties_repo.by_name(conn, workspace_id=WS, name=name)
    assert found is not None, name
    return found.id


async def survey(
    app: Running,
    *,
    party: str,
    at: datetime,
    asked: list[str],
    answers: dict[str, list[int]],
    questions: tuple[str, ...] = QUESTIONS,
    case_id: int | None = None,
    workspace_id: str = WS,
) -> int:
    """A survey sent at `at` to `asked`, with each person's ratings given an hour later."""
    pid = await party_id(app, party)
    async with app.store.write() as conn:
        number = await counters.next_number(conn, workspace_id=workspace_id, kind="survey")
        survey_id = await surveys_repo.insert(
            conn,
            workspace_id=workspace_id,
            number=number,
            kind=SurveyKind.CASE if case_id is not None else SurveyKind.PERIODIC,
            party_id=pid,
            title=None,
            questions=questions,
            channel_id="C0DESK",
            now=at,
            case_kind=CaseKind.COMPLAINT if case_id is not None else None,
            case_id=case_id,
        )
        await surveys_repo.invite(
            conn, survey_id=survey_id, workspace_id=workspace_id, user_ids=asked, now=at
        )
        for user, ratings in answers.items():
            await surveys_repo.record_answer(
                conn,
                survey_id=survey_id,
                respondent_id=user,
                party_id=pid,
                ratings=dict(enumerate(ratings)),
                comment=None,
                now=at + timedelta(hours=1),
            )
    return survey_id


async def reanswer(
    app: Running, *, survey_id: int, party: str, user: str, ratings: list[int], at: datetime
) -> None:
    """A later answer by the same person: it replaces the earlier one."""
    pid = await party_id(app, party)
    async with app.store.write() as conn:
        await surveys_repo.record_answer(
            conn,
            survey_id=survey_id,
            respondent_id=user,
            party_id=pid,
            ratings=dict(enumerate(ratings)),
            comment="changed my mind",
            now=at,
        )


async def complaint(
    app: Running,
    *,
    party: str,
    opened: datetime,
    closed: datetime | None = None,
    due_in: timedelta = timedelta(days=7),
) -> int:
    """A complaint opened (and answered at once), closed by confirmation when `closed`."""
    pid = await party_id(app, party)
    async with app.store.write() as conn:
        number = await counters.next_number(conn, workspace_id=WS, kind="complaint")
        cid = await complaints_repo.insert(
            conn,
            workspace_id=WS,
            number=number,
            text="Late again",
            party_id=pid,
            complainant_id=None,
            owner_id="U0ALICE",
            channel_id="C0DESK",
            now=opened,
            answer_due_at=opened + due_in,
            resolve_due_at=opened + due_in,
        )
        await complaints_repo.set_first_answer(conn, complaint_id=cid, at=opened)
        if closed is not None:
            await complaints_repo.resolve(
                conn,
                complaint_id=cid,
                round_=0,
                resolution="Fixed",
                now=closed,
                confirm_due_at=closed + timedelta(days=3),
            )
            await complaints_repo.answer(
                conn, complaint_id=cid, round_=1, resolved=True, now=closed
            )
    return cid


async def praise(app: Running, *, party: str | None, at: datetime) -> None:
    pid = await party_id(app, party) if party else None
    async with app.store.write() as conn:
        number = await counters.next_number(conn, workspace_id=WS, kind="praise")
        await praise_repo.insert(
            conn,
            workspace_id=WS,
            number=number,
            praiser_id="U0GRETA",
            praiser_internal=False,
            party_id=pid,
            praised=["U0BOB"],
            text="Quick fix",
            recorded_by="U0ALICE",
            channel_id="C0DESK",
            source=PraiseSource.COMMAND,
            now=at,
        )
