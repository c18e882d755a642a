"""Case-by-case satisfaction surveys: after a complaint closes or a dispute is resolved, the
people of each outside party who took part in its thread are asked one question, in that
party's own thread only, with 1-5 buttons and an optional (internal) comment.

Owed in the transaction that closes the case (`after_complaint` from `complaints.close_owed`,
`after_dispute` from `disputes.apply_action` on a resolution), so it is durable and exactly
once: whether the case is surveyed is decided once and kept (`survey_cases`); one survey per
case and party (`uq_surveys_case_kind`, and `for_case` looked at first); the close itself is a
conditional update, so two instances never both close one case.

Who took part comes from the record, never from a payload: a complaint's complainant and the
party's people on its record; a dispute's replies placed on the party (its latest placement).
A person asked within `[surveys] cooldown_days` is not asked again. Who may answer: a person
of the survey's party by Slack's record whom it asked (`rules.check_case_respondent`); any
other person of that party did not take part and is refused. A case survey takes answers for
`[surveys] open_for` working days (`closes_at`), and has no reminder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config.models import SurveysConfig
from bot.domain import surveys as rules
from bot.domain.calendar import WorkCalendar
from bot.domain.complaints import Complaint
from bot.domain.disputes import Dispute
from bot.domain.errors import NotFound
from bot.domain.notices import CaseSurveyPost
from bot.domain.parties import Party, Person
from bot.domain.surveys import Answer, CaseKind, Survey, SurveyKind
from bot.store import Store
from bot.store import counters as counters_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store import surveys as repo
from bot.workflows import notices


@dataclass(frozen=True)
class Asking:
    """What deciding and opening a case survey needs: the `[surveys]` settings, the working
    days (`open_for`), and the random source a case's sampling draws from (injected: tests
    pass a seeded one)."""

    config: SurveysConfig
    calendar: WorkCalendar
    draw: Callable[[], float]


@dataclass(frozen=True)
class Rated:
    """A press taken: the survey, the rating, and the answer it replaced (if any)."""

    survey: Survey
    rating: int
    before: Answer | None


@dataclass(frozen=True)
class _Case:
    workspace_id: str
    kind: CaseKind
    id: int
    ref: str


async def _decided(conn: AsyncConnection, case: _Case, asking: Asking, now: datetime) -> bool:
    """Whether this case is surveyed: decided once (the first close), kept ever after."""
    if case.kind.value not in asking.config.after:
        return False
    return await repo.decide_case(
        conn,
        workspace_id=case.workspace_id,
        case_kind=case.kind,
        case_id=case.id,
        sampled=rules.sampled(asking.config.sample, asking.draw),
        now=now,
    )


async def _ask(
    conn: AsyncConnection,
    case: _Case,
    *,
    party: Party,
    people: Sequence[str],
    channel_id: str,
    thread_ts: str,
    asked_already: set[int],
    asking: Asking,
    now: datetime,
) -> int | None:
    """One party's survey of the case, unless it has one or nobody is left to ask."""
    workspace_id = case.workspace_id
    if party.id in asked_already or party.slack_team is None or not people:
        return None
    since = now - timedelta(days=asking.config.cooldown_days)
    recent = await repo.asked_since(conn, workspace_id=workspace_id, user_ids=people, since=since)
    left = [p for p in people if p not in recent]
    if not left:
        return None
    number = await counters_repo.next_number(conn, workspace_id=workspace_id, kind="survey")
    survey_id = await repo.insert(
        conn,
        workspace_id=workspace_id,
        number=number,
        kind=SurveyKind.CASE,
        party_id=party.id,
        title=None,
        questions=[rules.case_question(case.ref)],
        channel_id=channel_id,
        thread_ts=thread_ts,
        case_kind=case.kind,
        case_id=case.id,
        now=now,
        closes_at=asking.calendar.add_working_days(now, asking.config.open_for),
        remind_at=None,
    )
    await repo.invite(conn, survey_id=survey_id, workspace_id=workspace_id, user_ids=left, now=now)
    await notices.owe(
        conn,
        CaseSurveyPost(
            workspace_id=workspace_id,
            survey_id=survey_id,
            case_kind=case.kind.value,
            case_id=case.id,
        ),
        now=now,
        dedupe=f"survey-case:{survey_id}",
    )
    return survey_id


async def after_complaint(
    conn: AsyncConnection, complaint: Complaint, asking: Asking | None, now: datetime
) -> list[int]:
    """In the closing transaction: the customer's survey of C-n, in the complaint's own thread
    (its card). The ids of the surveys opened."""
    if asking is None or complaint.root_ts is None:
        return []
    case = _Case(complaint.workspace_id, CaseKind.COMPLAINT, complaint.id, complaint.ref)
    if not await _decided(conn, case, asking, now):
        return []
    found = await repo.for_case(conn, case_kind=case.kind, case_id=case.id)
    existing = {s.party.id for s in found}
    people = await repo.complaint_participants(
        conn, complaint_id=complaint.id, party_id=complaint.party.id
    )
    if complaint.complainant_id is not None:
        # The complainant is of the complaint's party by Slack's record (`complaints._whose`).
        people = list(dict.fromkeys([complaint.complainant_id, *people]))
    opened = await _ask(
        conn,
        case,
        party=complaint.party,
        people=people,
        channel_id=complaint.channel_id,
        thread_ts=complaint.root_ts,
        asked_already=existing,
        asking=asking,
        now=now,
    )
    return [opened] if opened is not None else []


