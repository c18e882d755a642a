"""Disputes: opening one, finding them, and reading one's record and clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain import lists
from bot.domain.calendar import WorkCalendar
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.ladder import Action, LadderState, Stage, Status, limit_of, transition
from bot.domain.lists import ListScope
from bot.domain.marks import N_, Words
from bot.domain.notices import (
    DisputeCard,
    DisputeLine,
    DisputeRefresh,
    DisputeTell,
    DossierDue,
)
from bot.domain.parties import Audience, Party, Person, internal_only, is_external
from bot.domain.text import channel as channel_token
from bot.domain.text import clean_line
from bot.domain.timeline import TimelineKind
from bot.store import Store
from bot.store import counters as counters_repo
from bot.store import disputes as repo
from bot.store import disputes_timeline as timeline_repo
from bot.workflows import notices, survey_cases
from bot.workflows.parties import party_for_team

TITLE_LIMIT = 150
LIST_LIMIT = 25


@dataclass(frozen=True)
class StageClock:
    """Where a dispute stands against its stage's time limit."""

    due_at: datetime | None
    working_days_left: int | None  # negative when overdue
    # The named holidays between now and the deadline (local dates), which push it out, and
    # the calendar that names them in the reader's language.
    holidays: tuple[date, ...] = ()
    calendar: WorkCalendar | None = field(default=None, compare=False)

    @property
    def overdue(self) -> bool:
        return self.working_days_left is not None and self.working_days_left < 0


@dataclass(frozen=True)
class DisputePage:
    disputes: list[Dispute]
    total: int


def parse_number(text: str) -> int:
    """`D-3`, `d3`, `D 3` or `3` → 3; anything else is refused with how to write it."""
    raw = text.strip().upper().removeprefix("D").strip().removeprefix("-").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise InvalidInput("dispute.bad_id", text=text.strip()[:40])
    return int(raw)


def stage_limit(config: ParleyConfig, stage: Stage, parties: Sequence[Party]) -> int | None:
    """The stage's limit in working days, by the ladder's rule over what each party agreed."""
    agreed = [config.agreed_limits(p.name) for p in parties]
    return limit_of(stage, config.ladder.limits, agreed)


def stage_clock(dispute: Dispute, *, now: datetime, calendar: WorkCalendar) -> StageClock:
    if dispute.stage_due_at is None or not dispute.is_open:
        return StageClock(due_at=dispute.stage_due_at, working_days_left=None)
    left = calendar.working_days_between(now, dispute.stage_due_at)
    if dispute.stage_due_at < now:
        return StageClock(due_at=dispute.stage_due_at, working_days_left=min(left, -1))
    between = calendar.holidays_between(
        now.astimezone(calendar.tz).date(), dispute.stage_due_at.astimezone(calendar.tz).date()
    )
    return StageClock(
        due_at=dispute.stage_due_at,
        working_days_left=left,
        holidays=tuple(between),
        calendar=calendar,
    )


