"""The translations: every message Parley can say has its Chinese, and keeps what it must.

Read from the source with Babel's own extractor (the keywords the README's commands use), so a
message added without its translation fails here, not in front of a reader.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "bot" / "locale" / "zh_CN" / "LC_MESSAGES" / "parley.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
COMMAND = re.compile(r"/(?:dispute|review|agreement|digest|party|invite)\b")


def _extracted() -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT / "bot"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        found[ids[0]] = ids
    return found


EXTRACTED = _extracted()
with PO.open("rb") as source:
    CATALOG = read_po(source, locale="zh_CN")


def _key(msgid: object) -> str:
    """A catalog entry's id: a plural entry's is its singular."""
    return str(msgid[0]) if isinstance(msgid, tuple | list) else str(msgid)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_messages_are_found() -> None:
    assert len(EXTRACTED) > 100, "the extractor found almost nothing: its keywords are wrong"


@pytest.mark.parametrize("msgid", sorted(EXTRACTED))
def test_every_message_has_its_chinese(msgid: str) -> None:
    entry = CATALOG.get(msgid)
    assert entry is not None, f"not in parley.po (run the README's catalog update): {msgid!r}"
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    assert all(strings) and not entry.fuzzy, f"no Chinese for {msgid!r}"
    ids = EXTRACTED[msgid]
    for translated in strings:
        assert _fields(translated) == set().union(*map(_fields, ids)), (msgid, translated)
        for command in COMMAND.findall(" ".join(ids)):  # commands and ids stay as they are
            assert command in translated, (msgid, translated)


@pytest.mark.parametrize("msgid", sorted(EXTRACTED))
def test_english_has_no_chinese_outside_examples(msgid: str) -> None:
    """Chinese in an English message only inside backticks: an example of what to type."""
    outside = re.sub(r"`[^`]*`", "", msgid)
    assert not CJK.search(outside), msgid


def test_the_compiled_catalog_is_current() -> None:
    """The `.mo` Parley loads says what the `.po` says (it is compiled at install)."""
    assert MO.is_file(), "bot/locale/zh_CN/LC_MESSAGES/parley.mo is missing: pip install -e ."
    with MO.open("rb") as compiled:
        loaded = {
            _key(m.id): tuple(m.string) if isinstance(m.string, list | tuple) else m.string
            for m in read_mo(compiled)
            if m.id
        }
    wanted = {
        _key(m.id): tuple(m.string) if isinstance(m.string, list | tuple) else m.string
        for m in CATALOG
        if m.id and m.string and not m.fuzzy
    }
    assert loaded == wanted, "parley.mo is older than parley.po: pip install -e . compiles it"


def test_no_translation_is_left_unused() -> None:
    unused = sorted(_key(m.id) for m in CATALOG if m.id and _key(m.id) not in EXTRACTED)
    assert not unused, f"translations of messages Parley no longer says: {unused}"
