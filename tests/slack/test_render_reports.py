"""The satisfaction report's chart drawn alone: a PNG in both languages whose every
character the font it is set in covers (no tofu), and the figures' text escaped."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from bot.commands import render_reports, render_reports_chart
from bot.commands.words.language import Languages
from bot.domain.reports import Period, QuarterFigure, QuestionFigure, SatisfactionReport

REPORT = SatisfactionReport(
    party="Contoso Retail 零售",
    period=Period(start=date(2026, 1, 1), end=date(2026, 11, 23)),
    answers=14,
    asked=20,
    answered=13,
    questions=(
        QuestionFigure(text=None, average=4.5, ratings=2),
        QuestionFigure(text="Quality of service", average=3.92, ratings=12),
    ),
    quarters=(
        QuarterFigure(year=2026, quarter=1, answers=6, average=3.5),
        QuarterFigure(year=2026, quarter=2, answers=0, average=None),
        QuarterFigure(year=2026, quarter=3, answers=5, average=4.2),
        QuarterFigure(year=2026, quarter=4, answers=3, average=4.67),
    ),
    complaints_opened=7,
    complaints_closed=5,
    median_days_to_close=3.5,
    overdue=1,
    praise=4,
)


@pytest.fixture(scope="module")
def covered() -> set[int]:
    with TTFont(render_reports_chart.font_path(), lazy=True) as font:
        return set(font.getBestCmap())


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_every_character_of_the_chart_is_in_its_font(locale: str, covered: set[int]) -> None:
    language = Languages()[locale]
    texts = render_reports_chart.chart_texts(REPORT, language)
    missing = {ch for text in texts for ch in text if not ch.isspace() and ord(ch) not in covered}
    assert not missing, missing
    if locale == "zh-CN":
        assert any("满意度" in t for t in texts) and "平均分（1–5）" in texts


def test_the_fonts_own_check_finds_what_it_lacks(covered: set[int]) -> None:
    # The check can fail: a character no CJK font has (a private-use code point).
    assert 0xE000 not in covered and ord("满") in covered and ord("Q") in covered


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_the_chart_is_a_png_with_a_bar_per_quarter(locale: str) -> None:
    png = render_reports_chart.chart(REPORT, Languages()[locale])
    assert png.startswith(render_reports_chart.PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (750, 420)


def test_no_answers_is_said_on_the_chart_too() -> None:
    empty = REPORT.model_copy(update={"answers": 0, "questions": (), "quarters": ()})
    png = render_reports_chart.chart(empty, Languages()["en"])
    assert png.startswith(render_reports_chart.PNG_SIGNATURE)
    assert "No answers in that period." in render_reports.figure_lines(empty, Languages()["en"])


def test_the_alt_text_has_the_figures() -> None:
    alt = render_reports.chart_alt(REPORT, Languages()["en"])
    assert "Response rate: 65% (13 of 20 people asked)" in alt
    assert "Case handling: 4.50" in alt and "2026 Q4: 3 answers, average 4.67" in alt
    assert "Median time to close: 3.5 working days" in alt
