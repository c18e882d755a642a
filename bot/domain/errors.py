"""Domain errors: what was refused, by a code and the facts it quotes; never in words.

A refusal names its `code` (`dispute.not_found`) and its parameters (`number=3`); the adapter
says it in the reader's language (`bot/commands/words/`), saying what to do instead. The domain
writes no sentence a person reads, so a second language is a catalog, not a change here.

Parameters are facts: `str` (typed text or a name: always escaped when said), `int`, `date`
(said as ISO), `datetime` (said in the reader's convention),
an `Enum` (said by its label or value), a tuple of words (said as a list: "`a`, `b`, `c`").
Mention and channel tokens (`bot/domain/text.py`) travel inside `str` and are said as such.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum

Param = str | int | date | datetime | Enum | tuple[str, ...]

_CODE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")


class DomainError(Exception):
    """A request the domain refuses; nothing was changed.

    `field` names the part of a form the refusal concerns (`title`, `people`, `reason`), for
    a form to show it beside that field; None when it concerns the request as a whole."""

    def __init__(self, code: str, /, *, field: str | None = None, **params: Param) -> None:
        if not _CODE.fullmatch(code):
            raise ValueError(f"not an error code: {code!r}")
        super().__init__(code)
        self.code = code
        self.field = field
        self.params: Mapping[str, Param] = params

    def __str__(self) -> str:  # for logs: the code and its facts, in no language
        facts = " ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.code} {facts}".rstrip()


class InvalidInput(DomainError):
    """The request is malformed or out of bounds."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible from here)."""


class NotAllowed(DomainError):
    """The person may not do this."""


class FieldErrors(InvalidInput):
    """Several fields of one form refused at once, each with its own error (by field)."""

    def __init__(self, problems: Mapping[str, DomainError]) -> None:
        super().__init__("form.fields")
        self.problems = dict(problems)
