"""Periodic satisfaction surveys: `/survey send|schedule|list|show|close|unschedule`, the
questionnaire form, the one reminder, closing on time, and the scheduled sends.

A periodic survey asks the configured questions (`[surveys] questions`, frozen into the survey
when it is sent) in its party's shared channel, for `[surveys] open_for` working days; its one
reminder is due the working day before it closes. Results are internal: the post shows only
how many answered.

Who answers: a person of the survey's own party by Slack's record (`rules.check_respondent`);
an insider pressing Answer is told the results are theirs to read with `/survey show`. Every
step of `/survey` is insiders-only.

Exactly once: a scheduled send claims its occurrence by moving the schedule's `next_at` with
a conditional update in the transaction that opens the survey; the reminder is claimed by its
flag (`claim_reminder`); closing is a conditional update (`repo.close`). The closing job also
closes case surveys whose time ran out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config.models import SurveysConfig
from bot.domain import surveys as rules
from bot.domain.calendar import WorkCalendar
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.notices import SurveyPost, SurveyRefresh, SurveyReminder
from bot.domain.parties import Party, Person, internal_only, is_external
from bot.domain.recurrence import Recurrence, next_occurrence
from bot.domain.recurrence_words import normalize, parse_recurrence, starts_like_recurrence
from bot.domain.surveys import Answer, Results, Survey, SurveyKind, SurveySchedule, SurveyStatus
from bot.store import Store
from bot.store import counters as counters_repo
from bot.store import parties as parties_repo
from bot.store import survey_schedules as schedules_repo
from bot.store import surveys as repo
from bot.workflows import notices

OUTSIDERS = "survey.outsiders"
LIST_LIMIT = 20


@dataclass(frozen=True)
class Sending:
    """What opening a periodic survey needs: the `[surveys]` settings and the working days."""

    config: SurveysConfig
    calendar: WorkCalendar


@dataclass(frozen=True)
class Listed:
    surveys: list[Survey]
    total: int
    schedules: list[SurveySchedule]
    counts: dict[int, int]  # survey id → current answers
    party: Party | None


@dataclass(frozen=True)
class Answered:
    survey: Survey
    before: Answer | None


# --- reading what was typed -------------------------------------------------------------------


async def _party_and_rest(conn: AsyncConnection, workspace_id: str, text: str) -> tuple[Party, str]:
    """The party the text starts with (the longest name that fits), and what follows it."""
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("survey.party_needed")
    parties = await parties_repo.in_workspace(conn, workspace_id=workspace_id)
    found = rules.split_leading_name(text, [p.name for p in parties])
    if found is None:
        raise NotFound("survey.no_party", name=text[:80])
    name, rest = found
    party = next(p for p in parties if p.name == name)
    return party, rest


async def _party_named(conn: AsyncConnection, workspace_id: str, text: str) -> Party:
    party, rest = await _party_and_rest(conn, workspace_id, text)
    if rest:
        raise NotFound("survey.no_party", name=" ".join(text.split())[:80])
    return party


def _before_recurrence(text: str) -> str:
    """`Contoso every quarter` → "Contoso": what precedes the first word (any character in
    Chinese) that reads like a repeating time; the whole text if none does."""
    for at in range(1, len(text)):
        if text[at - 1].isascii() and text[at - 1].isalnum() and text[at].isascii():
            continue
        if starts_like_recurrence(normalize(text[at:])):
            return text[:at].strip()
    return text


def _checked_party(party: Party) -> Party:
    if party.slack_team is None:
        raise InvalidInput("survey.no_team", name=party.name)
    return party


# --- sending ----------------------------------------------------------------------------------


async def to_send(
    store: Store, *, workspace_id: str, actor: Person, text: str
) -> tuple[Party, str | None]:
    """`/survey send <party> [title]` read: the party (one with people in Slack, whose shared
    channel the adapter then finds) and the title, checked. Nothing is stored yet."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.read() as conn:
        party, rest = await _party_and_rest(conn, workspace_id, text)
    return _checked_party(party), rules.check_title(rest)


