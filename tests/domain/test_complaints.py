"""A complaint's rules alone: its id, whose it may be, its clocks, and which answers count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import complaints as rules
from bot.domain.complaints import Clock, Complaint, ComplaintStatus
from bot.domain.errors import InvalidInput
from bot.domain.parties import Audience, Party, PartyKind
from tests.saying import raises_saying

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
GLOBEX = Party(id=1, name="Globex", kind=PartyKind.CUSTOMER, slack_team="T0GLOBEX")


def complaint(**changes: object) -> Complaint:
    fields: dict[str, object] = {
        "id": 1,
        "workspace_id": "T0PARLEY",
        "number": 3,
        "text": "Late",
        "party": GLOBEX,
        "complainant_id": None,
        "owner_id": "U0ALICE",
        "channel_id": "C0DESK",
        "root_ts": None,
        "status": ComplaintStatus.OPEN,
        "opened_at": NOW,
        "answer_due_at": NOW + timedelta(days=1),
        "resolve_due_at": NOW + timedelta(days=5),
    }
    return Complaint.model_validate({**fields, **changes})


@pytest.mark.parametrize("text", ["C-3", "c3", "C 3", " 3 "])
def test_ids_with_or_without_their_prefix(text: str) -> None:
    assert rules.parse_number(text) == 3


@pytest.mark.parametrize("text", ["D-3", "C-0", "C-", "C-３", "1234567890"])
def test_anything_else_is_not_an_id(text: str) -> None:
    with raises_saying(InvalidInput, "is not a complaint id"):
        rules.parse_number(text)


@pytest.mark.parametrize("kind", [PartyKind.SUPPLIER, PartyKind.THIRD_PARTY])
def test_only_a_customer_complains(kind: PartyKind) -> None:
    rules.check_customer(GLOBEX)
    with raises_saying(InvalidInput, "not a customer"):
        rules.check_customer(GLOBEX.model_copy(update={"kind": kind}))


def test_the_clocks_run_out_and_stop() -> None:
    late = NOW + timedelta(days=2)
    assert complaint().overdue(Clock.ANSWER, late)
    assert not complaint(first_answer_at=NOW).overdue(Clock.ANSWER, late)
    assert not complaint().overdue(Clock.RESOLUTION, late)
    assert complaint().overdue(Clock.RESOLUTION, NOW + timedelta(days=6))
    waiting = complaint(status=ComplaintStatus.RESOLVED, round=1)
    assert not waiting.overdue(Clock.RESOLUTION, NOW + timedelta(days=6))
    assert not complaint(status=ComplaintStatus.CLOSED).overdue(Clock.ANSWER, late)


def test_an_answer_counts_for_its_own_resolution_once() -> None:
    waiting = complaint(status=ComplaintStatus.RESOLVED, round=2)
    rules.check_answerable(waiting, 2)
    for stale in (complaint(round=2), waiting.model_copy(update={"round": 3})):
        with raises_saying(InvalidInput, "has had its answer"):
            rules.check_answerable(stale, 2)


def test_only_its_own_partys_channel_sees_it() -> None:
    assert complaint().concerns(Audience())
    assert complaint().concerns(Audience.shared(frozenset({"T0GLOBEX"})))
    assert not complaint().concerns(Audience.shared(frozenset({"T0ACME"})))
