"""The config's `[surveys]`: defaults, a file's own values, and one-line errors on their line."""

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


def test_defaults_are_the_contracts() -> None:
    surveys = ParleyConfig().surveys
    assert surveys.after == ("complaint", "dispute")
    assert surveys.sample == 1.0
    assert surveys.cooldown_days == 30
    assert surveys.open_for == 5
    assert surveys.questions == (
        "Quality of service",
        "Responsiveness",
        "Attitude",
        "Communication",
        "Overall",
    )


def test_a_files_own_values(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """\
        [surveys]
        after = ["complaint"]
        sample = 0.25
        cooldown_days = 0
        open_for = 3
        questions = ["  Speed  of answers ", "服务质量"]
        """,
    )
    assert config.surveys.after == ("complaint",)
    assert config.surveys.sample == 0.25
    assert config.surveys.cooldown_days == 0
    assert config.surveys.open_for == 3
    assert config.surveys.questions == ("Speed of answers", "服务质量")
    assert load(tmp_path, "[surveys]\nsample = 1\nafter = []\n").surveys.sample == 1.0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("sample = 1.5", "surveys.sample: must be a number from 0 to 1"),
        ('sample = "all"', "surveys.sample: must be a number from 0 to 1"),
        ("sample = true", "surveys.sample: must be a number from 0 to 1"),
        ("cooldown_days = -1", "surveys.cooldown_days: must be a whole number of days from 0"),
        ("cooldown_days = 2.5", "surveys.cooldown_days: must be a whole number of days from 0"),
        ("open_for = 0", "surveys.open_for: must be a whole number of working days from 1"),
        ('after = ["review"]', 'surveys.after[0]: must be "complaint" or "dispute"'),
        ('after = "complaint"', "surveys.after: must be an array"),
        ("questions = []", "surveys.questions: must have from 1 to 10 questions (got 0)"),
        ('questions = ["Speed", " speed "]', 'question 2 ("speed") is asked twice'),
        ('questions = ["Speed", ""]', "question 2 must be a non-empty string"),
        ('questions = ["Speed", 3]', "question 2 must be a non-empty string (got 3)"),
        (f'questions = ["{"x" * 151}"]', "question 1 is 151 characters; at most 150"),
        ("questions = " + str([f"q{n}" for n in range(11)]), "(got 11)"),
        ("cadence = 3", 'unknown key "cadence" in [surveys] (keys: after, sample,'),
    ],
)
def test_bad_values_are_refused_on_their_line(tmp_path: Path, text: str, problem: str) -> None:
    error = error_of(tmp_path, f"# company\n[surveys]\n{text}\n")
    assert error.startswith(":3: "), error
    assert problem in error, error