async def _open(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party: Party,
    title: str | None,
    channel_id: str,
    sending: Sending,
    now: datetime,
    sent_by: str | None,
    schedule_id: int | None = None,
) -> Survey:
    number = await counters_repo.next_number(conn, workspace_id=workspace_id, kind="survey")
    open_for = sending.config.open_for
    closes_at = sending.calendar.add_working_days(now, open_for)
    remind_at = sending.calendar.add_working_days(now, open_for - 1) if open_for > 1 else None
    survey_id = await repo.insert(
        conn,
        workspace_id=workspace_id,
        number=number,
        kind=SurveyKind.PERIODIC,
        party_id=party.id,
        title=title,
        questions=list(sending.config.questions),
        channel_id=channel_id,
        now=now,
        schedule_id=schedule_id,
        sent_by=sent_by,
        closes_at=closes_at,
        remind_at=remind_at,
    )
    await notices.owe(
        conn,
        SurveyPost(workspace_id=workspace_id, survey_id=survey_id),
        now=now,
        dedupe=f"survey-post:{survey_id}",
    )
    survey = await repo.by_id(conn, survey_id=survey_id)
    assert survey is not None
    return survey


async def send(
    store: Store,
    *,
    workspace_id: str,
    actor: Person,
    party: Party,
    title: str | None,
    channel_id: str,
    sending: Sending,
    now: datetime,
) -> Survey:
    """Open Q-n for the party in its shared channel; its post is owed with it."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        return await _open(
            conn,
            workspace_id=workspace_id,
            party=party,
            title=title,
            channel_id=channel_id,
            sending=sending,
            now=now,
            sent_by=actor.user_id,
        )


async def schedule(
    store: Store,
    *,
    workspace_id: str,
    actor: Person,
    text: str,
    calendar: WorkCalendar,
    now: datetime,
) -> tuple[SurveySchedule, Recurrence]:
    """`/survey schedule <party> every quarter` (any recurrence `/review schedule` reads, in
    English or Chinese): the schedule and its first send, on the working-day calendar."""
    internal_only(actor, workspace_id, OUTSIDERS)
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("survey.party_needed")
    async with store.write() as conn:
        # The party first (the longest name the text starts with: `Each Corp every month`
        # is Each Corp's), then the repeating time is the rest.
        parties = await parties_repo.in_workspace(conn, workspace_id=workspace_id)
        found = rules.split_leading_name(text, [p.name for p in parties])
        if found is None:
            raise NotFound("survey.no_party", name=_before_recurrence(text)[:80])
        name, when = found
        rule = parse_recurrence(when, now=now, tz=calendar.tz) if when else None
        if rule is None:
            raise InvalidInput("survey.schedule_when", text=(when or text)[:80])
        first = next_occurrence(rule, after=now, tz=calendar.tz, calendar=calendar)
        party = _checked_party(next(p for p in parties if p.name == name))
        if await schedules_repo.active(conn, workspace_id=workspace_id, party_id=party.id):
            raise InvalidInput("survey.scheduled_already", name=party.name)
        schedule_id = await schedules_repo.insert(
            conn,
            workspace_id=workspace_id,
            party_id=party.id,
            title=None,
            recurrence=rule.to_storage(),
            next_at=first,
            created_by=actor.user_id,
            now=now,
        )
        (made,) = [
            s
            for s in await schedules_repo.active(conn, workspace_id=workspace_id, party_id=party.id)
            if s.id == schedule_id
        ]
    return made, rule


async def unschedule(
    store: Store, *, workspace_id: str, actor: Person, text: str
) -> SurveySchedule:
    """`/survey unschedule <party>`: its schedule stopped (the surveys it sent stay)."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        party = await _party_named(conn, workspace_id, text)
        found = await schedules_repo.active(conn, workspace_id=workspace_id, party_id=party.id)
        if not found:
            raise NotFound("survey.not_scheduled", name=party.name)
        for each in found:
            await schedules_repo.stop(conn, schedule_id=each.id)
    return found[0]


# --- reading ----------------------------------------------------------------------------------


async def _get(conn: AsyncConnection, workspace_id: str, text: str) -> Survey:
    number = rules.parse_number(text)
    survey = await repo.get(conn, workspace_id=workspace_id, number=number)
    if survey is None:
        raise NotFound("survey.not_found", number=number)
    return survey


