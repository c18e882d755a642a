"""Party names as people read them: the comparison key, and finding a name inside any text.

Two names are the same when a person could not tell them apart: `Acme Networks`,
`ACME  networks`, full-width `Ａｃｍｅ Networks` and `Аcme Networks` with a Cyrillic А are one
name. The key is NFKC, case-folded, then the Unicode confusables skeleton (UTS #39, from ICU's
SpoofChecker: the Unicode Consortium's own data, not a table of ours), with spaces collapsed.

Finding a name in a message works on the same normal form of the message, so a lookalike
spelling in the text is found too. Word boundaries only count at an edge where the name's own
character belongs to a script written with spaces between words: `Acme` is not found in
`Acmeville`, but `华为` is found in `与华为的争议` and `Globex` in `与Globex的争议`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import icu

_SPOOF = icu.SpoofChecker()


def _ignorable() -> re.Pattern[str]:
    """Invisible characters (Unicode's Default_Ignorable_Code_Point, from ICU) must not split
    a name in a message (`Glo\u200bbex`) nor make a new name."""
    spans: list[list[int]] = []
    for ch in icu.UnicodeSet("[:Default_Ignorable_Code_Point:]"):
        if spans and spans[-1][1] == ord(ch) - 1:
            spans[-1][1] = ord(ch)
        else:
            spans.append([ord(ch), ord(ch)])
    ranges = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in spans)
    return re.compile(f"[{ranges}]")


_IGNORABLE = _ignorable()
_SPACE = re.compile(r"\s+")
# Scripts whose writing puts no spaces between words: a name in them has no word edges.
_UNSPACED_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Bopo", "Yiii", "Thai", "Laoo", "Khmr"})
_UNSPACED_SCRIPTS |= {"Mymr", "Tibt", "Tale", "Talu", "Lana", "Bali", "Java"}
# What Slack's mrkdwn escapes in message text: read the text as people see it.
_MRKDWN_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _skeleton(text: str) -> str:
    """UTS #39 skeleton, back in composed form and case-folded (prototypes may be capitals:
    the skeleton of `0` is `O`)."""
    skeleton: str = _SPOOF.getSkeleton(0, text)
    if not skeleton.isascii():
        skeleton = unicodedata.normalize("NFKC", skeleton)
    return skeleton.casefold()


def _plain(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", _IGNORABLE.sub("", text))


@functools.lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """How party names are compared and looked up: NFKC, case-folded, confusables mapped
    (UTS #39 skeleton), spaces collapsed. `Аcme Networks` (Cyrillic А) → the key of
    `Acme Networks`; `华为` stays `华为`."""
    return " ".join(_skeleton(_plain(name).casefold()).split())


@functools.lru_cache(maxsize=4096)
def _capitals_key(name: str) -> str:
    """The skeleton taken before case-folding, then again after it: it also maps capitals
    whose small letters differ (Cyrillic `В`, Greek `Τ` look like `B`, `T`; `в`, `τ` do not
    look like `b`, `t`), and `АСМЕ` still meets `Acme`."""
    return " ".join(_skeleton(_skeleton(_plain(name))).split())


def look_alike(a: str, b: str) -> bool:
    """Whether a person could take one name for the other."""
    return name_key(a) == name_key(b) or _capitals_key(a) == _capitals_key(b)


def lookalike_of(name: str, names: Iterable[str]) -> str | None:
    """The first of `names` that a person could take `name` for, if any."""
    return next((n for n in names if look_alike(name, n)), None)


@functools.lru_cache(maxsize=8192)
def _spaced_word_char(ch: str) -> bool:
    """A letter or digit of a script that puts spaces between words (Latin, Cyrillic, …)."""
    if not ch.isalnum():
        return False
    return icu.Script.getScript(ch).getShortName() not in _UNSPACED_SCRIPTS


class Searchable:
    """A message's text in the forms names are compared in, made once per message."""

    __slots__ = ("folded", "capitals")

    def __init__(self, raw: str) -> None:
        for entity, char in _MRKDWN_ENTITIES:
            raw = raw.replace(entity, char)
        plain = _plain(raw)
        self.folded = _SPACE.sub(" ", _skeleton(plain.casefold()))
        self.capitals = _SPACE.sub(" ", _skeleton(_skeleton(plain)))


def _stands_in(text: str, key: str) -> bool:
    """`key` occurs in `text` with no letter of a spaced script glued to an edge of it where
    the key's own edge is such a letter."""
    if not key:
        return False
    left_edge, right_edge = _spaced_word_char(key[0]), _spaced_word_char(key[-1])
    at = text.find(key)
    while at >= 0:
        end = at + len(key)
        glued_left = left_edge and at > 0 and _spaced_word_char(text[at - 1])
        glued_right = right_edge and end < len(text) and _spaced_word_char(text[end])
        if not (glued_left or glued_right):
            return True
        at = text.find(key, at + 1)
    return False


@dataclass(frozen=True)
class NamePattern:
    """One party name, ready to be looked for in many messages."""

    key: str
    capitals_key: str

    def found_in(self, content: Searchable) -> bool:
        """Whether the name stands in the text (a lookalike spelling counts)."""
        return _stands_in(content.folded, self.key) or _stands_in(
            content.capitals, self.capitals_key
        )


@functools.lru_cache(maxsize=4096)
def pattern(name: str) -> NamePattern:
    """The name's pattern; cached, since the isolation check runs on every shared message."""
    return NamePattern(key=name_key(name), capitals_key=_capitals_key(name))


def names_in(text: str, name: str) -> bool:
    """Whether `name` stands in `text`, read as people read both."""
    return pattern(name).found_in(Searchable(text))
