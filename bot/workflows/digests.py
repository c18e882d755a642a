"""Daily digests: when each one is due, what it says, and the scheduler's claim on it.

This module owns three things.

*When.* A subscription names a local wall-clock time and a time zone. Its digest is due at that
time on every working day of the configured holiday calendar (adjusted working weekends count;
holidays and the days they free up do not), reading the date in the subscription's zone. A
09:00 digest in Europe/Berlin is 09:00 on both sides of a daylight-saving change; a time that
does not exist on a day (the spring-forward gap) moves forward by the gap.

*What.* Built only from what Parley recorded (never from Slack's history), as sections, each
from a small provider: overdue stages first, then every other open dispute with its stage and
clock, then disputes whose parties replied since the last digest (and who), then the optional
sections of features that may not be installed (`bot.workflows.digest_extras`). An internal
channel sees the workspace's open business, a shared channel only what concerns its parties,
a person what they own or take part in. Each section shows at most `SECTION_LIMIT` lines and
says how many more there are; only the lines shown get a thread to link to.

*Once.* Each due digest has a key (`digest:channel:C123:2026-11-24`). After downtime only the
most recent due digest is sent (late); older missed ones are superseded by it. A due digest is
claimed on its subscription row and owed to the outbox in one transaction (`owe_digest`), so
two instances never both owe it, and once owed it is delivered once, retried with backoff
when Slack fails, never blocking the others.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.calendar import WorkCalendar
from bot.domain.digests import DigestKind, Subscription
from bot.domain.disputes import Dispute
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.ladder import Status
from bot.domain.parties import Audience, Person, internal_only
from bot.domain.text import channel as channel_token
from bot.store import Store
from bot.store import digests as repo
from bot.store import disputes as disputes_repo
from bot.store import homes as homes_repo
from bot.store import parties as parties_repo
from bot.workflows import digest_extras
from bot.workflows import notices_by_kind as notices
from bot.workflows.disputes import StageClock, stage_clock

DEFAULT_TIME = time(9, 0)
SECTION_LIMIT = 15
UPCOMING_WORKING_DAYS = 2  # reviews and action items: today and the next two working days
SEARCH_DAYS = 400  # a year with every holiday still has working days within this window
LEASE = timedelta(minutes=10)

# ------------------------------------------------------------------------------- when


_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")
TIME_EXAMPLE = "`/digest subscribe at 09:00`"


def parse_time(text: str, *, example: str = TIME_EXAMPLE) -> time:
    """`09:00` or `9:30` → a time of day; anything else is refused with how to write it.

    Full-width forms typed with a Chinese input method (`０９：００`) read the same."""
    raw = unicodedata.normalize("NFKC", text).strip()
    match = _TIME.match(raw)
    if match is None:
        shown = raw[:20] or "nothing"
        raise InvalidInput(
            f"`{shown}` is not a time. Write it as HH:MM on a 24-hour clock, like {example}."
        )
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise InvalidInput(
            f"`{raw}` is not a time of day: hours go from 00 to 23 and minutes from 00 to 59. "
            f"Write it like {example}."
        )
    return time(hour, minute)


def parse_at(text: str, *, example: str = TIME_EXAMPLE) -> time:
    """What follows `subscribe` or `me`: nothing (09:00), `at HH:MM` or `HH:MM`."""
    words = text.split()
    if not words:
        return DEFAULT_TIME
    if words[0].lower() == "at":
        words = words[1:]
        if not words:
            raise InvalidInput(f"At what time? Write it like {example}.")
    if len(words) > 1:
        raise InvalidInput(
            f"I read `{' '.join(words)[:40]}` as more than a time. Write it like {example}."
        )
    return parse_time(words[0], example=example)


def _wall(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Local wall-clock `at` on `day` as a UTC instant (gap: forward; overlap: earlier)."""
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz).astimezone(UTC)