async def after_dispute(
    conn: AsyncConnection, dispute: Dispute, asking: Asking | None, now: datetime
) -> list[int]:
    """In the resolving transaction: each outside party's survey of D-n, in the dispute's
    thread in the channel where that party's people replied (their own shared channel: the
    deliverer checks Slack's record of the channel before posting)."""
    if asking is None:
        return []
    case = _Case(dispute.workspace_id, CaseKind.DISPUTE, dispute.id, dispute.ref)
    if not await _decided(conn, case, asking, now):
        return []
    found = await repo.for_case(conn, case_kind=case.kind, case_id=case.id)
    existing = {s.party.id for s in found}
    threads = {c: ts for c, ts, _ in await timeline_repo.threads(conn, dispute_id=dispute.id)}
    replies = await repo.dispute_participants(conn, dispute_id=dispute.id)
    opened: list[int] = []
    for party in dispute.parties:
        said = [
            (person, channel) for person, channel in replies.get(party.id, []) if channel in threads
        ]
        if not said:
            continue
        channel = said[-1][1]  # the thread its people replied in last
        people = list(dict.fromkeys(person for person, c in said if c == channel))
        survey_id = await _ask(
            conn,
            case,
            party=party,
            people=people,
            channel_id=channel,
            thread_ts=threads[channel],
            asked_already=existing,
            asking=asking,
            now=now,
        )
        if survey_id is not None:
            opened.append(survey_id)
    return opened


# --- delivery -------------------------------------------------------------------------------


async def to_post(store: Store, *, survey_id: int) -> tuple[Survey, list[str]] | None:
    """The survey and whom it asks (for its post), or None if it is gone."""
    async with store.read() as conn:
        survey = await repo.by_id(conn, survey_id=survey_id)
        if survey is None:
            return None
        asked = await repo.invited(conn, survey_id=survey_id)
    return survey, sorted(asked)


async def record_post(store: Store, *, survey: Survey, ts: str) -> None:
    async with store.write() as conn:
        await repo.set_post(conn, survey_id=survey.id, ts=ts)


async def not_posted(store: Store, *, survey: Survey, now: datetime) -> None:
    """The thread is not the party's own channel after all (Slack's record of it): the survey
    is closed unposted and nobody counts as asked (their cooldown is not spent)."""
    async with store.write() as conn:
        await repo.close(conn, survey_id=survey.id, now=now, by=None)
        await repo.uninvite(conn, survey_id=survey.id)


# --- answers --------------------------------------------------------------------------------


async def _answerable(
    conn: AsyncConnection, *, workspace_id: str, number: int, actor: Person, now: datetime
) -> Survey:
    """The case survey this person may answer now, or why not (another party's or a missing
    survey are told alike; a person it did not ask, or a closed survey, are told so)."""
    survey = await repo.get(conn, workspace_id=workspace_id, number=number)
    if survey is None or survey.kind is not SurveyKind.CASE:
        raise NotFound("survey.case_not_found", number=number)
    rules.check_case_respondent(survey, actor, await repo.invited(conn, survey_id=survey.id))
    rules.check_open(survey, now)
    return survey


async def rate(
    store: Store, *, workspace_id: str, value: str, actor: Person, now: datetime
) -> Rated:
    """A press of a rating button (`Q-3:4`): the person's answer, replacing their earlier one
    (both kept). Presses racing each other end one after the other: one current answer."""
    number, rating = rules.parse_case_value(value)
    async with store.write() as conn:
        survey = await _answerable(
            conn, workspace_id=workspace_id, number=number, actor=actor, now=now
        )
        before_comment = await repo.current_answer(
            conn, survey_id=survey.id, respondent_id=actor.user_id
        )
        _, before = await repo.record_answer(
            conn,
            survey_id=survey.id,
            respondent_id=actor.user_id,
            party_id=survey.party.id,
            ratings={0: rating},
            # A comment given stays with the person's answer when they change their rating.
            comment=before_comment.comment if before_comment is not None else None,
            now=now,
        )
    return Rated(survey=survey, rating=rating, before=before)


async def may_comment(
    store: Store, *, workspace_id: str, number: int, actor: Person, now: datetime
) -> tuple[Survey, Answer]:
    """Before the comment form opens: the survey and the person's current answer."""
    async with store.read() as conn:
        survey = await _answerable(
            conn, workspace_id=workspace_id, number=number, actor=actor, now=now
        )
        answer = await repo.current_answer(conn, survey_id=survey.id, respondent_id=actor.user_id)
    if answer is None:
        raise NotFound("survey.no_answer_yet", ref=survey.ref)
    return survey, answer


async def comment(
    store: Store, *, workspace_id: str, number: int, actor: Person, text: str, now: datetime
) -> Survey:
    """The comment form: set on the person's current answer. Internal: never posted."""
    said = rules.check_case_comment(text)
    async with store.write() as conn:
        survey = await _answerable(
            conn, workspace_id=workspace_id, number=number, actor=actor, now=now
        )
        answer = await repo.current_answer(conn, survey_id=survey.id, respondent_id=actor.user_id)
        if answer is None:
            raise NotFound("survey.no_answer_yet", ref=survey.ref)
        await repo.set_comment(conn, response_id=answer.id, comment=said)
    return survey
