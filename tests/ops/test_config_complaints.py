"""The config's complaint clocks: defaults, a party's agreed ones, and one-line errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.config import ConfigError, ParleyConfig, load_config


def load(tmp_path: Path, text: str) -> ParleyConfig:
    path = tmp_path / "parley.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_config(path)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    return str(info.value).removeprefix(str(tmp_path / "parley.toml"))


def test_defaults_and_a_partys_agreed_clocks(tmp_path: Path) -> None:
    assert ParleyConfig().complaint_limits(None) == (1, 5)
    assert ParleyConfig().complaints.confirm_within == 3
    config = load(
        tmp_path,
        """\
        [channels]
        complaints = "C0CARE"

        [complaints]
        respond_within = 2
        confirm_within = 4

        [parties."Initech"]
        kind = "customer"
        complaints = { resolve_within = 8 }
        """,
    )
    assert config.channels.complaints == "C0CARE"
    assert config.complaint_limits("Initech") == (2, 8)
    assert config.complaint_limits("Somebody else") == (2, 5)
    assert config.complaints.confirm_within == 4


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "[complaints]\nrespond_within = 0\n",
            ":2: complaints.respond_within: must be a whole number of working days from 1 to 365",
        ),
        (
            "[complaints]\nanswer_within = 1\n",
            ':2: unknown key "answer_within" in [complaints] '
            "(keys: respond_within, resolve_within, confirm_within)",
        ),
        (
            '[parties."Initech"]\nkind = "customer"\ncomplaints = { confirm_within = 2 }\n',
            ':3: unknown key "confirm_within" in [parties.Initech].complaints '
            "(keys: respond_within, resolve_within)",
        ),
        (
            '[channels]\ncomplaints = "customer-care"\n',
            ":2: channels.complaints:",
        ),
    ],
)
def test_a_bad_clock_stops_start_with_file_line_and_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    said = error_of(tmp_path, text)
    assert said.startswith(problem), said
