"""What Parley says when the domain refuses something: each error code's words.

The domain raises `DomainError(code, **params)` (`bot/domain/errors.py`); `say()` looks the code
up here, translates the words for the reader and fills in the parameters, escaping each (typed
text is never markup). Each topic keeps its codes in its own module of this package, under the
topic's prefix (`dispute.`, `review.`, …); `tests/slack/test_words.py` checks that every code raised
in `bot/` has words here, that no words are left without a code, and that each message's
placeholders are the parameters its raise sites pass.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from bot.commands.mrkdwn import Mrkdwn, escape
from bot.commands.words import (
    agreements,
    audit_publish,
    audits,
    common,
    complaints,
    contracts,
    digests,
    disputes,
    dossiers,
    parties,
    praise,
    reports,
    reviews,
    surveys,
    valueadds,
)
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.errors import DomainError
from bot.domain.marks import Words

log = logging.getLogger(__name__)

__all__ = ["CATALOG", "N_", "say", "say_plain"]


def _catalog(*topics: Mapping[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for topic in topics:
        for code, message in topic.items():
            if code in merged:
                raise ValueError(f"error code {code!r} has words in two topics")
            merged[code] = message
    return merged


CATALOG: Mapping[str, str] = _catalog(
    audits.WORDS,
    common.WORDS,
    disputes.WORDS,
    dossiers.WORDS,
    reviews.WORDS,
    agreements.WORDS,
    digests.WORDS,
    parties.WORDS,
    surveys.WORDS,
    complaints.WORDS,
    praise.WORDS,
    valueadds.WORDS,
    contracts.WORDS,
    reports.WORDS,
    audit_publish.WORDS,
)

_UNSAID = N_("That did not work, and I have no words for why ({code}). Nothing was changed.")


class _Saying(string.Formatter):
    """Fills a message in: each parameter escaped, enums by their label, a tuple of words as
    a list of code words (`open`, `all`); `{stage:lower}` lowers a label mid-sentence."""

    def __init__(self, words: Language, *, escaping: bool = True) -> None:
        self.words = words
        self.escaping = escaping

    def format_field(self, value: Any, format_spec: str) -> str:
        lower = format_spec == "lower"
        if lower:
            format_spec = ""
        if isinstance(value, Words):
            value = self.words.gettext(value)
        elif isinstance(value, Enum):
            value = self.words.gettext(getattr(value, "label", value.value))
        elif isinstance(value, datetime):
            value = self.words.stamp(value)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            return self._listed(value)
        shown = format(value, format_spec)
        return self._safe(shown.lower() if lower else shown)

    def _safe(self, text: str) -> str:
        return escape(text) if self.escaping else text

    def _listed(self, items: tuple[str, ...]) -> str:
        return self.words.listed(f"`{self._safe(item)}`" for item in items)


def say(error: DomainError, words: Language) -> Mrkdwn:
    """`error` in the reader's words, as safe mrkdwn (for a message)."""
    return Mrkdwn(_said(error, _Saying(words)))


def say_plain(error: DomainError, words: Language) -> str:
    """`error` in the reader's words as plain text (for a form's field), mention tokens kept
    for the door to show as `@name`."""
    return _said(error, _Saying(words, escaping=False))


def _said(error: DomainError, saying: _Saying) -> str:
    message = CATALOG.get(error.code)
    if message is None:  # tests/slack/test_words.py keeps this from happening
        log.error("no words for the error code %s", error.code)
        return saying.format(saying.words.gettext(_UNSAID), code=error.code)
    return saying.vformat(saying.words.gettext(message), (), dict(error.params))
