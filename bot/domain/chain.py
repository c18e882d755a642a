"""The record chain: each timeline event's hash, chained to its dispute's previous event.

An event's hash is SHA-256 (lowercase hex) of its canonical form: the UTF-8 bytes of one JSON
object with sorted keys, no whitespace (`,` and `:` as separators) and non-ASCII characters
written as themselves (`ensure_ascii=False`). Version 1 holds these keys, every one always
present (`null` where the event has no value):

| key | value |
|---|---|
| `v` | `1`, the version of this form |
| `workspace` | the Slack workspace (team) id the dispute belongs to |
| `dispute` | the dispute's number (`3` for `D-3`), not its row id |
| `kind` | the event's stored kind (`opened`, `reply`, …) |
| `at` | its time in UTC, ISO 8601 with microseconds: `2026-11-23T02:00:00.000000Z` |
| `actor` | the Slack user id of who did it |
| `party` | the party's id (a number that never changes, unlike its name, which may be renamed) |
| `text`, `previous_text` | the text, and what an edit replaced |
| `stage` | the stage value an escalation or a reopening moved to |
| `channel`, `message_ts` | the Slack message the event is about |
| `response_wall_seconds`, `response_working_seconds` | a party's first response time |
| `prev` | the hash of the dispute's previous event; `GENESIS` (64 zeros) for its first |

Anything a later edit of the row could change is in the form, so changing, removing or
reordering an event breaks its hash or the next one's `prev`. The dispute keeps the last
hash (its head): removing the last event breaks that. `docs/record-chain.md` shows a worked
example. Never change version 1: a new form is a new `v`, and events keep the form they were
sealed with.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

VERSION = 1
GENESIS = "0" * 64
SHORT = 12  # hex digits a reader is shown: enough to compare with `parley verify` by eye


@dataclass(frozen=True)
class Sealed:
    """What one event's hash is made of, as stored (kind and stage by their stored values)."""

    workspace: str
    dispute: int
    kind: str
    at: datetime
    actor: str | None = None
    party: int | None = None
    text: str | None = None
    stage: str | None = None
    channel: str | None = None
    message_ts: str | None = None
    previous_text: str | None = None
    response_wall_seconds: int | None = None
    response_working_seconds: int | None = None


def utc_stamp(at: datetime) -> str:
    """The time as the form writes it: UTC, microseconds, a `Z`. A naive time is refused."""
    if at.tzinfo is None:
        raise ValueError("naive datetime in a record chain")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(event: Sealed, prev: str) -> bytes:
    """The bytes that are hashed: version 1 of the form (see the module's docstring)."""
    document: Mapping[str, object] = {
        "v": VERSION,
        "workspace": event.workspace,
        "dispute": event.dispute,
        "kind": str(event.kind),
        "at": utc_stamp(event.at),
        "actor": event.actor,
        "party": event.party,
        "text": event.text,
        "stage": event.stage,
        "channel": event.channel,
        "message_ts": event.message_ts,
        "previous_text": event.previous_text,
        "response_wall_seconds": event.response_wall_seconds,
        "response_working_seconds": event.response_working_seconds,
        "prev": prev,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def seal(event: Sealed, prev: str) -> str:
    """The event's hash, chained to `prev` (the previous event's hash, or `GENESIS`)."""
    if not is_hash(prev):
        raise ValueError(f"not a record hash: {prev!r}")
    return hashlib.sha256(canonical(event, prev)).hexdigest()


_HASH = re.compile(r"[0-9a-f]{64}")


def is_hash(value: str | None) -> bool:
    """Whether this is a hash as the chain writes it: 64 lowercase hex digits."""
    return value is not None and _HASH.fullmatch(value) is not None


def short(value: str) -> str:
    """The head of a hash a person compares by eye: its first `SHORT` hex digits."""
    return value[:SHORT]


class Break(StrEnum):
    """What does not hold in a chain, where it breaks."""

    # The event's hash is not the hash of what the row holds now: it was changed.
    ALTERED = "altered"
    # The event's prev is not the hash of the event before it: one was removed or inserted.
    LINK = "link"
    # The dispute's head is not its last event's hash: its last events were removed.
    HEAD = "head"


@dataclass(frozen=True)
class Link:
    """One stored event as verification reads it: its row id, what it seals, and the two
    hashes stored beside it."""

    row_id: int
    sealed: Sealed
    hash: str | None
    prev_hash: str | None


@dataclass(frozen=True)
class Fault:
    """The first thing that does not hold in a dispute's chain; `link` is None for a head
    that names no event (the dispute's events were all removed)."""

    workspace: str
    dispute: int
    what: Break
    link: Link | None
    expected: str
    found: str | None


class ChainWalk:
    """Checks one dispute's chain an event at a time, oldest first, without keeping them."""

    def __init__(self, workspace: str, dispute: int) -> None:
        self.workspace = workspace
        self.dispute = dispute
        self.last = GENESIS
        self.events = 0
        self._last_link: Link | None = None

    def step(self, link: Link) -> Fault | None:
        """The fault this event shows, or None when it holds (and the walk moves on)."""
        if link.prev_hash != self.last:
            return self._fault(Break.LINK, link, self.last, link.prev_hash)
        expected = seal(link.sealed, self.last)
        if link.hash != expected:
            return self._fault(Break.ALTERED, link, expected, link.hash)
        self.last = expected
        self.events += 1
        self._last_link = link
        return None

    def finish(self, head: str | None) -> Fault | None:
        """After the last event: the dispute's head must be its last event's hash (and
        nothing, for a dispute without events)."""
        expected = self.last if self.events else None
        if head != expected:
            return self._fault(Break.HEAD, self._last_link, expected or GENESIS, head)
        return None

    def _fault(self, what: Break, link: Link | None, expected: str, found: str | None) -> Fault:
        return Fault(
            workspace=self.workspace,
            dispute=self.dispute,
            what=what,
            link=link,
            expected=expected,
            found=found,
        )
