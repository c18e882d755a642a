"""A scorecard's radar chart drawn alone: a PNG in both languages whose every character its
font covers, a dimension without data drawn as a gap (never as a zero), and the alt text
with every figure."""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from bot.commands import render_scorecard_chart as radar_chart
from bot.commands.render_scorecard_chart import Radar, Spoke
from bot.commands.words.language import Languages

SPOKES = (
    Spoke("Responsiveness", 82, "B", "41 of 50 first replies in time, median 2.5 hours"),
    Spoke("Problem-solving ability", 45, "D", "3 of 7 disputes resolved before the process"),
    Spoke("Problem-solving efficiency", 90, "A", "median 2 working days against 5"),
    Spoke("Staff stability", None, None, "nobody answered last period"),
    Spoke("Customer feedback", 60, "C", "12 answers, 2 complaints"),
    Spoke("Cooperation climate", 80, "B", "rated 4 of 5"),
)
RADAR = Radar(
    title="S-3 Acme Ltd, Wed 1 Jul 2026 to Wed 30 Sep 2026",
    subtitle="Total 72 of 100, band B",
    spokes=SPOKES,
)
CHINESE = Radar(
    title="S-3 艾克米零售，2026年7月1日 周三 至 2026年9月30日 周三",
    subtitle="总分 72（满分 100），等级 B",
    spokes=(
        Spoke("响应速度", 82, "B", "50 次首次回复中 41 次按时"),
        Spoke("解决问题能力", 45, "D", "7 个争议中 3 个在流程前解决"),
        Spoke("解决问题效率", 90, "A", "中位数 2 个工作日，约定 5 个"),
        Spoke("人员稳定性", None, None, "上期无人回复"),
        Spoke("客户反馈", 60, "C", "12 个回答，2 个投诉"),
        Spoke("合作氛围", 80, "B", "评分 4/5"),
    ),
)
FILL = (0x15, 0x65, 0xC0)


@pytest.fixture(scope="module")
def covered() -> set[int]:
    with TTFont(radar_chart.font_path(), lazy=True) as font:
        return set(font.getBestCmap())


@pytest.mark.parametrize(("locale", "radar"), [("en", RADAR), ("zh-CN", CHINESE)])
def test_every_character_of_the_chart_is_in_its_font(
    locale: str, radar: Radar, covered: set[int]
) -> None:
    texts = radar_chart.chart_texts(radar, Languages()[locale])
    missing = {ch for text in texts for ch in text if not ch.isspace() and ord(ch) not in covered}
    assert not missing, missing
    if locale == "zh-CN":
        assert "人员稳定性\n（无数据）" in texts and "响应速度\n82（B）" in texts
    else:
        assert "Staff stability\n(no data)" in texts and "Responsiveness\n82 (B)" in texts


@pytest.mark.parametrize(("locale", "radar"), [("en", RADAR), ("zh-CN", CHINESE)])
def test_the_chart_is_a_png(locale: str, radar: Radar) -> None:
    png = radar_chart.chart(radar, Languages()[locale])
    assert png.startswith(radar_chart.PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (800, 640)


def _pixel(radar: Radar, x: float, y: float) -> tuple[int, int, int]:
    """The colour the chart has at (x, y) of its web (units of score/100 from the centre)."""
    figure = radar_chart.drawn(radar, Languages()["en"])
    out = io.BytesIO()
    figure.savefig(out, format="png")
    image = Image.open(io.BytesIO(out.getvalue())).convert("RGB")
    px, py = figure.axes[0].transData.transform((x, y))
    r, g, b = image.getpixel((round(px), image.height - round(py)))
    return (r, g, b)


def _shaded(colour: tuple[int, int, int]) -> bool:
    """The fill is the chart's blue at 18% over white: blue well above red."""
    r, _, b = colour
    return b - r > 25


def test_a_dimension_without_data_is_a_gap_not_a_zero() -> None:
    # Staff stability (the fourth spoke) points straight down; with data it is shaded
    # from the centre, without data the wedges either side of it stop at the centre.
    scored = Radar(
        title=RADAR.title,
        subtitle=RADAR.subtitle,
        spokes=tuple(
            s if s.score is not None else Spoke(s.label, 90, "A", s.figure) for s in SPOKES
        ),
    )
    below_centre = (0.03, -0.3)
    assert _shaded(_pixel(scored, *below_centre))
    assert not _shaded(_pixel(RADAR, *below_centre))
    # The wedge between responsiveness and problem-solving ability is shaded in both.
    assert _shaded(_pixel(RADAR, 0.1, 0.3)) and _shaded(_pixel(scored, 0.1, 0.3))


def test_every_dimension_without_data_draws_no_outline() -> None:
    empty = Radar(
        title=RADAR.title,
        subtitle="No total: no dimension has data",
        spokes=tuple(Spoke(s.label, None, None, "") for s in SPOKES),
    )
    png = radar_chart.chart(empty, Languages()["en"])
    assert png.startswith(radar_chart.PNG_SIGNATURE)
    assert not _shaded(_pixel(empty, 0.1, 0.3))
    assert radar_chart.alt_text(empty, Languages()["en"]).count(": no data") == 6


def test_the_alt_text_has_every_figure() -> None:
    alt = radar_chart.alt_text(RADAR, Languages()["en"])
    assert alt.startswith("S-3 Acme Ltd, Wed 1 Jul 2026 to Wed 30 Sep 2026; Total 72 of 100")
    assert (
        "Responsiveness: 82 of 100, band B (41 of 50 first replies in time, median 2.5 hours)"
    ) in alt
    assert "Problem-solving ability: 45 of 100, band D (3 of 7 disputes" in alt
    assert "Staff stability: no data (nobody answered last period)" in alt
    assert "Cooperation climate: 80 of 100, band B (rated 4 of 5)" in alt
    chinese = radar_chart.alt_text(CHINESE, Languages()["zh-CN"])
    assert "人员稳定性：无数据（上期无人回复）" in chinese
    assert "响应速度：82 分（满分 100），等级 B（50 次首次回复中 41 次按时）" in chinese


def test_the_alt_text_stays_within_slacks_limit() -> None:
    long = Radar(
        title=RADAR.title,
        subtitle=RADAR.subtitle,
        spokes=tuple(Spoke(s.label, s.score, s.band, "x" * 400) for s in SPOKES),
    )
    assert len(radar_chart.alt_text(long, Languages()["en"])) == radar_chart.ALT_LIMIT
