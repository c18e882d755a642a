"""Pure pieces: parsing what people type, and rendering records into Block Kit within limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.commands import render_disputes
from bot.commands.blocks import escape
from bot.commands.parsing import find_mentions, plain_text, split_subcommand, split_with
from bot.domain.disputes import Dispute
from bot.domain.errors import InvalidInput
from bot.domain.ladder import Stage, Status
from bot.domain.lists import ListScope
from bot.domain.parties import Audience, Party, PartyKind
from bot.domain.text import as_plain
from bot.workflows.disputes import DisputePage, StageClock, parse_number
from tests.saying import ENGLISH, words

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ACME = Party(id=1, name="Acme Networks", kind=PartyKind.SUPPLIER, slack_team="T0ACME")
GLOBEX = Party(id=2, name="Globex Audit", kind=PartyKind.THIRD_PARTY, slack_team="T0GLOBEX")


def dispute(
    number: int = 1, title: str = "Outage", parties: tuple[Party, ...] = (ACME, GLOBEX)
) -> Dispute:
    return Dispute(
        id=number,
        workspace_id="T0PARLEY",
        number=number,
        title=title,
        status=Status.OPEN,
        stage=Stage.COORDINATION,
        channel_id="C0DESK",
        root_ts=None,
        owner_id="U0ALICE",
        opened_at=NOW,
        stage_started_at=NOW,
        stage_due_at=NOW + timedelta(days=3),
        parties=parties,
    )


def valid(blocks: list[dict[str, object]]) -> None:
    assert len(blocks) <= 50
    for b in blocks:
        parsed = Block.parse(b)
        assert parsed is not None
        parsed.to_dict()  # validates nested limits


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (2, "due Thu 26 Nov, 2 working days left"),
        (1, "due Thu 26 Nov, 1 working day left"),
        (0, "due today, 10:00"),
        (-1, "overdue by 1 working day"),
        (-3, "overdue by 3 working days"),
    ],
)
def test_clock_text(left: int, expected: str) -> None:
    clock = StageClock(due_at=NOW + timedelta(days=3), working_days_left=left)
    assert render_disputes.clock_text(clock, TZ, ENGLISH).startswith(expected)


def test_a_card_fits_block_kit_even_with_a_huge_title() -> None:
    text, blocks = render_disputes.dispute_card(
        dispute(title="é" * 300),
        clock=StageClock(None, None),
        tz=TZ,
        audience=Audience(),
        language=ENGLISH,
    )
    valid(blocks)
    assert len(blocks[0]["text"]["text"]) == 150
    assert text


def test_a_shared_channel_sees_only_its_own_party_name() -> None:
    _, blocks = render_disputes.dispute_card(
        dispute(),
        clock=StageClock(None, None),
        tz=TZ,
        audience=Audience.shared(frozenset({"T0ACME"})),
        language=ENGLISH,
    )
    flat = str(blocks)
    assert "Acme Networks" in flat and "Globex" not in flat


def test_a_long_list_stays_within_block_kit_limits() -> None:
    many = [dispute(n, title="A fairly long dispute title " * 4) for n in range(200, 0, -1)]
    page = DisputePage(disputes=many[:25], total=200)
    clocks = {d.id: StageClock(d.stage_due_at, 2) for d in many}
    _, blocks = render_disputes.dispute_list(
        page, scope=ListScope.OPEN, clocks=clocks, tz=TZ, audience=Audience(), language=ENGLISH
    )
    valid(blocks)
    assert "and 175 more" in str(blocks[-1])


def test_mrkdwn_escaping() -> None:
    assert escape("R&D <b> a>b") == "R&amp;D &lt;b&gt; a&gt;b"


@pytest.mark.parametrize(
    ("text", "number"), [("D-3", 3), ("d3", 3), ("3", 3), ("D 3", 3), (" d-12 ", 12)]
)
def test_ids_in_every_spelling(text: str, number: int) -> None:
    assert parse_number(text) == number


@given(st.text(max_size=40))
def test_parse_number_either_reads_or_refuses_clearly(text: str) -> None:
    try:
        assert parse_number(text) >= 1
    except InvalidInput as exc:
        assert "D-3" in words(exc)


@given(st.text(max_size=300))
def test_parsers_never_crash(text: str) -> None:
    split_subcommand(text)
    title, tail = split_with(text)
    assert len(title) <= len(text)
    find_mentions(text)
    plain_text(text)


def test_mentions_escaped_and_plain() -> None:
    found = find_mentions(
        "with <@U0RAJ|raj> and <@U0GRETA> @ivan <#C0ACME|acme-shared> #legal x@y.z"
    )
    assert found.user_ids == ["U0RAJ", "U0GRETA"]
    assert found.handles == ["ivan"]
    assert found.channel_ids == ["C0ACME"]
    assert found.channel_names == ["legal"]


@pytest.mark.parametrize(
    ("text", "title", "tail"),
    [
        ("Outage with <@U0RAJ|raj>", "Outage", "<@U0RAJ|raj>"),
        ("Dispute with Acme about SLA", "Dispute with Acme about SLA", ""),
        ("Issue with billing with @raj @greta", "Issue with billing", "@raj @greta"),
        ("Outage with", "Outage with", ""),
    ],
)
def test_split_with(text: str, title: str, tail: str) -> None:
    assert split_with(text) == (title, tail)


def test_plain_text_reads_like_a_person() -> None:
    """A picked person stays a mention (a token); a link shows its real address."""
    stored = plain_text("Hi <@U1|raj> in <#C1|desk> see <https://x.io|the doc> &amp; <!here>")
    assert stored == "Hi \ue000@U1|raj\ue001 in #desk see the doc (https://x.io) & @here"
    assert as_plain(stored) == "Hi @raj in #desk see the doc (https://x.io) & @here"