def next_due(at: time, tz: ZoneInfo, calendar: WorkCalendar, *, after: datetime) -> datetime:
    """The first digest time strictly after `after`: `at` local on a working day, in UTC."""
    day = after.astimezone(tz).date()
    for _ in range(SEARCH_DAYS):
        if calendar.is_working_day(day):
            instant = _wall(day, at, tz)
            if instant > after:
                return instant
        day += timedelta(days=1)
    raise ValueError(f"no working day within {SEARCH_DAYS} days of {after.isoformat()}")


def latest_due(
    at: time,
    tz: ZoneInfo,
    calendar: WorkCalendar,
    *,
    now: datetime,
    not_before: datetime | None = None,
) -> datetime | None:
    """The most recent digest time at or before `now` and strictly after `not_before`.

    None when there is none (nothing has fallen due since `not_before`). After downtime this
    is the one digest that is still owed: the older ones it supersedes are not.
    """
    day = now.astimezone(tz).date()
    for _ in range(SEARCH_DAYS):
        instant = _wall(day, at, tz)
        if not_before is not None and instant <= not_before:
            return None  # and so is every earlier day's
        if instant <= now and calendar.is_working_day(day):
            return instant
        day -= timedelta(days=1)
    return None


def send_key(kind: DigestKind, target: str, due_at: datetime, tz: ZoneInfo) -> str:
    """What, for whom and which period: `digest:channel:C123:2026-11-24` (the local date)."""
    return f"digest:{kind.value}:{target}:{due_at.astimezone(tz).date().isoformat()}"


# ---------------------------------------------------------------------- subscriptions


# Why an outsider is refused, and what they may do instead.
OUTSIDERS = (
    "Only members of the workspace that runs Parley can subscribe to digests. "
    "To answer a dispute, reply in its thread."
)


async def subscribe(
    store: Store,
    *,
    workspace_id: str,
    kind: DigestKind,
    target: str,
    at: time,
    zone: str,
    actor: Person,
    now: datetime,
) -> tuple[Subscription, Subscription | None]:
    """Start (or move, or restart) the digest of a channel or a person.

    Returns the subscription and what it was before (None if it is new). A period already
    handled is not handled again: changing the time never sends a second digest that day.
    """
    internal_only(actor, workspace_id, OUTSIDERS)
    ZoneInfo(zone)  # an unknown zone is a bug upstream: fail before storing it
    async with store.write() as conn:
        before = await repo.get(conn, workspace_id=workspace_id, kind=kind, target=target)
        after = await repo.upsert(
            conn,
            workspace_id=workspace_id,
            kind=kind,
            target=target,
            at=at,
            zone=zone,
            actor_id=actor.user_id,
            now=now,
        )
    return after, before if before is not None and before.active else None


