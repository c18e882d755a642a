"""Optional digest and Home sections, from features that may not be installed yet.

Reviews, action items and agreements are separate features (`bot.workflows.reviews`,
`bot.workflows.agreements`). A digest or a Home tab includes one of their sections only when
the module imports and has the function named in the tables below; otherwise the section is
left out (logged once), and a source that raises is left out of that digest only. Nothing here
imports them up front, so digests work the same whether or not they have landed.

Digest sections (`DIGEST_SOURCES`), each called with the store and these keywords:

* reviews: `reviews.list_reviews(workspace_id, include_all=False, audience)`, keeping
  those whose next occurrence is before `until` (today and the next two working days);
* actions: `reviews.actions_due_within(workspace_id, now, until)`;
* agreements: `agreements.expiring_within(workspace_id, now, days=30[, tz])`.

Home sections (`HOME_SOURCES`), for one person, keeping what is theirs:

* reviews: `reviews.list_reviews(workspace_id, include_all=False, audience=internal)`;
* actions: `reviews.open_actions_for(workspace_id, user_id)`;
* agreements: `agreements.list_agreements(workspace_id, audience=internal, limit=100)`,
  keeping the active ones whose current version is not acknowledged yet.

Each record (object or mapping) is read by `read_item`: `ref` ("R-3", "T-4", "A-1"; required),
a title (`title`, `text`, `current.terms.what` or `party.name`), a time (`due_at`, `next_at`,
`valid_until` or `at`: an aware datetime or a date), the thread (`channel_id` or `channel`
with `thread_ts`, `root_ts`, `card_ts`, `message_ts` or `ts`), the parties (`parties`, or one
`party`, as `Party`) and the people (`owner_id`/`owner`, `participants`/`members`/`people`).
Isolation is applied here whatever the source did: a shared channel only sees items with one of
its parties; a person only items they own or take part in. Items without parties (or people)
are left out there.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.parties import Audience, Party
from bot.store import Store

log = logging.getLogger(__name__)

AGREEMENT_DAYS = 30
HOME_AGREEMENTS = 100


@dataclass(frozen=True)
class SourceArgs:
    """Whose section, and the window it covers."""

    workspace_id: str
    audience: Audience
    member: str | None
    now: datetime
    until: datetime
    tz: ZoneInfo


SourceFunction = Callable[..., Any]
# Calls the source's function as it wants to be called and returns its raw records.
Adapter = Callable[[SourceFunction, Store, SourceArgs], Any]


@dataclass(frozen=True)
class OptionalSource:
    """A section that exists only where `module.function` exists."""

    key: str
    title: str
    module: str
    function: str
    more: str  # where to see the rest
    when_label: str  # "next", "due", "valid until"
    adapter: Adapter


@dataclass(frozen=True)
class ExtraItem:
    ref: str
    title: str
    when: datetime | date | None = None
    link: tuple[str, str] | None = None
    parties: tuple[Party, ...] = ()
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extra:
    items: tuple[ExtraItem, ...]


async def _result(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def _reviews_before_until(fn: SourceFunction, store: Store, a: SourceArgs) -> Any:
    found = await _result(
        fn(store, workspace_id=a.workspace_id, include_all=False, audience=a.audience)
    )
    return [r for r in found or [] if _before(_get(r, "next_at"), a.until)]


async def _window(fn: SourceFunction, store: Store, a: SourceArgs) -> Any:
    return await _result(fn(store, workspace_id=a.workspace_id, now=a.now, until=a.until))


async def _expiring(fn: SourceFunction, store: Store, a: SourceArgs) -> Any:
    extra = {"tz": a.tz} if "tz" in inspect.signature(fn).parameters else {}
    return await _result(
        fn(store, workspace_id=a.workspace_id, now=a.now, days=AGREEMENT_DAYS, **extra)
    )


async def _upcoming_reviews(fn: SourceFunction, store: Store, a: SourceArgs) -> Any:
    return await _result(
        fn(store, workspace_id=a.workspace_id, include_all=False, audience=Audience())
    )


async def _for_person(fn: SourceFunction, store: Store, a: SourceArgs) -> Any:
    return await _result(fn(store, workspace_id=a.workspace_id, user_id=a.member))


async def _awaiting_acknowledgment(fn: SourceFunction, store: Store, a: SourceArgs) -> Any:
    page = await _result(
        fn(store, workspace_id=a.workspace_id, audience=Audience(), limit=HOME_AGREEMENTS)
    )
    found = _get(page, "agreements") if not isinstance(page, list) else page
    return [
        x
        for x in found or []
        if str(_get(x, "status")) == "active" and _get(x, "current.acknowledged") is False
    ]


def _before(when: object, until: datetime) -> bool:
    return isinstance(when, datetime) and when.tzinfo is not None and when <= until


REVIEWS = "bot.workflows.reviews"
AGREEMENTS = "bot.workflows.agreements"

DIGEST_SOURCES: tuple[OptionalSource, ...] = (
    OptionalSource(
        "reviews",
        "Reviews in the next working days",
        REVIEWS,
        "list_reviews",
        "/review list",
        "next",
        _reviews_before_until,
    ),
    OptionalSource(
        "actions",
        "Action items due",
        REVIEWS,
        "actions_due_within",
        "/review list",
        "due",
        _window,
    ),
    OptionalSource(
        "agreements",
        "Agreements expiring within 30 days",
        AGREEMENTS,
        "expiring_within",
        "/agreement list",
        "valid until",
        _expiring,
    ),
)

HOME_SOURCES: tuple[OptionalSource, ...] = (
    OptionalSource(
        "reviews",
        "Your upcoming reviews",
        REVIEWS,
        "list_reviews",
        "/review list",
        "next",
        _upcoming_reviews,
    ),
    OptionalSource(
        "actions",
        "Your open action items",
        REVIEWS,
        "open_actions_for",
        "/review list",
        "due",
        _for_person,
    ),
    OptionalSource(
        "agreements",
        "Agreements awaiting acknowledgment",
        AGREEMENTS,
        "list_agreements",
        "/agreement list",
        "valid until",
        _awaiting_acknowledgment,
    ),
)


@functools.cache
def resolve(module: str, function: str) -> SourceFunction | None:
    """`module.function` if the module imports and has it; None otherwise (logged once)."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            log.warning("%s is installed but cannot be imported (%s)", module, exc)
        else:
            log.info("%s is not installed: its digest sections are left out", module)
        return None
    except Exception as exc:  # a half-finished module must not break digests
        log.warning("%s cannot be imported (%s): its sections are left out", module, exc)
        return None
    fn = getattr(found, function, None)
    if not callable(fn):
        log.info("%s has no %s(): that section is left out", module, function)
        return None
    return fn  # type: ignore[no-any-return]


