"""A reader's days are formatted once each and stay exactly Babel's formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date

from bot.commands.words.language import CHINESE, ENGLISH, PATTERNS, Languages


def test_days_match_babel_in_both_languages_for_dates_and_datetimes() -> None:
    languages = Languages()
    shanghai = ZoneInfo("Asia/Shanghai")
    for code in (ENGLISH, CHINESE):
        language = languages[code]
        babel = Locale.parse(code, sep="-")
        for i in range(400):
            d = date(2026, 1, 1) + timedelta(days=i)
            # Late in the evening in Shanghai: the local date, not UTC's, is the day shown.
            at = datetime(d.year, d.month, d.day, 23, 30, tzinfo=shanghai)
            for when in (d, at, at.astimezone(UTC)):
                assert language.day(when) == format_date(when, PATTERNS[code].day, locale=babel)
                assert language.day_year(when) == format_date(
                    when, PATTERNS[code].day_year, locale=babel
                )
    assert languages[ENGLISH].day(date(2026, 12, 14)) == "Mon 14 Dec"
    assert languages[CHINESE].day_year(date(2026, 12, 14)).startswith("2026年12月14日")