async def unsubscribe(
    store: Store, *, workspace_id: str, kind: DigestKind, target: str, actor: Person
) -> Subscription:
    """Stop a digest; NotFound if there is none to stop."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        found = await repo.get(conn, workspace_id=workspace_id, kind=kind, target=target)
        if found is None or not found.active:
            if kind is DigestKind.CHANNEL:
                raise NotFound(
                    "This channel gets no digest, so there is nothing to stop. "
                    "`/digest subscribe at 09:00` starts one."
                )
            raise NotFound("You get no digest by DM. `/digest me at 09:00` starts one.")
        await repo.deactivate(conn, subscription_id=found.id)
    return found.model_copy(update={"active": False})


async def find_subscription(
    store: Store, *, workspace_id: str, kind: DigestKind, target: str
) -> Subscription | None:
    """The active digest of a channel or person, if there is one."""
    async with store.read() as conn:
        found = await repo.get(conn, workspace_id=workspace_id, kind=kind, target=target)
    return found if found is not None and found.active else None


async def mark_posted(store: Store, *, subscription: Subscription, now: datetime) -> None:
    """A digest was posted on request: the next one counts replies from now."""
    async with store.write() as conn:
        await repo.mark_posted(conn, subscription_id=subscription.id, now=now)


# -------------------------------------------------------------------------- scheduler


@dataclass(frozen=True)
class DueDigest:
    """A digest that fell due and is owed, with the period its "new replies" cover."""

    subscription: Subscription
    due_at: datetime
    key: str
    since: datetime
    attempts: int = 0


def due_digest(
    subscription: Subscription, *, now: datetime, calendar: WorkCalendar
) -> DueDigest | None:
    """The digest this subscription owes now, or None (not due, handled, leased, backing off).

    Pure: the claim (`claim_digest`) is what makes it exclusive.
    """
    if not subscription.active:
        return None
    tz = subscription.tz
    not_before = max(filter(None, (subscription.subscribed_at, subscription.last_due_at)))
    due = latest_due(subscription.at, tz, calendar, now=now, not_before=not_before)
    if due is None:
        return None
    key = send_key(subscription.kind, subscription.target, due, tz)
    if subscription.lease_key == key:
        if subscription.lease_until is not None and subscription.lease_until > now:
            return None
        if subscription.next_attempt_at is not None and subscription.next_attempt_at > now:
            return None
    previous = latest_due(subscription.at, tz, calendar, now=due - timedelta(microseconds=1))
    since = subscription.last_sent_at or previous or subscription.subscribed_at
    return DueDigest(
        subscription=subscription,
        due_at=due,
        key=key,
        since=since,
        attempts=subscription.attempts if subscription.lease_key == key else 0,
    )


async def due_digests(store: Store, *, now: datetime, calendar: WorkCalendar) -> list[DueDigest]:
    """Every digest owed now, oldest subscription first (not yet claimed)."""
    async with store.read() as conn:
        subscriptions = await repo.active(conn)
    owed = [due_digest(s, now=now, calendar=calendar) for s in subscriptions]
    return [d for d in owed if d is not None]


async def owe_digest(store: Store, due: DueDigest, *, now: datetime) -> bool:
    """Claim the due digest and owe it to the outbox, in one transaction: True for the one
    caller that did. Its period counts as handled from then on (an empty digest is owed too,
    and not posted when its time comes)."""
    sub = due.subscription
    async with store.write() as conn:
        attempts = await repo.claim(
            conn, subscription_id=sub.id, key=due.key, now=now, lease_until=now + LEASE
        )
        if attempts is None:
            return False
        if not await repo.mark_done(
            conn, subscription_id=sub.id, key=due.key, due_at=due.due_at, now=now
        ):
            return False  # the key is in the ledger: this period went out already
        await notices.owe(
            conn,
            kind=notices.DIGEST,
            workspace_id=sub.workspace_id,
            lane=f"digest:{sub.kind.value}:{sub.target}",
            now=now,
            dedupe=due.key,
            subscription_id=sub.id,
            due_at=due.due_at.isoformat(),
            since=due.since.isoformat(),
            owner_id=sub.subscribed_by,
            what=f"the digest of {due.due_at.astimezone(sub.tz):%a %d %b}",
        )
    return True


async def owe_digest_now(
    store: Store,
    *,
    subscription: Subscription | None,
    workspace_id: str,
    channel_id: str,
    since: datetime,
    actor_id: str,
    now: datetime,
) -> None:
    """`/digest now`: the channel's digest owed at once (replies counted from `since`)."""
    async with store.write() as conn:
        await notices.owe(
            conn,
            kind=notices.DIGEST,
            workspace_id=workspace_id,
            lane=f"digest:{DigestKind.CHANNEL.value}:{channel_id}",
            now=now,
            subscription_id=subscription.id if subscription is not None else None,
            channel_id=channel_id,
            due_at=now.isoformat(),
            since=since.isoformat(),
            on_request=True,
            owner_id=actor_id,
            what=f"the digest you asked for in {channel_token(channel_id)}",
        )


async def subscription_by_id(store: Store, *, subscription_id: int) -> Subscription | None:
    async with store.read() as conn:
        return await repo.by_id(conn, subscription_id=subscription_id)


# ---------------------------------------------------------------------------- content


class SectionKey(StrEnum):
    OVERDUE = "overdue"
    OPEN = "open"
    REPLIES = "replies"
    REVIEWS = "reviews"
    ACTIONS = "actions"
    AGREEMENTS = "agreements"


@dataclass(frozen=True)
class Replier:
    """Somebody of a party who replied since the last digest."""

    user_id: str
    party: str


