"""Cleaning free text that people type: titles, reasons, notes; and the mention tokens in it.

Stored text is what the person typed, as plain text. The one thing kept from Slack's markup is a
mention that Slack itself escaped (a person picked from the list): it is stored as a token
between two private-use code points, `\ue000@U123|name\ue001`, that nobody can type (input
cleaning strips both code points from whatever a person or a form sent, before any token is
made). Renderers show a token as `<@U123>` in mrkdwn and as `@name` in plain text.
"""

from __future__ import annotations

import re
import unicodedata

from bot.domain.errors import InvalidInput

# Bidirectional overrides can make a title read differently from what is stored.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")

TOKEN_OPEN = "\ue000"
TOKEN_CLOSE = "\ue001"
_DELIMITERS = re.compile("[\ue000\ue001]")
# `@U123|name` (a person) or `#C123` (a channel Parley names in its own words).
TOKEN = re.compile("\ue000([@#])([A-Z0-9]{1,40})(?:\\|([^\ue000\ue001]{0,120}))?\ue001")


def strip_delimiters(text: str) -> str:
    """Raw input with the token delimiters removed: what a person typed can never be a token."""
    return _DELIMITERS.sub("", text)


def person(user_id: str, name: str | None = None) -> str:
    """A mention of one person, kept as a mention when posted (`<@U123>`)."""
    name = strip_delimiters(name or "").strip()[:80]
    return f"{TOKEN_OPEN}@{user_id}{'|' + name if name else ''}{TOKEN_CLOSE}"


def channel(channel_id: str) -> str:
    """A channel named in Parley's own words, posted as a link to it (`<#C123>`)."""
    return f"{TOKEN_OPEN}#{channel_id}{TOKEN_CLOSE}"


def _plain_token(match: re.Match[str]) -> str:
    sigil, target, name = match.group(1), match.group(2), match.group(3)
    return sigil + (name.lstrip("@") if name else target)


def as_plain(text: str) -> str:
    """Stored text as a person reads it: each token as `@name` (or `@U123` without a name)."""
    return strip_delimiters(TOKEN.sub(_plain_token, text))


def well_formed(text: str) -> str:
    """Text whose delimiters all belong to tokens (a stray one is dropped)."""
    parts: list[str] = []
    pos = 0
    for m in TOKEN.finditer(text):
        parts += [strip_delimiters(text[pos : m.start()]), m.group(0)]
        pos = m.end()
    parts.append(strip_delimiters(text[pos:]))
    return "".join(parts)


def clean_line(
    text: str, *, limit: int, empty: str, too_long: str, example: str | None = None
) -> str:
    """One line of human text: NFC, single spaces, no control characters, 1..limit long.

    `empty` and `too_long` are the codes of the refusals (the latter is given the `length`
    and the `limit`); an `example` of how to write it goes with both."""
    params = {"example": example} if example is not None else {}
    text = unicodedata.normalize("NFC", text)
    text = _BIDI_CONTROLS.sub("", text)
    text = "".join(
        ch for ch in text if not (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r")
    )
    text = well_formed(_SPACE.sub(" ", text).strip())
    visible = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Zs", "Mn"))
    if not visible:
        raise InvalidInput(empty, **params)
    length = len(as_plain(text))  # a mention counts as the `@name` people see
    if length > limit:
        raise InvalidInput(too_long, length=length, limit=limit, **params)
    return text