def available(source: OptionalSource) -> bool:
    """Whether this section is wired (its module and function exist)."""
    return resolve(source.module, source.function) is not None


def _get(obj: object, *paths: str) -> Any:
    """The first of these (dotted) attributes or keys that is there and not None."""
    for path in paths:
        value: Any = obj
        for name in path.split("."):
            if value is None:
                break
            value = value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)
        if value is not None:
            return value
    return None


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def read_item(obj: object) -> ExtraItem | None:
    """An optional source's record as a digest line; None if it has no usable `ref`."""
    ref = _get(obj, "ref")
    if not isinstance(ref, str) or not ref.strip():
        return None
    title = _get(obj, "title", "text", "current.terms.what", "party.name")
    when = _get(obj, "due_at", "next_at", "valid_until", "at")
    if isinstance(when, datetime) and when.tzinfo is None:
        when = None  # never a naive time
    channel = _get(obj, "channel_id", "channel")
    ts = _get(obj, "thread_ts", "root_ts", "card_ts", "message_ts", "ts")
    link = (channel, ts) if isinstance(channel, str) and isinstance(ts, str) else None
    raw_parties = _get(obj, "parties")
    one = _get(obj, "party")
    parties: tuple[Party, ...] = ()
    if isinstance(raw_parties, Iterable) and not isinstance(raw_parties, str | Mapping):
        parties = tuple(p for p in raw_parties if isinstance(p, Party))
    elif isinstance(one, Party):
        parties = (one,)
    people = _strings(_get(obj, "owner_id", "owner")) + _strings(
        _get(obj, "participants", "members", "people")
    )
    return ExtraItem(
        ref=ref.strip(),
        title=str(title) if title is not None else "",
        when=when if isinstance(when, datetime | date) else None,
        link=link,
        parties=parties,
        people=people,
    )


def visible(item: ExtraItem, args: SourceArgs) -> bool:
    """Isolation: a shared channel sees only its parties' items, a person only their own."""
    if args.member is not None and args.member not in item.people:
        return False
    if not args.audience.internal:
        return any(p.slack_team in args.audience.team_ids for p in item.parties if p.slack_team)
    return True


async def collect(source: OptionalSource, store: Store, args: SourceArgs) -> Extra | None:
    """The section's items for this audience; None when the source is not installed or
    failed (a failing source never breaks a digest or a Home tab)."""
    fn = resolve(source.module, source.function)
    if fn is None:
        return None
    try:
        raw = list(await source.adapter(fn, store, args) or [])
    except Exception:
        log.exception("%s.%s failed: its section is left out", source.module, source.function)
        return None
    items = [item for item in map(read_item, raw) if item is not None and visible(item, args)]
    return Extra(items=tuple(items))