@dataclass(frozen=True)
class DigestEntry:
    """One line of a digest: a dispute (with its clock), or a review, action or agreement."""

    ref: str
    title: str
    dispute: Dispute | None = None
    clock: StageClock | None = None
    repliers: tuple[Replier, ...] = ()
    when: datetime | date | None = None
    when_label: str = ""  # "next", "due", "valid until"
    link: tuple[str, str] | None = None  # (channel, ts) of a thread this reader can open


@dataclass(frozen=True)
class DigestSection:
    key: SectionKey
    title: str
    entries: tuple[DigestEntry, ...]  # those shown
    total: int
    more: str  # where the rest are, e.g. "/dispute list overdue"

    @property
    def hidden(self) -> int:
        return max(0, self.total - len(self.entries))


@dataclass(frozen=True)
class Digest:
    sections: tuple[DigestSection, ...]

    @property
    def empty(self) -> bool:
        return not any(s.total for s in self.sections)

    @property
    def disputes(self) -> list[Dispute]:
        """Every dispute shown, once: what the message is about, for the isolation check."""
        seen: dict[int, Dispute] = {}
        for section in self.sections:
            for entry in section.entries:
                if entry.dispute is not None:
                    seen.setdefault(entry.dispute.id, entry.dispute)
        return list(seen.values())

    def section(self, key: SectionKey) -> DigestSection | None:
        return next((s for s in self.sections if s.key is key), None)


@dataclass(frozen=True)
class DigestRequest:
    """Whose digest, for which audience, and the period its "new replies" cover."""

    workspace_id: str
    audience: Audience
    now: datetime
    since: datetime
    calendar: WorkCalendar
    member: str | None = None  # a person's digest: what they own or take part in
    limit: int = SECTION_LIMIT
    extras: Sequence[digest_extras.OptionalSource] = field(
        default_factory=lambda: digest_extras.DIGEST_SOURCES
    )


def _due_order(pair: tuple[Dispute, StageClock]) -> tuple[int, datetime, int]:
    return _due_key(pair[0])


def _due_key(dispute: Dispute) -> tuple[int, datetime, int]:
    due = dispute.stage_due_at
    far = datetime.max.replace(tzinfo=UTC)
    return (0 if due is not None else 1, due or far, -dispute.number)


def _section(
    key: SectionKey, title: str, entries: Sequence[DigestEntry], more: str, limit: int
) -> DigestSection:
    return DigestSection(
        key=key, title=title, entries=tuple(entries[:limit]), total=len(entries), more=more
    )


def dispute_sections(
    disputes: Sequence[Dispute],
    *,
    now: datetime,
    calendar: WorkCalendar,
    personal: bool,
    limit: int = SECTION_LIMIT,
    totals: tuple[int, int] | None = None,
) -> list[DigestSection]:
    """Overdue stages first (longest overdue first), then every other open dispute by its
    deadline (soonest first; those without a limit last): one line each. `totals` are the
    (overdue, other) counts when `disputes` is only the page shown."""
    ordered = sorted((d for d in disputes if d.is_open), key=_due_key)
    late = [d for d in ordered if d.stage_due_at is not None and d.stage_due_at < now]
    rest = [d for d in ordered if d.stage_due_at is None or d.stage_due_at >= now]

    def entries(found: Sequence[Dispute]) -> list[DigestEntry]:
        # Clocks (working-day arithmetic) only for the lines shown; the rest are counted.
        return [
            DigestEntry(
                d.ref,
                d.title,
                dispute=d,
                clock=stage_clock(d, now=now, calendar=calendar) if i < limit else None,
            )
            for i, d in enumerate(found)
        ]

    overdue, running = entries(late), entries(rest)
    mine = " mine" if personal else ""
    sections = [
        _section(
            SectionKey.OVERDUE,
            "Overdue",
            overdue,
            "/dispute list overdue" if not personal else "/dispute list mine",
            limit,
        ),
        _section(SectionKey.OPEN, "Open disputes", running, f"/dispute list{mine}", limit),
    ]
    if totals is not None:
        sections = [
            replace(section, total=max(total, len(section.entries)))
            for section, total in zip(sections, totals, strict=True)
        ]
    return sections


