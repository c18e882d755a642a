"""Domain errors in the words a person reads, for tests that check what they say."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot.commands.words import say_plain
from bot.commands.words.language import Languages
from bot.domain.errors import DomainError

LANGUAGES = Languages()
ENGLISH = LANGUAGES["en"]
CHINESE = LANGUAGES["zh-CN"]


def words(error: BaseException) -> str:
    """What `error` (a DomainError) says in English, as plain text."""
    assert isinstance(error, DomainError), error
    return say_plain(error, ENGLISH)


@contextmanager
def raises_saying(
    kind: type[DomainError], pattern: str
) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """`pytest.raises(kind, match=pattern)`, matched against what the error says."""
    with pytest.raises(kind) as caught:
        yield caught
    said = words(caught.value)
    assert re.search(pattern, said), f"{pattern!r} not in {said!r}"
