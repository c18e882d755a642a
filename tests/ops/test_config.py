"""Tests for the company config file: loading, defaults, one-line `path:line: problem` errors."""

from __future__ import annotations

import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.config import (
    CalendarConfig,
    ConfigError,
    LadderConfig,
    ParleyConfig,
    PartyConfig,
    StageLimits,
    load_config,
    resolve_config,
)

CONTRACT_EXAMPLE = """\
[calendar]
timezone = "Asia/Shanghai"        # default for people whose Slack profile has none
holidays = "CN"                   # holiday calendar with its adjusted working days

[channels]
dispute_process = "C0123"         # told when a dispute enters company_process
legal = "C0456"                   # told when a dispute enters legal

[people]
approvers = ["U0789"]             # may escalate to legal

[ladder]                          # default stage limits, in working days
coordination = 3
multi_party = 5
company_process = 10
auto_escalate = false

[parties."Acme Networks"]         # what was agreed with this party in advance
kind = "supplier"
slack_team = "T0ACME"             # its Slack Connect team
ladder = { coordination = 2, multi_party = 3 }
"""

STAGES_HINT = "stages: coordination, multi_party, company_process"


def write(tmp_path: Path, text: str | bytes, name: str = "parley.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value)


# --------------------------------------------------------------------------------------------
# Good files


def test_contract_example_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, CONTRACT_EXAMPLE))

    assert config.calendar.timezone == "Asia/Shanghai"
    assert config.calendar.zone == ZoneInfo("Asia/Shanghai")
    assert config.calendar.holidays == "CN"
    assert config.channels.dispute_process == "C0123"
    assert config.channels.legal == "C0456"
    assert config.people.approvers == ["U0789"]
    assert config.ladder == LadderConfig(
        coordination=3, multi_party=5, company_process=10, auto_escalate=False
    )
    assert config.parties == {
        "Acme Networks": PartyConfig(
            kind="supplier",
            slack_team="T0ACME",
            ladder=StageLimits(coordination=2, multi_party=3),
        )
    }


def test_stage_limit_prefers_the_party_override(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, CONTRACT_EXAMPLE))

    assert config.stage_limit("coordination", "Acme Networks") == 2
    assert config.stage_limit("multi_party", "Acme Networks") == 3
    assert config.stage_limit("company_process", "Acme Networks") == 10  # no override
    assert config.stage_limit("coordination") == 3
    assert config.stage_limit("coordination", "Unconfigured Ltd") == 3
    assert config.stage_limit("legal", "Acme Networks") is None
    assert config.stage_limit("legal") is None
    with pytest.raises(ValueError, match="unknown stage"):
        config.stage_limit("mediation")


def test_party_for_team(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, CONTRACT_EXAMPLE))

    assert config.party_for_team("T0ACME") == "Acme Networks"
    assert config.party_for_team("T0OTHER") is None


def test_defaults() -> None:
    config = ParleyConfig()

    assert config.calendar.timezone == "UTC"
    assert config.calendar.zone == ZoneInfo("UTC")
    assert config.calendar.holidays is None
    assert config.channels.dispute_process is None
    assert config.channels.legal is None
    assert config.people.approvers == []
    assert (config.ladder.coordination, config.ladder.multi_party) == (3, 5)
    assert config.ladder.company_process == 10
    assert config.ladder.auto_escalate is False
    assert config.parties == {}
    assert config.stage_limit("multi_party") == 5


@pytest.mark.parametrize("text", ["", "\n\n", "# nothing configured yet\n", "\ufeff"])
def test_empty_file_gives_defaults(tmp_path: Path, text: str) -> None:
    assert load_config(write(tmp_path, text)) == ParleyConfig()