async def replies_section(
    store: Store, request: DigestRequest, known: dict[int, Dispute]
) -> DigestSection:
    """Disputes whose parties replied since the last digest, latest first, with who replied.

    A shared channel hears only of its own parties' replies. Only the lines shown are
    loaded (found, ordered and counted in SQL); `known` are disputes already loaded.
    """
    team_ids = None if request.audience.internal else request.audience.team_ids
    async with store.read() as conn:
        shown, total = await repo.replied_disputes(
            conn,
            workspace_id=request.workspace_id,
            since=request.since,
            until=request.now,
            member=request.member,
            team_ids=team_ids,
            limit=request.limit,
        )
        who = await repo.repliers(
            conn, dispute_ids=shown, since=request.since, until=request.now, team_ids=team_ids
        )
        party_names = await parties_repo.by_ids(
            conn, ids=[p for found in who.values() for _, p in found]
        )
        missing = [i for i in shown if i not in known]
        loaded = {d.id: d for d in await disputes_repo.by_ids(conn, ids=missing)}
    found = {**known, **loaded}
    entries = []
    for dispute_id in shown:
        dispute = found.get(dispute_id)
        # Who may see what was narrowed in SQL; isolation is checked once more on the record.
        if dispute is None or not dispute.concerns(request.audience):
            continue
        repliers = tuple(
            dict.fromkeys(
                Replier(user_id=user_id, party=party_names[party_id].name)
                for user_id, party_id in who.get(dispute_id, [])
                if party_id in party_names
            )
        )
        entries.append(DigestEntry(dispute.ref, dispute.title, dispute=dispute, repliers=repliers))
    return DigestSection(
        key=SectionKey.REPLIES,
        title="New replies since the last digest",
        entries=tuple(entries),
        total=max(total, len(entries)),
        more="/dispute show D-n",
    )


def thread_for(
    threads: Sequence[tuple[str, str, str]], audience: Audience
) -> tuple[str, str] | None:
    """The thread a reader of this audience can open: the home thread internally; in a
    shared channel only the dispute's thread in that very channel."""
    if audience.internal:
        home = [(c, ts) for c, ts, kind in threads if kind == "home"]
        return home[0] if home else ((threads[0][0], threads[0][1]) if threads else None)
    here = [(c, ts) for c, ts, _ in threads if c == audience.channel_id]
    return here[0] if here else None


async def _with_links(store: Store, sections: list[DigestSection], audience: Audience) -> Digest:
    shown = [e.dispute.id for s in sections for e in s.entries if e.dispute is not None]
    async with store.read() as conn:
        threads = await repo.threads_of(conn, dispute_ids=shown)
    linked = []
    for section in sections:
        entries = tuple(
            DigestEntry(
                e.ref,
                e.title,
                dispute=e.dispute,
                clock=e.clock,
                repliers=e.repliers,
                when=e.when,
                when_label=e.when_label,
                link=thread_for(threads.get(e.dispute.id, []), audience)
                if e.dispute is not None
                else e.link,
            )
            for e in section.entries
        )
        linked.append(
            DigestSection(
                key=section.key,
                title=section.title,
                entries=entries,
                total=section.total,
                more=section.more,
            )
        )
    return Digest(sections=tuple(linked))