async def open_dispute(
    store: Store,
    *,
    workspace_id: str,
    channel_id: str,
    owner: Person,
    title: str,
    people: Sequence[Person],
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
) -> Dispute:
    """Open D-n at the first stage, owned by whoever opened it.

    Each external person brings in the party their team speaks for; the stage's clock is
    the strictest limit agreed with those parties, counted in working days.
    """
    internal_only(owner, workspace_id, "dispute.outsiders_open")
    title = clean_line(
        title, limit=TITLE_LIMIT, empty="dispute.title_empty", too_long="dispute.title_too_long"
    )
    bots = [p for p in people if p.is_bot]
    if bots:
        raise InvalidInput("dispute.bot", field="people", name=bots[0].name)
    async with store.write() as conn:
        number = await counters_repo.next_number(conn, workspace_id=workspace_id, kind="dispute")
        member_party: dict[str, Party | None] = {}
        found: dict[int, Party] = {}
        for person in people:
            party = None
            if is_external(person, workspace_id):
                party = await party_for_team(
                    conn,
                    workspace_id=workspace_id,
                    team_id=person.team_id,
                    team_name=person.team_name,
                    config=config,
                    now=now,
                )
                found.setdefault(party.id, party)
            member_party[person.user_id] = party
        involved = list(found.values())
        limit = stage_limit(config, Stage.COORDINATION, involved)
        due = calendar.add_working_days(now, limit) if limit else None
        dispute_id = await repo.insert(
            conn,
            workspace_id=workspace_id,
            number=number,
            title=title,
            channel_id=channel_id,
            owner_id=owner.user_id,
            stage=Stage.COORDINATION,
            now=now,
            stage_due_at=due,
        )
        await timeline_repo.add_event(
            conn,
            dispute_id=dispute_id,
            kind=TimelineKind.OPENED,
            at=now,
            actor_id=owner.user_id,
            text=title,
            stage=Stage.COORDINATION,
        )
        for party in involved:
            await repo.add_party(conn, dispute_id=dispute_id, party_id=party.id, now=now)
            await timeline_repo.add_event(
                conn,
                dispute_id=dispute_id,
                kind=TimelineKind.PARTY_ADDED,
                at=now,
                actor_id=owner.user_id,
                party_id=party.id,
            )
        for user_id, maybe_party in member_party.items():
            if user_id != owner.user_id:
                await repo.add_member(
                    conn,
                    dispute_id=dispute_id,
                    user_id=user_id,
                    party_id=maybe_party.id if maybe_party else None,
                    now=now,
                )
        await notices.owe(
            conn,
            DisputeCard(
                workspace_id=workspace_id,
                dispute_id=dispute_id,
                owner_id=owner.user_id,
                what=N_("the card of D-{number}"),
                what_facts={"number": str(number)},
            ),
            now=now,
        )
        dispute = await repo.get(conn, workspace_id=workspace_id, number=number)
    assert dispute is not None
    return dispute


async def dispute_by_id(store: Store, *, dispute_id: int) -> Dispute | None:
    """The dispute as it is now (for a notice being delivered), or None if it is gone."""
    async with store.read() as conn:
        return await repo.get_by_id(conn, dispute_id=dispute_id)


async def record_card(store: Store, *, dispute: Dispute, ts: str) -> Dispute:
    """Remember the message that is the dispute's card and home thread."""
    async with store.write() as conn:
        await timeline_repo.set_root(
            conn, dispute_id=dispute.id, channel_id=dispute.channel_id, ts=ts
        )
    return dispute.model_copy(update={"root_ts": ts})


async def get_dispute(
    store: Store, *, workspace_id: str, number: int, audience: Audience
) -> Dispute:
    """D-n as this audience may see it; a dispute of other parties is as good as absent."""
    async with store.read() as conn:
        dispute = await repo.get(conn, workspace_id=workspace_id, number=number)
    if dispute is None or not dispute.concerns(audience):
        if audience.internal:
            raise NotFound("dispute.not_found", number=number)
        raise NotFound("dispute.not_found_here", number=number)
    return dispute


async def dispute_record(
    store: Store, *, workspace_id: str, number: int, audience: Audience
) -> tuple[Dispute, list[TimelineEvent]]:
    """The dispute and its timeline, oldest first."""
    dispute = await get_dispute(store, workspace_id=workspace_id, number=number, audience=audience)
    async with store.read() as conn:
        events = await timeline_repo.events(conn, dispute_id=dispute.id)
    return dispute, events


