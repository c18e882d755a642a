"""The config's `[audits]`: defaults, a file's own values, and one-line errors on their line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.config import ConfigError, ParleyConfig, load_config
from bot.domain.audits import Band, Dimension


def load(tmp_path: Path, text: str) -> ParleyConfig:
    path = tmp_path / "parley.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_config(path)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    return str(info.value).removeprefix(str(tmp_path / "parley.toml"))


def test_defaults_weigh_all_six_and_band_as_the_contract() -> None:
    audits = ParleyConfig().audits
    assert list(audits.weights.by_dimension) == list(Dimension)
    assert audits.weights.by_dimension == {
        Dimension.RESPONSIVENESS: 20.0,
        Dimension.PROBLEM_SOLVING: 20.0,
        Dimension.EFFICIENCY: 20.0,
        Dimension.STAFF_STABILITY: 10.0,
        Dimension.CUSTOMER_FEEDBACK: 20.0,
        Dimension.COOPERATION: 10.0,
    }
    assert audits.bands.by_band == {Band.A: 85.0, Band.B: 70.0, Band.C: 50.0}


def test_a_files_own_values_and_a_key_left_out_keeps_its_default(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """\
        [audits]
        weights = { responsiveness = 3, cooperation = 0.5, staff_stability = 0 }
        bands = { A = 90, B = 75.5, C = 40 }
        """,
    )
    weights = config.audits.weights.by_dimension
    assert weights[Dimension.RESPONSIVENESS] == 3.0
    assert weights[Dimension.COOPERATION] == 0.5
    assert weights[Dimension.STAFF_STABILITY] == 0.0
    assert weights[Dimension.EFFICIENCY] == 20.0
    assert config.audits.bands.by_band == {Band.A: 90.0, Band.B: 75.5, Band.C: 40.0}


ALL_ZERO = ", ".join(f"{d.value} = 0" for d in Dimension)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            'weights = { responsiveness = "a lot" }',
            'audits.weights.responsiveness: must be a number from 0 to 1000 (got "a lot")',
        ),
        ("weights = { efficiency = -1 }", "audits.weights.efficiency: must be a number from 0"),
        ("weights = { efficiency = true }", "audits.weights.efficiency: must be a number from 0"),
        ("weights = { speed = 1 }", 'unknown key "speed" in [audits].weights'),
        ("weights = 3", "audits.weights: must be a table (got 3)"),
        (f"weights = {{ {ALL_ZERO} }}", "audits.weights: at least one dimension must weigh"),
        ("bands = { A = 101 }", "audits.bands.A: must be a number from 0 to 100"),
        ('bands = { B = "70" }', "audits.bands.B: must be a number from 0 to 100"),
        ("bands = { A = 60, B = 70 }", "audits.bands: must be A above B above C"),
        ("bands = { D = 10 }", 'unknown key "D" in [audits].bands'),
        ("colour = 1", 'unknown key "colour" in [audits]'),
    ],
)
def test_bad_values_are_refused_on_their_line(tmp_path: Path, text: str, problem: str) -> None:
    error = error_of(tmp_path, f"# company\n[audits]\n{text}\n")
    assert error.startswith(":3: "), error
    assert problem in error, error