async def list_surveys(store: Store, *, workspace_id: str, actor: Person, text: str) -> Listed:
    """`/survey list [party]`: the newest surveys (periodic and case), with their counts of
    answers, and the schedules. Internal."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.read() as conn:
        party = await _party_named(conn, workspace_id, text) if text.strip() else None
        party_id = party.id if party is not None else None
        found, total = await repo.find(
            conn, workspace_id=workspace_id, party_id=party_id, limit=LIST_LIMIT
        )
        counts = await repo.answer_counts(conn, survey_ids=[s.id for s in found])
        schedules = await schedules_repo.active(conn, workspace_id=workspace_id, party_id=party_id)
    return Listed(surveys=found, total=total, schedules=schedules, counts=counts, party=party)


async def show(store: Store, *, workspace_id: str, actor: Person, text: str) -> Results:
    """`/survey show Q-n`: averages per question, answers, response rate and comments."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.read() as conn:
        survey = await _get(conn, workspace_id, text)
        current = await repo.answers(conn, survey_id=survey.id)
        asked = len(await repo.invited(conn, survey_id=survey.id))
    return rules.results(survey, current, asked)


async def close(
    store: Store, *, workspace_id: str, actor: Person, text: str, now: datetime
) -> Survey:
    """`/survey close Q-n`: closed early; its post shows it closed, without Answer."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        survey = await _get(conn, workspace_id, text)
        if not await repo.close(conn, survey_id=survey.id, now=now, by=actor.user_id):
            raise InvalidInput("survey.closed_already", ref=survey.ref)
        if survey.kind is SurveyKind.PERIODIC:
            await notices.owe(
                conn, SurveyRefresh(workspace_id=workspace_id, survey_id=survey.id), now=now
            )
        closed = await repo.by_id(conn, survey_id=survey.id)
    assert closed is not None
    return closed


# --- answering --------------------------------------------------------------------------------


async def _answerable(
    conn: AsyncConnection, *, workspace_id: str, number: int, actor: Person, now: datetime
) -> Survey:
    survey = await repo.get(conn, workspace_id=workspace_id, number=number)
    if survey is None or survey.kind is not SurveyKind.PERIODIC:
        raise NotFound("survey.case_not_found", number=number)
    if not is_external(actor, workspace_id) and not actor.is_bot:
        raise NotAllowed("survey.insider", ref=survey.ref)
    rules.check_respondent(survey, actor)
    rules.check_open(survey, now)
    return survey


async def may_answer(
    store: Store, *, workspace_id: str, number: int, actor: Person, now: datetime
) -> tuple[Survey, Answer | None]:
    """Before the questionnaire opens: the survey and the person's current answer, if any."""
    async with store.read() as conn:
        survey = await _answerable(
            conn, workspace_id=workspace_id, number=number, actor=actor, now=now
        )
        before = await repo.current_answer(conn, survey_id=survey.id, respondent_id=actor.user_id)
    return survey, before


async def answer(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    ratings: dict[int, object],
    comment: str | None,
    now: datetime,
) -> Answered:
    """The questionnaire submitted: one rating 1-5 per question and an optional comment,
    replacing the person's earlier answer (both kept). The post's count is owed again."""
    said = rules.check_comment(comment)
    async with store.write() as conn:
        survey = await _answerable(
            conn, workspace_id=workspace_id, number=number, actor=actor, now=now
        )
        checked = rules.check_ratings(
            survey, {q: rules.check_rating(v, field=f"q{q}") for q, v in ratings.items()}
        )
        _, before = await repo.record_answer(
            conn,
            survey_id=survey.id,
            respondent_id=actor.user_id,
            party_id=survey.party.id,
            ratings=checked,
            comment=said,
            now=now,
        )
        await notices.owe(
            conn, SurveyRefresh(workspace_id=workspace_id, survey_id=survey.id), now=now
        )
    return Answered(survey=survey, before=before)


# --- digests and the Home ---------------------------------------------------------------------

DIGEST_LINES = 100


@dataclass(frozen=True)
class SurveyLine:
    survey: Survey
    answers: int


async def for_digest(
    store: Store, *, workspace_id: str, now: datetime, until: datetime | None
) -> list[SurveyLine]:
    """Open periodic surveys (closing by `until`, if given), soonest first; then, for a digest
    (`until` given), those closed in the last day. With their counts of answers."""
    async with store.read() as conn:
        found, _ = await repo.find(
            conn,
            workspace_id=workspace_id,
            status=SurveyStatus.OPEN,
            kind=SurveyKind.PERIODIC,
            limit=DIGEST_LINES,
        )
        shown = sorted(
            (s for s in found if until is None or (s.closes_at and s.closes_at <= until)),
            key=lambda s: (s.closes_at or now, s.number),
        )
        if until is not None:
            shown += await repo.closed_since(
                conn, workspace_id=workspace_id, since=now - timedelta(days=1)
            )
        counts = await repo.answer_counts(conn, survey_ids=[s.id for s in shown])
    return [SurveyLine(s, counts[s.id]) for s in shown]