async def list_disputes(
    store: Store,
    *,
    workspace_id: str,
    scope: ListScope,
    user_id: str,
    audience: Audience,
    now: datetime,
    limit: int = LIST_LIMIT,
) -> DisputePage:
    """Newest first: `open` ones, `overdue` ones, open ones that are `mine`, or `all`."""
    statuses = None if scope is ListScope.ALL else [Status.OPEN]
    async with store.read() as conn:
        found, total = await repo.find(
            conn,
            workspace_id=workspace_id,
            statuses=statuses,
            member=user_id if scope is ListScope.MINE else None,
            due_before=now if scope is ListScope.OVERDUE else None,
            team_ids=None if audience.internal else audience.team_ids,
            limit=limit,
        )
    return DisputePage(disputes=found, total=total)


def parse_scope(text: str) -> ListScope:
    """The list asked for (`open` when none is named)."""
    return lists.parse_scope(text, "dispute.bad_scope")


REASON_LIMIT = 2000
NOTE_LIMIT = 3000


@dataclass(frozen=True)
class Tell:
    """A channel to tell about a change (the dispute-process or legal channel)."""

    channel_id: str
    why: str


@dataclass(frozen=True)
class Change:
    """What an accepted action did: the dispute after it, and whom to tell."""

    dispute: Dispute
    # The event it put on the record; None for people added (one event per party brought in).
    kind: TimelineKind | None
    text: str
    tell: tuple[Tell, ...] = ()


# How to write each action: its example, and the codes of an empty or a too long text.
WHAT_TO_WRITE = {
    Action.ESCALATE: Words(N_("`/dispute escalate D-3 Supplier missed the fix date`")),
    Action.RESOLVE: Words(N_("`/dispute resolve D-3 Credit note issued for March`")),
    Action.WITHDRAW: Words(N_("`/dispute withdraw D-3 Raised in error`")),
    Action.REOPEN: Words(N_("`/dispute reopen D-3 The fix did not hold`")),
}
# What a failed notice was, for its owner's DM (bot/commands/delivery.py: tell_failure).
LINE_WORDS = {
    TimelineKind.ESCALATED: N_("the escalated line in the thread of {ref}"),
    TimelineKind.RESOLVED: N_("the resolved line in the thread of {ref}"),
    TimelineKind.WITHDRAWN: N_("the withdrawn line in the thread of {ref}"),
    TimelineKind.REOPENED: N_("the reopened line in the thread of {ref}"),
}
TELL_WORDS = {
    "company_process": N_("the company process notice of {ref}"),
    "legal": N_("the legal notice of {ref}"),
}
_REASON_CODES = ("dispute.reason_empty", "dispute.reason_too_long")
_RESOLUTION_CODES = ("dispute.resolution_empty", "dispute.resolution_too_long")


async def _existing(conn: AsyncConnection, *, workspace_id: str, number: int) -> Dispute:
    dispute = await repo.get(conn, workspace_id=workspace_id, number=number)
    if dispute is None:
        raise NotFound("dispute.not_found", number=number)
    return dispute


# Why an outsider is refused, and what they may do instead.
OUTSIDERS = "dispute.outsiders"


async def act(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    action: Action,
    actor: Person,
    text: str,
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
    asking: survey_cases.Asking | None = None,
) -> Change:
    """Escalate, resolve, withdraw or reopen D-n through the ladder, with a reason on the record.

    The stage's new clock starts now; entering company_process tells the dispute-process
    channel, entering legal (approvers only) tells the legal channel and puts the record
    under legal hold.
    """
    internal_only(actor, workspace_id, OUTSIDERS)
    empty, too_long = _RESOLUTION_CODES if action is Action.RESOLVE else _REASON_CODES
    text = clean_line(
        text, limit=REASON_LIMIT, empty=empty, too_long=too_long, example=WHAT_TO_WRITE[action]
    )
    async with store.write() as conn:
        dispute = await _existing(conn, workspace_id=workspace_id, number=number)
        return await apply_action(
            conn,
            dispute=dispute,
            action=action,
            actor=actor,
            text=text,
            config=config,
            calendar=calendar,
            now=now,
            asking=asking,
        )