def test_sections_are_independent(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        ladder.multi_party = 7
        parties.Globex = { kind = "customer" }
        """,
    )
    config = load_config(path)

    assert config.ladder == LadderConfig(multi_party=7)
    assert config.calendar == CalendarConfig()
    assert config.parties["Globex"] == PartyConfig(kind="customer")
    assert config.stage_limit("multi_party", "Globex") == 7


def test_party_names_are_stripped(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[parties."  Globex "]\nkind = "customer"\n'))

    assert list(config.parties) == ["Globex"]


def test_the_model_is_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, CONTRACT_EXAMPLE))

    with pytest.raises(ValidationError):
        config.calendar = CalendarConfig()  # type: ignore[misc]
    with pytest.raises(ValidationError):
        config.ladder.coordination = 9  # type: ignore[misc]
    with pytest.raises(ValidationError):
        config.parties["Acme Networks"].kind = "customer"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Bad files: exactly `path:line: problem`


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, '# company config\n\n[calender]\ntimezone = "UTC"\n')

    assert error_of(path) == (
        f'{path}:3: unknown top-level key "calender" '
        "(sections: calendar, channels, people, ladder, parties, i18n, complaints, surveys, "
        "contracts, services, audits)"
    )


def test_unknown_key_in_ladder(tmp_path: Path) -> None:
    path = write(tmp_path, "[ladder]\ncoordination = 3\ncoordinaton = 4\n")

    assert error_of(path) == (
        f'{path}:3: unknown key "coordinaton" in [ladder] '
        "(keys: coordination, multi_party, company_process, auto_escalate)"
    )


def test_unknown_key_in_a_party(tmp_path: Path) -> None:
    path = write(tmp_path, '[parties.Globex]\nkind = "customer"\nslack = "T0GLOBEX"\n')

    assert error_of(path) == (
        f'{path}:3: unknown key "slack" in [parties.Globex] (keys: kind, slack_team, ladder, complaints, locale, contract)'
    )


def test_legal_has_no_default_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "[ladder]\nlegal = 20\n")

    assert error_of(path) == (
        f'{path}:2: unknown stage "legal" in [ladder] (legal has no time limit; {STAGES_HINT})'
    )


def test_legal_in_a_party_ladder(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [parties."Acme Networks"]
        kind = "supplier"
        ladder = { coordination = 2, legal = 30 }
        """,
    )

    assert error_of(path) == (
        f'{path}:3: unknown stage "legal" in [parties."Acme Networks"].ladder '
        f"(legal has no time limit; {STAGES_HINT})"
    )


def test_unknown_stage_in_a_party_ladder_table(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [parties.Globex]
        kind = "customer"

        [parties.Globex.ladder]
        coordination = 2
        mediation = 4
        """,
    )

    assert error_of(path) == (
        f'{path}:6: unknown stage "mediation" in [parties.Globex].ladder ({STAGES_HINT})'
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [("-1", "-1"), ("0", "0"), ("366", "366"), ('"3"', '"3"'), ("2.5", "2.5"), ("true", "true")],
)
def test_bad_default_limit(tmp_path: Path, value: str, shown: str) -> None:
    path = write(tmp_path, f"[ladder]\nmulti_party = 5\ncoordination = {value}\n")

    assert error_of(path) == (
        f"{path}:3: ladder.coordination: must be a whole number of working days "
        f"from 1 to 365 (got {shown})"
    )


def test_bad_party_limit(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [parties."Acme Networks"]
        kind = "supplier"
        ladder = { coordination = 2, company_process = -3 }
        """,
    )

    assert error_of(path) == (
        f'{path}:3: parties."Acme Networks".ladder.company_process: must be a whole number '
        "of working days from 1 to 365 (got -3)"
    )


def test_bad_timezone(tmp_path: Path) -> None:
    path = write(tmp_path, '[calendar]\ntimezone = "Mars/Base"\n')

    assert error_of(path) == (
        f'{path}:2: calendar.timezone: unknown time zone "Mars/Base" '
        '(use an IANA name like "Europe/Berlin")'
    )


def test_timezone_with_wrong_case_gets_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, '[calendar]\ntimezone = "asia/shanghai"\n')

    assert error_of(path) == (
        f'{path}:2: calendar.timezone: unknown time zone "asia/shanghai"; '
        'did you mean "Asia/Shanghai"?'
    )


def test_unknown_holiday_calendar(tmp_path: Path) -> None:
    path = write(tmp_path, '[calendar]\ntimezone = "UTC"\nholidays = "XX"\n')

    assert error_of(path) == (
        f'{path}:3: calendar.holidays: unknown holiday calendar "XX" '
        "(use a country code such as CN, DE, US, GB, JP; omit it for Monday to Friday)"
    )


def test_lower_case_holiday_calendar_gets_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, 'calendar = { holidays = "de" }\n')

    assert error_of(path) == (
        f'{path}:1: calendar.holidays: unknown holiday calendar "de"; did you mean "DE"?'
    )


def test_bad_channel_id(tmp_path: Path) -> None:
    path = write(tmp_path, '[channels]\ndispute_process = "C0123"\nlegal = "#legal"\n')

    assert error_of(path) == (
        f'{path}:3: channels.legal: "#legal" is not a Slack channel id (like C0123ABCD)'
    )


def test_bad_approver_in_a_multi_line_array(tmp_path: Path) -> None:
    path = write(tmp_path, '[people]\napprovers = [\n  "U0789",\n  "alice",\n]\n')

    assert error_of(path) == (
        f'{path}:4: people.approvers[1]: "alice" is not a Slack user id (like U0123ABCD)'
    )


def test_approvers_not_an_array(tmp_path: Path) -> None:
    path = write(tmp_path, '[people]\napprovers = "U0789"\n')

    assert error_of(path) == f'{path}:2: people.approvers: must be an array (got "U0789")'