async def build_digest(store: Store, request: DigestRequest) -> Digest:
    """The digest for one channel or person, from what Parley recorded.

    Sections in order: overdue, open disputes, new replies since `request.since`, then the
    optional sections (reviews, action items, agreements) whose modules are installed. Each
    shows at most `request.limit` lines; every shown dispute line carries the thread this
    audience can open.
    """
    # Only the lines shown are loaded (ordered by deadline in SQL); the rest are counted.
    pages = {}
    async with store.read() as conn:
        for name, split in (
            ("late", {"due_before": request.now}),
            ("rest", {"due_from": request.now}),
        ):
            pages[name] = await disputes_repo.find(
                conn,
                workspace_id=request.workspace_id,
                statuses=[Status.OPEN],
                member=request.member,
                team_ids=None if request.audience.internal else request.audience.team_ids,
                limit=request.limit,
                by_due=True,
                **split,
            )
    disputes = [d for found, _ in pages.values() for d in found if d.concerns(request.audience)]
    sections = dispute_sections(
        disputes,
        now=request.now,
        calendar=request.calendar,
        personal=request.member is not None,
        limit=request.limit,
        totals=(pages["late"][1], pages["rest"][1]),
    )
    sections.append(await replies_section(store, request, {d.id: d for d in disputes}))
    args = digest_extras.SourceArgs(
        workspace_id=request.workspace_id,
        audience=request.audience,
        member=request.member,
        now=request.now,
        until=upcoming_until(request.now, request.calendar),
        tz=request.calendar.tz,
    )
    sections.extend(await _extra_sections(store, request.extras, args, request.limit))
    return await _with_links(store, sections, request.audience)


async def _extra_sections(
    store: Store,
    sources: Sequence[digest_extras.OptionalSource],
    args: digest_extras.SourceArgs,
    limit: int,
) -> list[DigestSection]:
    """The sections of the optional features that are installed, in the sources' order."""
    sections = []
    for source in sources:
        extra = await digest_extras.collect(source, store, args)
        if extra is None:
            continue
        entries = [
            DigestEntry(i.ref, i.title, when=i.when, when_label=source.when_label, link=i.link)
            for i in extra.items
        ]
        sections.append(_section(SectionKey(source.key), source.title, entries, source.more, limit))
    return sections


def upcoming_until(now: datetime, calendar: WorkCalendar) -> datetime:
    """The end of the `UPCOMING_WORKING_DAYS`-th working day after today (calendar's zone)."""
    day = calendar.local_date(now)
    for _ in range(UPCOMING_WORKING_DAYS):
        day = calendar.next_working_day(day)
    return _wall(day + timedelta(days=1), time(0, 0), calendar.tz)


# ------------------------------------------------------------------------------- home


@dataclass(frozen=True)
class HomeContent:
    """What a person's App Home shows: their open disputes, overdue first, and the optional
    sections of features that are installed."""

    disputes: tuple[tuple[Dispute, StageClock], ...]
    total: int
    extras: tuple[DigestSection, ...]


HOME_DISPUTES = 20
HOME_EXTRA_LINES = 10


async def home_opened(store: Store, *, workspace_id: str, user_id: str, now: datetime) -> None:
    """This person has opened their Home: from now on it is republished after changes."""
    async with store.write() as conn:
        await homes_repo.opened(conn, workspace_id=workspace_id, user_id=user_id, now=now)


async def home_viewers(store: Store, *, workspace_id: str, user_ids: Iterable[str]) -> set[str]:
    """Those of `user_ids` whose Home is worth republishing (they have opened it)."""
    async with store.read() as conn:
        return await homes_repo.viewers(conn, workspace_id=workspace_id, user_ids=user_ids)


async def home_content(
    store: Store,
    *,
    workspace_id: str,
    user_id: str,
    now: datetime,
    calendar: WorkCalendar,
    limit: int = HOME_DISPUTES,
    extras: Sequence[digest_extras.OptionalSource] = digest_extras.HOME_SOURCES,
) -> HomeContent:
    """A few queries, no Slack: cheap enough to run on every visit to the Home tab."""
    # Ordered by deadline in SQL (the overdue come first), and only a page of them loaded.
    async with store.read() as conn:
        mine, total = await disputes_repo.find(
            conn,
            workspace_id=workspace_id,
            statuses=[Status.OPEN],
            member=user_id,
            limit=limit,
            by_due=True,
        )
    ordered = [(d, stage_clock(d, now=now, calendar=calendar)) for d in mine]
    args = digest_extras.SourceArgs(
        workspace_id=workspace_id,
        audience=Audience(),
        member=user_id,
        now=now,
        until=upcoming_until(now, calendar),
        tz=calendar.tz,
    )
    sections = await _extra_sections(store, extras, args, HOME_EXTRA_LINES)
    return HomeContent(disputes=tuple(ordered), total=total, extras=tuple(sections))