async def apply_action(
    conn: AsyncConnection,
    *,
    dispute: Dispute,
    action: Action,
    actor: Person,
    text: str,
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
    asking: survey_cases.Asking | None = None,
) -> Change:
    """Move the dispute through the ladder in the caller's transaction, with its event and
    what people are owed: a line in the thread, the card edited, the right channels told."""
    before = LadderState(dispute.stage, dispute.status)
    move = transition(
        before, action, ref=dispute.ref, is_approver=actor.user_id in config.people.approvers
    )
    limit = stage_limit(config, move.after.stage, dispute.parties)
    due = calendar.add_working_days(now, limit) if move.restarts_clock and limit else None
    entered_legal = move.stage_changed and move.after.stage is Stage.LEGAL
    moved = await repo.move(
        conn,
        dispute_id=dispute.id,
        stage=before.stage,
        status=before.status,
        to_stage=move.after.stage,
        to_status=move.after.status,
        now=now,
        stage_due_at=due,
        restart_clock=move.restarts_clock,
        resolution=text if action is Action.RESOLVE else None,
        legal_hold=entered_legal,
    )
    if not moved:
        raise InvalidInput("dispute.changed", ref=dispute.ref)
    await timeline_repo.add_event(
        conn,
        dispute_id=dispute.id,
        kind=move.event_kind,
        at=now,
        actor_id=actor.user_id,
        text=text,
        stage=move.after.stage,
    )
    after = await repo.get_by_id(conn, dispute_id=dispute.id)
    assert after is not None
    tell: list[Tell] = []
    entered_process = move.stage_changed and move.after.stage is Stage.COMPANY_PROCESS
    if entered_process and config.channels.dispute_process:
        tell.append(Tell(config.channels.dispute_process, "company_process"))
    if entered_legal and config.channels.legal:
        tell.append(Tell(config.channels.legal, "legal"))
    await notices.owe(
        conn,
        DisputeLine(
            workspace_id=dispute.workspace_id,
            dispute_id=dispute.id,
            event=move.event_kind,
            text=text,
            actor_id=actor.user_id,
            owner_id=after.owner_id,
            what=LINE_WORDS.get(move.event_kind, N_("the line in the thread of {ref}")),
            what_facts={"ref": dispute.ref},
        ),
        now=now,
    )
    await notices.owe(conn, DisputeRefresh.of(dispute), now=now)
    for one in tell:
        await notices.owe(
            conn,
            DisputeTell(
                workspace_id=dispute.workspace_id,
                dispute_id=dispute.id,
                channel_id=one.channel_id,
                why=one.why,
                text=text,
                actor_id=actor.user_id,
                owner_id=actor.user_id,
                what=TELL_WORDS.get(one.why, N_("the notice of {ref}")),
                what_facts={"ref": dispute.ref},
            ),
            now=now,
        )
    if entered_legal and config.channels.legal:
        # The legal channel gets the whole record as a file too, once, as of its delivery.
        legal = DossierDue.for_legal(
            after, actor_id=actor.user_id, channel_id=config.channels.legal
        )
        await notices.owe(conn, legal, now=now)
    if action is Action.RESOLVE:
        # Each outside party's people who took part are asked how it was handled (decided
        # once per dispute; `asking` None: no survey).
        await survey_cases.after_dispute(conn, after, asking, now)
    return Change(dispute=after, kind=move.event_kind, text=text, tell=tuple(tell))


async def add_note(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    text: str,
    now: datetime,
) -> Change:
    """An internal note on the record: exported, never shown to a party."""
    internal_only(actor, workspace_id, OUTSIDERS)
    text = clean_line(
        text, limit=NOTE_LIMIT, empty="dispute.note_empty", too_long="dispute.note_too_long"
    )
    async with store.write() as conn:
        dispute = await _existing(conn, workspace_id=workspace_id, number=number)
        if not dispute.is_open:
            raise InvalidInput("dispute.closed_no_notes", ref=dispute.ref, status=dispute.status)
        await timeline_repo.add_event(
            conn,
            dispute_id=dispute.id,
            kind=TimelineKind.NOTE,
            at=now,
            actor_id=actor.user_id,
            text=text,
        )
    return Change(dispute=dispute, kind=TimelineKind.NOTE, text=text)


