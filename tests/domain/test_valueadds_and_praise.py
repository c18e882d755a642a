"""The rules of praise and value-adds alone: amounts read exactly or refused with a reason,
the parts of `/valueadd log` and `/praise`, the party a praise comes from."""

from __future__ import annotations

import pytest

from bot.commands.praise import split_praise
from bot.domain import praise, valueadds
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.parties import Party, PartyKind, Person

WS = "T0PARLEY"
CONTOSO = Party(id=1, name="Contoso Retail", kind=PartyKind.CUSTOMER)
CONTOSO_LABS = Party(id=2, name="Contoso Retail Labs", kind=PartyKind.CUSTOMER)
ACME = Party(id=3, name="Acme Networks", kind=PartyKind.SUPPLIER, slack_team="T0ACME")


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("0", 0), ("12", 1200), ("12.5", 1250), ("1,200.05", 120005), ("10000000", 10**9)],
)
def test_a_cost_is_read_to_the_cent(typed: str, cents: int) -> None:
    assert valueadds.parse_cost(typed) == cents


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("-5", "valueadd.cost_negative"),
        ("- 5.5", "valueadd.cost_negative"),
        ("abc", "valueadd.cost_not_number"),
        ("１２", "valueadd.cost_not_number"),  # fullwidth digits: not what anybody means
        ("1e3", "valueadd.cost_not_number"),
        ("12,00", "valueadd.cost_not_number"),
        ("1.234", "valueadd.cost_decimals"),
        ("10000000.01", "valueadd.cost_too_high"),
        ("NaN", "valueadd.cost_not_number"),
    ],
)
def test_a_cost_that_is_no_amount_is_refused_on_its_field(typed: str, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        valueadds.parse_cost(typed)
    assert (raised.value.code, raised.value.field) == (code, "cost")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("-1", "valueadd.hours_negative"),
        ("abc", "valueadd.hours_not_number"),
        ("٣", "valueadd.hours_not_number"),
        ("1.25", "valueadd.hours_decimals"),
        ("10000.1", "valueadd.hours_too_high"),
    ],
)
def test_hours_are_refused_with_their_reason(typed: str, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        valueadds.parse_hours(typed)
    assert raised.value.code == code
    assert valueadds.parse_hours("2.5") == 25


def test_the_log_line_is_read_into_its_parts() -> None:
    assert valueadds.split_amounts("Dash cost 1200 hours 6") == ("Dash", "1200", "6")
    assert valueadds.split_amounts("Dash hours 6 COST 1200") == ("Dash", "1200", "6")
    assert valueadds.split_amounts("Cost review of the hours") == (
        "Cost review of the hours",
        None,
        None,
    )
    parties = [CONTOSO, CONTOSO_LABS, ACME]
    assert valueadds.party_at_start("contoso retail labs Lab kit", parties) == (
        CONTOSO_LABS,
        "Lab kit",
    )  # the longest name first
    assert valueadds.party_at_start("“Contoso Retail” Kit", parties) == (CONTOSO, "Kit")
    with pytest.raises(NotFound):
        valueadds.party_at_start("Contoso Kit", parties)
    huawei = Party(id=4, name="华为", kind=PartyKind.CUSTOMER)
    assert valueadds.party_at_start("华为服务器迁移", [huawei]) == (huawei, "服务器迁移")
    assert valueadds.party_at_start("「华为」服务器迁移", [huawei]) == (huawei, "服务器迁移")
    with pytest.raises(InvalidInput) as raised:
        valueadds.require_customer(ACME)
    assert raised.value.params == {"name": "Acme Networks", "kind": PartyKind.SUPPLIER}


def test_praise_is_read_as_people_text_and_who_gave_it() -> None:
    assert split_praise("<@U1|a>, <@U2> and @bea fixed it from <@U9|z>") == (
        ["<@U1|a>", "<@U2>", "@bea"],
        "fixed it",
        "<@U9|z>",
    )
    assert split_praise("fixed it for <@U1>") == ([], "fixed it for <@U1>", None)
    assert split_praise("<@U1> came from far away") == (["<@U1>"], "came from far away", None)


def test_the_party_of_a_praise() -> None:
    ivan = Person(user_id="U0IVAN", team_id="T0INITECH", name="ivan")
    alice = Person(user_id="U0ALICE", team_id=WS, name="alice")
    shared = frozenset({WS, "T0INITECH"})
    assert praise.party_team(ivan, workspace_id=WS, channel_teams=frozenset()) == "T0INITECH"
    assert praise.party_team(alice, workspace_id=WS, channel_teams=shared) == "T0INITECH"
    assert praise.party_team(alice, workspace_id=WS, channel_teams=frozenset()) is None
    many = frozenset({WS, "T0INITECH", "T0ACME"})
    assert praise.party_team(alice, workspace_id=WS, channel_teams=many) is None
    assert not praise.counts_as_source(ACME, praiser_internal=True)
    assert praise.counts_as_source(ACME, praiser_internal=False)
