"""The record chain's canonical form: one exact byte string per event, whatever the text."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.domain import chain
from bot.domain.chain import GENESIS, Break, ChainWalk, Link, Sealed, canonical, seal

AT = datetime(2026, 11, 23, 2, 0, 0, 120000, tzinfo=UTC)
OPENED = Sealed(
    workspace="T0PARLEY", dispute=3, kind="opened", at=AT, actor="U0ALICE", text="Outage"
)


def test_the_form_is_exactly_these_bytes() -> None:
    assert canonical(OPENED, GENESIS) == (
        b'{"actor":"U0ALICE","at":"2026-11-23T02:00:00.120000Z","channel":null,"dispute":3,'
        b'"kind":"opened","message_ts":null,"party":null,"prev":"' + GENESIS.encode() + b'",'
        b'"previous_text":null,"response_wall_seconds":null,"response_working_seconds":null,'
        b'"stage":null,"text":"Outage","v":1,"workspace":"T0PARLEY"}'
    )
    # The hash anybody can recompute from those bytes (docs/record-chain.md shows this one).
    assert seal(OPENED, GENESIS) == hashlib.sha256(canonical(OPENED, GENESIS)).hexdigest()
    # Pinned: version 1 never changes (a new form is a new version).
    assert seal(OPENED, GENESIS) == (
        "50156f81a8c32297148bd77a3af62219e829527553a7927744fc5ae9216500f2"
    )


def test_it_is_deterministic_and_every_field_counts() -> None:
    first = seal(OPENED, GENESIS)
    assert seal(Sealed(**OPENED.__dict__), GENESIS) == first
    changes = {
        "workspace": "T0OTHER",
        "dispute": 4,
        "kind": "note",
        "at": AT + timedelta(microseconds=1),
        "actor": "U0BOB",
        "party": 7,
        "text": "Outage!",
        "stage": "legal",
        "channel": "C0DESK",
        "message_ts": "1700000000.000100",
        "previous_text": "",
        "response_wall_seconds": 0,
        "response_working_seconds": 0,
    }
    assert set(changes) == set(OPENED.__dict__)  # every field of the form is tried
    hashes = {
        seal(Sealed(**{**OPENED.__dict__, key: value}), GENESIS) for key, value in changes.items()
    }
    assert first not in hashes and len(hashes) == len(changes)
    assert seal(OPENED, "f" * 64) != first  # and the link to the event before


def test_none_is_not_empty_and_times_are_utc_whatever_their_zone() -> None:
    empty = Sealed(**{**OPENED.__dict__, "text": ""})
    none = Sealed(**{**OPENED.__dict__, "text": None})
    assert seal(empty, GENESIS) != seal(none, GENESIS)
    shanghai = AT.astimezone(timezone(timedelta(hours=8)))
    assert seal(Sealed(**{**OPENED.__dict__, "at": shanghai}), GENESIS) == seal(OPENED, GENESIS)
    with pytest.raises(ValueError, match="naive"):
        seal(Sealed(**{**OPENED.__dict__, "at": AT.replace(tzinfo=None)}), GENESIS)
    with pytest.raises(ValueError, match="not a record hash"):
        seal(OPENED, "abc")


def test_chinese_and_markup_are_written_as_themselves_in_utf8() -> None:
    text = '核心交换机故障 <!channel> "引号" \\ 😀\n第二行'
    event = Sealed(**{**OPENED.__dict__, "text": text})
    raw = canonical(event, GENESIS)
    assert "核心交换机故障".encode() in raw and b"\\u" not in raw
    assert json.loads(raw.decode("utf-8"))["text"] == text
    # Composed and decomposed forms are different text: the form keeps what was stored.
    assert seal(Sealed(**{**OPENED.__dict__, "text": "é"}), GENESIS) != seal(
        Sealed(**{**OPENED.__dict__, "text": "e\u0301"}), GENESIS
    )


def _links(n: int) -> list[Link]:
    out, prev = [], GENESIS
    for i in range(n):
        sealed = Sealed(workspace="T1", dispute=1, kind="note", at=AT, text=f"note {i}")
        digest = seal(sealed, prev)
        out.append(Link(row_id=i + 1, sealed=sealed, hash=digest, prev_hash=prev))
        prev = digest
    return out


def test_a_walk_holds_and_names_the_first_break() -> None:
    links = _links(3)
    walk = ChainWalk("T1", 1)
    assert all(walk.step(link) is None for link in links)
    assert walk.finish(links[-1].hash) is None and walk.events == 3

    altered = Link(
        row_id=2,
        sealed=Sealed(**{**links[1].sealed.__dict__, "text": "changed"}),
        hash=links[1].hash,
        prev_hash=links[1].prev_hash,
    )
    walk = ChainWalk("T1", 1)
    assert walk.step(links[0]) is None
    fault = walk.step(altered)
    assert fault is not None and fault.what is Break.ALTERED and fault.link == altered

    walk = ChainWalk("T1", 1)  # the middle one removed
    assert walk.step(links[0]) is None
    fault = walk.step(links[2])
    assert fault is not None and fault.what is Break.LINK and fault.found == links[1].hash

    walk = ChainWalk("T1", 1)  # the last one removed: the head says so
    assert walk.step(links[0]) is None and walk.step(links[1]) is None
    fault = walk.finish(links[2].hash)
    assert fault is not None and fault.what is Break.HEAD and fault.link == links[1]

    fault = ChainWalk("T1", 1).finish(links[2].hash)  # every one removed
    assert fault is not None and fault.what is Break.HEAD and fault.link is None
    assert ChainWalk("T1", 1).finish(None) is None  # no events, no head: holds


def test_short_form() -> None:
    assert chain.short("0123456789abcdef" * 4) == "0123456789ab"


DOC = Path(__file__).resolve().parents[2] / "docs" / "record-chain.md"


def test_the_worked_example_in_the_docs_is_what_the_code_computes() -> None:
    text = DOC.read_text(encoding="utf-8")
    shown = re.findall(r"```\n(\{.*\})\n```", text)
    assert len(shown) == 2
    opened = Sealed(
        workspace="T0PARLEY",
        dispute=3,
        kind="opened",
        at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        actor="U0ALICE",
        text="Core switch outage",
    )
    first = seal(opened, GENESIS)
    reply = Sealed(
        workspace="T0PARLEY",
        dispute=3,
        kind="reply",
        at=datetime(2026, 11, 23, 5, 0, 0, 250000, tzinfo=UTC),
        actor="U0RAJ",
        party=1,
        text="我们正在处理",
        channel="C0ACME",
        message_ts="1763874000.250000",
        response_wall_seconds=10800,
        response_working_seconds=10800,
    )
    assert shown == [canonical(opened, GENESIS).decode(), canonical(reply, first).decode()]
    assert f"hashes to `{first}`" in text
    assert f"hashes to `{seal(reply, first)}`" in text
