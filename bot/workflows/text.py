"""Cleaning free text that people type: titles, reasons, notes."""

from __future__ import annotations

import re
import unicodedata

from bot.workflows.errors import InvalidInput

# Bidirectional overrides can make a title read differently from what is stored.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


def clean_line(text: str, *, what: str, limit: int, example: str) -> str:
    """One line of human text: NFC, single spaces, no control characters, 1..limit long."""
    text = unicodedata.normalize("NFC", text)
    text = _BIDI_CONTROLS.sub("", text)
    text = "".join(
        ch for ch in text if not (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r")
    )
    text = _SPACE.sub(" ", text).strip()
    visible = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Zs", "Mn"))
    if not visible:
        raise InvalidInput(f"The {what} is empty. Write it like this: {example}")
    if len(text) > limit:
        raise InvalidInput(
            f"The {what} is {len(text):,} characters long; keep it to {limit}. "
            "Put the details in the thread instead."
        )
    return text
