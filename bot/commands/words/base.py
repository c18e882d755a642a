"""The parts every topic's words share: the marker that lists a message for translation, and
the reader's translations (English when nothing else is loaded)."""

from __future__ import annotations

import gettext
from typing import Protocol


class Translations(Protocol):
    """A reader's catalog: gettext's `GNUTranslations` (or `NullTranslations` for English)."""

    def gettext(self, message: str, /) -> str: ...


ENGLISH: Translations = gettext.NullTranslations()


def N_(message: str) -> str:
    """Marks `message` as words to translate (Babel extracts `N_`); it is translated when
    said, for the reader at hand."""
    return message
