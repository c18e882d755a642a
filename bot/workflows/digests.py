"""Daily digests: when each one is due, the subscriptions, and the scheduler's claim on it.

*When.* A subscription names a local wall-clock time and a time zone. Its digest is due at that
time on every working day of the configured holiday calendar (adjusted working weekends count;
holidays and the days they free up do not), reading the date in the subscription's zone. A
09:00 digest in Europe/Berlin is 09:00 on both sides of a daylight-saving change; a time that
does not exist on a day (the spring-forward gap) moves forward by the gap.

*What* a digest says is `bot.workflows.digests_content` (its sections, from what Parley
recorded), and what a person's App Home shows is `bot.workflows.digests_home`.

*Once.* Each due digest has a key (`digest:channel:C123:2026-11-24`). After downtime only the
most recent due digest is sent (late); older missed ones are superseded by it. A due digest is
claimed on its subscription row and owed to the outbox in one transaction (`owe_digest`), so
two instances never both owe it, and once owed it is delivered once, retried with backoff
when Slack fails, never blocking the others.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import WorkCalendar
from bot.domain.digests import DigestKind, Subscription
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.marks import N_
from bot.domain.notices import DigestDue
from bot.domain.parties import Person, internal_only
from bot.domain.text import channel as channel_token
from bot.store import Store
from bot.store import digests as repo
from bot.workflows import notices

DEFAULT_TIME = time(9, 0)
SECTION_LIMIT = 15
UPCOMING_WORKING_DAYS = 2  # reviews and action items: today and the next two working days
SEARCH_DAYS = 400  # a year with every holiday still has working days within this window
LEASE = timedelta(minutes=10)

# ------------------------------------------------------------------------------- when


_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


def _time_refused(kind: DigestKind, channel: str, person: str, **params: str) -> InvalidInput:
    """A time refused with the code for the `kind` of digest it was for, whose words say how
    to write that command (`/digest subscribe at 09:00`, `/digest me at 09:00`)."""
    return InvalidInput(person if kind is DigestKind.PERSON else channel, **params)


def parse_time(text: str, *, kind: DigestKind = DigestKind.CHANNEL) -> time:
    """`09:00` or `9:30` → a time of day; anything else is refused with how to write it
    (for the `kind` of digest it is for).

    Full-width forms typed with a Chinese input method (`０９：００`) read the same."""
    raw = unicodedata.normalize("NFKC", text).strip()
    match = _TIME.match(raw)
    if match is None:
        if not raw:
            raise _time_refused(kind, "digest.no_time", "digest.me_no_time")
        raise _time_refused(kind, "digest.bad_time", "digest.me_bad_time", text=raw[:20])
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise _time_refused(kind, "digest.bad_time_of_day", "digest.me_bad_time_of_day", text=raw)
    return time(hour, minute)


def parse_at(text: str, *, kind: DigestKind = DigestKind.CHANNEL) -> time:
    """What follows `subscribe` or `me`: nothing (09:00), `at HH:MM` or `HH:MM`."""
    words = text.split()
    if not words:
        return DEFAULT_TIME
    if words[0].lower() == "at":
        words = words[1:]
        if not words:
            raise _time_refused(kind, "digest.what_time", "digest.me_what_time")
    if len(words) > 1:
        more = " ".join(words)[:40]
        raise _time_refused(kind, "digest.more_than_time", "digest.me_more_than_time", text=more)
    return parse_time(words[0], kind=kind)


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


def upcoming_until(now: datetime, calendar: WorkCalendar) -> datetime:
    """The end of the `UPCOMING_WORKING_DAYS`-th working day after today (calendar's zone)."""
    day = calendar.local_date(now)
    for _ in range(UPCOMING_WORKING_DAYS):
        day = calendar.next_working_day(day)
    return _wall(day + timedelta(days=1), time(0, 0), calendar.tz)


# ---------------------------------------------------------------------- subscriptions


# Why an outsider is refused, and what they may do instead.
OUTSIDERS = "digest.outsiders"


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
                raise NotFound("digest.channel_none")
            raise NotFound("digest.me_none")
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
        digest = DigestDue(
            workspace_id=sub.workspace_id,
            target_kind=sub.kind,
            target=sub.target,
            subscription_id=sub.id,
            due_at=due.due_at,
            since=due.since,
            owner_id=sub.subscribed_by,
            what=N_("the digest of {day}"),
            what_facts={"day": due.due_at.astimezone(sub.tz).date().isoformat()},
        )
        await notices.owe(conn, digest, now=now, dedupe=due.key)
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
        digest = DigestDue(
            workspace_id=workspace_id,
            target_kind=DigestKind.CHANNEL,
            target=channel_id,
            subscription_id=subscription.id if subscription is not None else None,
            due_at=now,
            since=since,
            on_request=True,
            owner_id=actor_id,
            what=N_("the digest you asked for in {channel}"),
            what_facts={"channel": channel_token(channel_id)},
        )
        await notices.owe(conn, digest, now=now)


async def subscription_by_id(store: Store, *, subscription_id: int) -> Subscription | None:
    async with store.read() as conn:
        return await repo.by_id(conn, subscription_id=subscription_id)