async def add_people(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    people: Sequence[Person],
    config: ParleyConfig,
    now: datetime,
) -> Change:
    """Bring people into D-n; an external person brings in the party their team speaks for."""
    internal_only(actor, workspace_id, OUTSIDERS)
    if not people:
        raise InvalidInput("dispute.whom")
    bots = [p for p in people if p.is_bot]
    if bots:
        raise InvalidInput("dispute.bot", field="people", name=bots[0].name)
    async with store.write() as conn:
        dispute = await _existing(conn, workspace_id=workspace_id, number=number)
        if not dispute.is_open:
            raise InvalidInput("dispute.closed_no_joining", ref=dispute.ref, status=dispute.status)
        added: list[str] = []
        for person in people:
            party = None
            if is_external(person, workspace_id):
                party = await party_for_team(
                    conn,
                    workspace_id=workspace_id,
                    team_id=person.team_id,
                    team_name=person.team_name,
                    config=config,
                    now=now,
                )
                if await repo.add_party(conn, dispute_id=dispute.id, party_id=party.id, now=now):
                    await timeline_repo.add_event(
                        conn,
                        dispute_id=dispute.id,
                        kind=TimelineKind.PARTY_ADDED,
                        at=now,
                        actor_id=actor.user_id,
                        party_id=party.id,
                    )
            if person.user_id != dispute.owner_id and await repo.add_member(
                conn,
                dispute_id=dispute.id,
                user_id=person.user_id,
                party_id=party.id if party else None,
                now=now,
            ):
                added.append(person.user_id)
        if not added:
            raise InvalidInput("dispute.all_members", ref=dispute.ref)
        await notices.owe(conn, DisputeRefresh.of(dispute), now=now)
        after = await repo.get(conn, workspace_id=workspace_id, number=number)
    assert after is not None
    return Change(dispute=after, kind=None, text=" ".join(added))


async def check_link(
    store: Store, *, workspace_id: str, number: int, actor: Person, channel_id: str
) -> Dispute:
    """May D-n get a linked thread in this channel? The dispute, or a DomainError saying why."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.read() as conn:
        dispute = await _existing(conn, workspace_id=workspace_id, number=number)
        if not dispute.is_open:
            raise InvalidInput("dispute.closed_no_thread", ref=dispute.ref, status=dispute.status)
        known = await timeline_repo.threads(conn, dispute_id=dispute.id)
    if any(channel == channel_id for channel, _, _ in known):
        raise InvalidInput(
            "dispute.thread_known", ref=dispute.ref, channel=channel_token(channel_id)
        )
    return dispute


async def link_thread(
    store: Store,
    *,
    dispute: Dispute,
    channel_id: str,
    channel_name: str,
    ts: str,
    actor: Person,
    now: datetime,
) -> None:
    """Record the linked root posted in another channel: its replies are the dispute's too."""
    async with store.write() as conn:
        await timeline_repo.add_thread(
            conn, dispute_id=dispute.id, channel_id=channel_id, ts=ts, kind="linked"
        )
        await timeline_repo.add_event(
            conn,
            dispute_id=dispute.id,
            kind=TimelineKind.THREAD_LINKED,
            at=now,
            actor_id=actor.user_id,
            text=f"#{channel_name} ({channel_id})",
        )
        await notices.owe(conn, DisputeRefresh.of(dispute), now=now)


async def dispute_threads(store: Store, *, dispute: Dispute) -> list[tuple[str, str, str]]:
    """(channel, ts, kind) of every thread of the dispute, home first."""
    async with store.read() as conn:
        return await timeline_repo.threads(conn, dispute_id=dispute.id)