# --- delivery ---------------------------------------------------------------------------------


async def to_deliver(store: Store, *, survey_id: int) -> tuple[Survey, int] | None:
    """The survey as it is now and its count of current answers, or None if it is gone."""
    async with store.read() as conn:
        survey = await repo.by_id(conn, survey_id=survey_id)
        if survey is None:
            return None
        count = (await repo.answer_counts(conn, survey_ids=[survey_id]))[survey_id]
    return survey, count


async def record_post(
    store: Store, *, survey: Survey, ts: str, asked: list[str], now: datetime
) -> None:
    """The post's ts, and the party's people in the channel when it was posted (asked)."""
    async with store.write() as conn:
        await repo.set_post(conn, survey_id=survey.id, ts=ts)
        await repo.invite(
            conn, survey_id=survey.id, workspace_id=survey.workspace_id, user_ids=asked, now=now
        )


async def not_posted(store: Store, *, survey: Survey, now: datetime) -> None:
    """The channel is not the party's own after all (Slack's record): closed unposted."""
    async with store.write() as conn:
        await repo.close(conn, survey_id=survey.id, now=now, by=None)


# --- over time (the ticker) -------------------------------------------------------------------


async def close_due(store: Store, *, now: datetime) -> list[Survey]:
    """Every survey whose time ran out, closed (periodic and case surveys alike); a periodic
    survey's post is owed its closed state."""
    closed: list[Survey] = []
    async with store.write() as conn:
        for survey in await repo.due_to_close(conn, now=now):
            if not await repo.close(conn, survey_id=survey.id, now=now, by=None):
                continue
            if survey.kind is SurveyKind.PERIODIC:
                await notices.owe(
                    conn,
                    SurveyRefresh(workspace_id=survey.workspace_id, survey_id=survey.id),
                    now=now,
                )
            closed.append(survey)
    return closed


async def remind_due(store: Store, *, now: datetime) -> list[Survey]:
    """The one reminder of each open periodic survey due one, claimed once (durable: the
    flag is set in the transaction that owes it)."""
    reminded: list[Survey] = []
    async with store.write() as conn:
        for survey in await repo.due_to_remind(conn, now=now):
            if survey.kind is not SurveyKind.PERIODIC or survey.post_ts is None:
                continue
            if not await repo.claim_reminder(conn, survey_id=survey.id):
                continue
            await notices.owe(
                conn,
                SurveyReminder(workspace_id=survey.workspace_id, survey_id=survey.id),
                now=now,
                dedupe=f"survey-reminder:{survey.id}",
            )
            reminded.append(survey)
    return reminded


async def due_schedules(store: Store, *, now: datetime) -> list[SurveySchedule]:
    async with store.read() as conn:
        return await schedules_repo.due(conn, now=now)


def _following(schedule: SurveySchedule, *, now: datetime, calendar: WorkCalendar) -> datetime:
    """The schedule's next send after this one (never in the past: missed ones are not sent)."""
    rule = Recurrence.from_storage(schedule.recurrence)
    after = max(now, schedule.next_at)
    return next_occurrence(rule, after=after, tz=calendar.tz, calendar=calendar)


async def send_scheduled(
    store: Store,
    *,
    schedule: SurveySchedule,
    channel_id: str | None,
    sending: Sending,
    now: datetime,
) -> Survey | None:
    """One due occurrence: claimed by moving `next_at` on, and the survey opened in the same
    transaction (or, with no shared channel to post in, skipped). None if another tick or
    instance took it, or it was skipped."""
    following = _following(schedule, now=now, calendar=sending.calendar)
    async with store.write() as conn:
        if not await schedules_repo.advance(
            conn, schedule_id=schedule.id, was=schedule.next_at, to=following
        ):
            return None
        if channel_id is None:
            return None
        return await _open(
            conn,
            workspace_id=schedule.workspace_id,
            party=schedule.party,
            title=schedule.title,
            channel_id=channel_id,
            sending=sending,
            now=now,
            sent_by=None,
            schedule_id=schedule.id,
        )