def test_bad_kind(tmp_path: Path) -> None:
    path = write(tmp_path, '[parties."Acme Networks"]\nkind = "vendor"\n')

    assert error_of(path) == (
        f'{path}:2: parties."Acme Networks".kind: must be "customer", "supplier" or '
        '"third_party" (got "vendor")'
    )


def test_missing_kind_points_at_the_party(tmp_path: Path) -> None:
    path = write(tmp_path, '[ladder]\ncoordination = 3\n\n[parties.Globex]\nslack_team = "T0G"\n')

    assert error_of(path) == (
        f'{path}:4: parties.Globex.kind: is required (one of "customer", "supplier", "third_party")'
    )


def test_bad_slack_team(tmp_path: Path) -> None:
    path = write(tmp_path, '[parties.Globex]\nkind = "customer"\nslack_team = "globex"\n')

    assert error_of(path) == (
        f'{path}:3: parties.Globex.slack_team: "globex" is not a Slack team id (like T0123ABCD)'
    )


def test_duplicate_slack_team(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [parties."Acme Networks"]
        kind = "supplier"
        slack_team = "T0ACME"

        [parties."Acme Holdings"]
        kind = "customer"
        slack_team = "T0ACME"
        """,
    )

    assert error_of(path) == (
        f'{path}:7: parties."Acme Holdings".slack_team: "T0ACME" is already the Slack team '
        'of party "Acme Networks"; a team can belong to only one party'
    )


def test_empty_party_name(tmp_path: Path) -> None:
    path = write(tmp_path, 'ladder.coordination = 3\n[parties."  "]\nkind = "customer"\n')

    assert error_of(path) == f'{path}:2: parties."  ": a party name must not be empty'


def test_long_party_name(tmp_path: Path) -> None:
    name = "N" * 81
    path = write(tmp_path, f'[parties.{name}]\nkind = "customer"\n')

    assert error_of(path) == f"{path}:1: parties.{name}: a party name must be at most 80 characters"


def test_party_names_that_clash_once_stripped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[parties.Globex]\nkind = "customer"\n[parties." Globex"]\nkind = "supplier"\n',
    )

    assert error_of(path) == (
        f'{path}:3: parties." Globex": party " Globex" is the same name as "Globex" '
        "once spaces, case, width and letters that look alike (such as a Cyrillic А for a "
        "Latin A) are set aside"
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Acme Networks", "\u0410cme Networks"),  # Cyrillic А
        ("Acme Networks", "\u0391cme Networks"),  # Greek Α
        ("Acme Networks", "\uff21\uff43\uff4d\uff45 Networks"),  # full-width Ａｃｍｅ
        ("Beta Corp", "\u0412\u0415\u0422\u0410 Corp"),  # ВЕТА in Cyrillic capitals
        ("Globex", "G1obex"),
    ],
)
def test_party_names_that_look_alike_are_one_name(tmp_path: Path, first: str, second: str) -> None:
    path = write(
        tmp_path,
        f'# two parties\n[parties."{first}"]\nkind = "customer"\n\n'
        f'[parties."{second}"]\nkind = "supplier"\n',
    )
    said = error_of(path)
    assert said.startswith(f"{path}:5: parties.")
    assert f'party "{second}" is the same name as "{first}" once spaces, case, width' in said


def test_an_invisible_party_name(tmp_path: Path) -> None:
    path = write(tmp_path, '[parties."\u200b\u2060"]\nkind = "customer"\n')
    assert "a party name must hold letters people can see" in error_of(path)


def test_chinese_party_names_stay_apart(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[parties."华为"]\nkind = "supplier"\n[parties."华为云"]\nkind = "supplier"\n'
        '[parties."Globex"]\nkind = "customer"\n',
    )
    assert list(load_config(path).parties) == ["华为", "华为云", "Globex"]


def test_party_names_that_clash_but_for_case(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[parties.Globex]\nkind = "customer"\n[parties.GLOBEX]\nkind = "supplier"\n',
    )
    assert "is the same name as" in error_of(path)


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, "# defaults\nladder = 3\n")

    assert error_of(path) == f"{path}:2: ladder: must be a table (got 3)"


def test_auto_escalate_must_be_a_bool(tmp_path: Path) -> None:
    path = write(tmp_path, '[ladder]\nauto_escalate = "yes"\n')

    assert error_of(path) == f'{path}:2: ladder.auto_escalate: must be true or false (got "yes")'


def test_the_first_problem_in_the_file_is_reported(tmp_path: Path) -> None:
    # pydantic reports [calendar] first (field order); the file has [ladder] first.
    path = write(tmp_path, '[ladder]\nbogus = 1\n[calendar]\ntimezone = "Nowhere"\n')

    assert error_of(path) == (
        f'{path}:2: unknown key "bogus" in [ladder] '
        "(keys: coordination, multi_party, company_process, auto_escalate)"
    )


def test_toml_syntax_error_has_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[ladder]\ncoordination = 3\nmulti_party = = 5\n")

    assert error_of(path) == f"{path}:3: invalid TOML: Invalid value (column 15)"


def test_toml_error_at_end_of_document(tmp_path: Path) -> None:
    path = write(tmp_path, '[calendar]\ntimezone = "UTC\n')

    message = error_of(path)
    assert message.startswith(f"{path}:2: invalid TOML: ")
    assert "\n" not in message


def test_duplicate_table_is_a_toml_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[ladder]\ncoordination = 3\n[ladder]\nmulti_party = 4\n")

    assert error_of(path).startswith(f"{path}:3: invalid TOML: ")


def test_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, b'[calendar]\ntimezone = "\xffUTC"\n')

    assert error_of(path) == f"{path}:2: not UTF-8 text (byte 0xff at column 13)"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"

    assert error_of(path) == f"{path}: file not found"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert error_of(tmp_path) == f"{tmp_path}: is a directory, not a file"


def test_config_error_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "[ladder]\ncoordination = 0\n")

    with pytest.raises(ConfigError) as info:
        load_config(path)

    assert info.value.path == path
    assert info.value.line == 2
    assert info.value.problem.startswith("ladder.coordination: ")
    assert str(info.value) == f"{path}:2: {info.value.problem}"


# --------------------------------------------------------------------------------------------
# resolve_config: PARLEY_CONFIG, then ./parley.toml, then defaults


def test_resolve_without_any_file_gives_defaults(tmp_path: Path) -> None:
    assert resolve_config(None, tmp_path) == ParleyConfig()
    assert resolve_config("", tmp_path) == ParleyConfig()


def test_resolve_uses_parley_toml_in_cwd(tmp_path: Path) -> None:
    write(tmp_path, "[ladder]\ncoordination = 4\n")

    assert resolve_config(None, tmp_path).ladder.coordination == 4


def test_resolve_prefers_parley_config(tmp_path: Path) -> None:
    write(tmp_path, "[ladder]\ncoordination = 4\n")
    other = write(tmp_path, "[ladder]\ncoordination = 6\n", name="company.toml")

    assert resolve_config(str(other), tmp_path).ladder.coordination == 6
    assert resolve_config("company.toml", tmp_path).ladder.coordination == 6


def test_resolve_missing_parley_config_file_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "[ladder]\ncoordination = 4\n")  # not used as a fallback
    missing = tmp_path / "missing.toml"

    with pytest.raises(ConfigError) as info:
        resolve_config(str(missing), tmp_path)

    assert str(info.value) == f"{missing}: file not found (named by PARLEY_CONFIG)"


def test_resolve_reports_errors_in_parley_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[ladder]\nlegal = 3\n")

    with pytest.raises(ConfigError) as info:
        resolve_config(None, tmp_path)

    assert str(info.value).startswith(f'{path}:2: unknown stage "legal"')


# --------------------------------------------------------------------------------------------
# Property: any file either loads or raises ConfigError, with a one-line message

_KEYS = st.sampled_from(
    [
        "calendar",
        "timezone",
        "holidays",
        "channels",
        "legal",
        "ladder",
        "coordination",
        "multi_party",
        "auto_escalate",
        "parties",
        "kind",
        "slack_team",
        '"Acme Networks"',
        "people",
        "approvers",
        "x",
    ]
)
_VALUES = st.sampled_from(
    ['"UTC"', '"CN"', '"C0123"', '"U1"', '"T0A"', '"supplier"', "3", "-1", "true", "[]", "{}"]
) | st.builds(lambda v: f"{v!r}".replace("'", '"'), st.text(max_size=8))
_LINES = st.one_of(
    st.builds(lambda k: f"[{k}]", st.lists(_KEYS, min_size=1, max_size=3).map(".".join)),
    st.builds(
        lambda k, v: f"{k} = {v}", st.lists(_KEYS, min_size=1, max_size=3).map(".".join), _VALUES
    ),
    st.builds(lambda k, v: f"{k} = {{ {k} = {v} }}", _KEYS, _VALUES),
    st.text(max_size=20),
)
_FILES = st.one_of(
    st.text().map(str.encode),
    st.binary(max_size=60),
    st.lists(_LINES, max_size=8).map(lambda lines: "\n".join(lines).encode()),
)


@settings(max_examples=300, deadline=None)
@given(content=_FILES)
def test_any_file_loads_or_raises_config_error(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz.toml"
    path.write_bytes(content)

    try:
        config = load_config(path)
    except ConfigError as error:
        message = str(error)
        assert message.startswith(f"{path}")
        assert "\n" not in message and "\r" not in message
    else:
        assert isinstance(config, ParleyConfig)
