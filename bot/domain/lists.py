"""Which of a topic's records a list shows: the scope a person writes after `list`."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.errors import InvalidInput

SCOPE_SHOWN = 40  # characters of a bad scope said back


class ListScope(StrEnum):
    """Not yet closed (`open`), with a clock run out (`overdue`), open ones the person is in
    (`mine`), or `all`."""

    OPEN = "open"
    OVERDUE = "overdue"
    MINE = "mine"
    ALL = "all"


def parse_scope(text: str, bad_scope: str) -> ListScope:
    """The scope written, `open` when none is; a word that is none is refused with the
    topic's code `bad_scope` (the text as written, and the choices)."""
    word = text.strip().lower() or ListScope.OPEN.value
    try:
        return ListScope(word)
    except ValueError:
        choices = tuple(s.value for s in ListScope)
        raise InvalidInput(bad_scope, text=text.strip()[:SCOPE_SHOWN], choices=choices) from None
