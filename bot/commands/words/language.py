"""The reader's language: English (`en`) or Simplified Chinese (`zh-CN`).

Who reads decides (`../shared/product.md`, "Language"): an answer one person sees is in that
person's Slack locale, a post in a channel in the channel's language. A `Language` is made for
one reader (a request's caller, a DM's person, a channel) and passed to whatever renders for
them; nothing holds a current language globally. The catalogs are standard gettext ones
(`bot/locale/<locale>/LC_MESSAGES/parley.po`, compiled to `.mo` when Parley is installed) and
are loaded once, by `Languages`, which `Deps` holds.

Dates, weekdays and numbers come from CLDR through Babel, in each language's convention:
`Mon 14 Dec 2026 10:00` / `2026年12月14日 周一 10:00`.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import icu
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

ENGLISH = "en"
CHINESE = "zh-CN"
LOCALES = (ENGLISH, CHINESE)
CATALOGS = Path(__file__).resolve().parent.parent.parent / "locale"
DOMAIN = "parley"


def locale_of(tag: str | None, default: str = ENGLISH) -> str:
    """The language Parley speaks to a Slack locale (`zh-CN`, `zh_TW`, `en-GB`) or a config's
    `locale`: any Chinese is Simplified Chinese, any other known tag English; None or an
    empty tag gets `default`."""
    if not tag:
        return default
    return CHINESE if tag.replace("_", "-").lower().split("-")[0] == "zh" else ENGLISH


@dataclass(frozen=True)
class Patterns:
    """A language's CLDR patterns for the dates and times Parley shows."""

    day: str  # a date within the year in view: Mon 14 Dec
    day_year: str  # Mon 14 Dec 2026
    moment: str  # Mon 14 Dec 10:00
    stamp: str  # Mon 14 Dec 2026 10:00
    separator: str  # between the items of a list


PATTERNS = {
    ENGLISH: Patterns("EEE d MMM", "EEE d MMM y", "EEE d MMM HH:mm", "EEE d MMM y HH:mm", ", "),
    CHINESE: Patterns(
        "M月d日 EEE", "y年M月d日 EEE", "M月d日 EEE HH:mm", "y年M月d日 EEE HH:mm", "、"
    ),
}


@dataclass(frozen=True)
class Language:
    """What one reader reads in: the catalog's translations and the language's conventions."""

    code: str
    translations: gettext.NullTranslations = field(repr=False)

    @property
    def locale(self) -> Locale:
        return _locale(self.code)

    @property
    def patterns(self) -> Patterns:
        return PATTERNS[self.code]

    def _(self, message: str) -> str:
        """`message` (an English msgid) in this language."""
        return self.translations.gettext(message)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form for `n` ("1 working day" / "2 working days" / "2个工作日"), not yet filled."""
        return self.translations.ngettext(singular, plural, n)

    def day(self, when: date | datetime) -> str:
        return _day(self.code, self.patterns.day, _date_of(when))

    def day_year(self, when: date | datetime) -> str:
        return _day(self.code, self.patterns.day_year, _date_of(when))

    def moment(self, when: datetime) -> str:
        return format_datetime(when, self.patterns.moment, tzinfo=when.tzinfo, locale=self.locale)

    def stamp(self, when: datetime) -> str:
        return format_datetime(when, self.patterns.stamp, tzinfo=when.tzinfo, locale=self.locale)

    def clock(self, when: time | datetime) -> str:
        return f"{when.hour:02d}:{when.minute:02d}"

    def number(self, n: int) -> str:
        return format_decimal(n, locale=self.locale)

    def listed(self, items: Iterable[str]) -> str:
        return self.patterns.separator.join(items)

    def sort_key(self, text: str) -> bytes:
        """Sorts names as this language's readers expect (ICU's collation: Chinese by pinyin,
        English case-insensitively, accents after their letters)."""
        return bytes(_collator(self.code).getSortKey(text))


@functools.cache
def _locale(code: str) -> Locale:
    """Babel's locale for a language code, parsed once."""
    return Locale.parse(code, sep="-")


def _date_of(when: date | datetime) -> date:
    # Babel formats a datetime's date part alone (`format_date`), so the day is the key.
    return when.date() if isinstance(when, datetime) else when


@functools.lru_cache(maxsize=8192)
def _day(code: str, pattern: str, when: date) -> str:
    """A day as `pattern` writes it in the language: a list of 25 disputes names a handful
    of days, each formatted once (Babel takes ~30 µs a date)."""
    return format_date(when, pattern, locale=_locale(code))


@functools.cache
def _collator(code: str) -> icu.Collator:
    """One ICU collator per language (read-only once made, so shared by every reader)."""
    return icu.Collator.createInstance(icu.Locale(code.replace("-", "_")))


class Languages:
    """The catalogs, loaded once; a `Language` for any locale tag. `default` is the language
    of channels that are nobody's in particular (`[i18n] locale`, else English)."""

    def __init__(self, default: str = ENGLISH, catalogs: Path = CATALOGS) -> None:
        self._by_code: dict[str, Language] = {
            ENGLISH: Language(ENGLISH, gettext.NullTranslations())
        }
        for code in LOCALES[1:]:
            folder = code.replace("-", "_")
            with (catalogs / folder / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as compiled:
                self._by_code[code] = Language(code, gettext.GNUTranslations(compiled))
        self.default = self._by_code[locale_of(default)]

    def of(self, tag: str | None) -> Language:
        """The language for a Slack locale or a party's `locale`; the default when unknown."""
        return self._by_code[locale_of(tag, self.default.code)] if tag else self.default

    def __getitem__(self, code: str) -> Language:
        return self._by_code[code]
