"""Where in a config file a key is written, and where a TOML syntax error is.

Pydantic names a bad key by its path (``parties.Acme.ladder.coordination``); `Locator`
finds the line that path is written on, so every config error can say ``<path>:<line>:``.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from typing import Final

__all__ = ["BARE_KEY_RE", "Locator", "toml_problem"]

#: A bare TOML key (``coordination``, ``multi_party``); any other key is written quoted.
BARE_KEY_RE: Final = re.compile(r"[A-Za-z0-9_-]+")
_BARE_VALUE_RE: Final = re.compile(r"[^,\]}#\r\n]*")
_TOML_WHERE_RE: Final = re.compile(
    r"^(?P<msg>.*?)\s*\((?:at line (?P<line>\d+), column (?P<col>\d+)|at end of document)\)$",
    re.S,
)


class Locator:
    """Finds the line where each key path is written in a TOML text that already parsed.

    Handles table headers, arrays of tables, dotted keys, inline tables and (multi-line)
    arrays, recording the first line where every path, and every prefix of it, appears.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[tuple[str | int, ...], int] = {}
        # Best effort: on anything unexpected, keep what was found so far.
        with contextlib.suppress(IndexError, ValueError, RecursionError):
            self._document()

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    # -- recording

    def _line(self) -> int:
        return self.text.count("\n", 0, self.pos) + 1

    def _record(self, path: tuple[str | int, ...], line: int) -> None:
        for end in range(1, len(path) + 1):
            self.lines.setdefault(path[:end], line)

    # -- scanning

    def _peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def _skip(self, newlines: bool) -> None:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t" or (newlines and c in "\r\n"):
                self.pos += 1
            elif c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def _document(self) -> None:
        table: tuple[str | int, ...] = ()
        while True:
            self._skip(newlines=True)
            if self.pos >= len(self.text):
                return
            line = self._line()
            if self._peek(2) == "[[":
                self.pos += 2
                table = self._key()
                self.pos = self.text.index("]]", self.pos) + 2
                self._record(table, line)
            elif self._peek() == "[":
                self.pos += 1
                table = self._key()
                self.pos = self.text.index("]", self.pos) + 1
                self._record(table, line)
            else:
                self._pair(table)

    def _pair(self, table: tuple[str | int, ...]) -> None:
        line = self._line()
        path = table + self._key()
        self._record(path, line)
        self._skip(newlines=False)
        if self._peek() != "=":
            raise ValueError("expected '='")
        self.pos += 1
        self._value(path)

    def _key(self) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self._skip(newlines=False)
            c = self._peek()
            if c == '"':
                parts.append(self._basic_string())
            elif c == "'":
                end = self.text.index("'", self.pos + 1)
                parts.append(self.text[self.pos + 1 : end])
                self.pos = end + 1
            else:
                match = BARE_KEY_RE.match(self.text, self.pos)
                if match is None:
                    raise ValueError("expected a key")
                parts.append(match.group())
                self.pos = match.end()
            self._skip(newlines=False)
            if self._peek() != ".":
                return tuple(parts)
            self.pos += 1

    def _basic_string(self) -> str:
        start = self.pos
        self.pos += 1
        while self.text[self.pos] != '"':
            self.pos += 2 if self.text[self.pos] == "\\" else 1
        self.pos += 1
        raw = self.text[start : self.pos]
        try:
            parsed = tomllib.loads(f"k = {raw}")["k"]
        except tomllib.TOMLDecodeError:
            return raw[1:-1]
        return str(parsed)

    def _value(self, path: tuple[str | int, ...]) -> None:
        self._skip(newlines=False)
        text = self.text
        if self._peek(3) in ('"""', "'''"):
            quote = self._peek(3)
            self.pos += 3
            while text[self.pos : self.pos + 3] != quote:
                self.pos += 2 if quote == '"""' and text[self.pos] == "\\" else 1
            self.pos += 3
            while self._peek() == quote[0]:  # up to two quotes may end the content
                self.pos += 1
        elif self._peek() == '"':
            self._basic_string()
        elif self._peek() == "'":
            self.pos = text.index("'", self.pos + 1) + 1
        elif self._peek() == "[":
            self.pos += 1
            index = 0
            while True:
                self._skip(newlines=True)
                if self._peek() == "]":
                    self.pos += 1
                    return
                self._record((*path, index), self._line())
                self._value((*path, index))
                index += 1
                self._skip(newlines=True)
                if self._peek() == ",":
                    self.pos += 1
        elif self._peek() == "{":
            self.pos += 1
            while True:
                self._skip(newlines=True)
                if self._peek() == "}":
                    self.pos += 1
                    return
                self._pair(path)
                self._skip(newlines=True)
                if self._peek() == ",":
                    self.pos += 1
        else:
            match = _BARE_VALUE_RE.match(text, self.pos)
            if match is None or match.end() == self.pos:
                raise ValueError("expected a value")
            self.pos = match.end()


def toml_problem(text: str, exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """A TOML syntax error as the problem to report and the line it is on."""
    message = str(getattr(exc, "msg", "") or exc)
    line: int | None = getattr(exc, "lineno", None)
    col: int | None = getattr(exc, "colno", None)
    match = _TOML_WHERE_RE.match(str(exc))
    if match is not None:
        message = match["msg"]
        if line is None and match["line"] is not None:
            line, col = int(match["line"]), int(match["col"])
        if line is None:  # at end of document
            line = max(1, len(text.splitlines()))
    where = f" (column {col})" if col is not None else ""
    return f"invalid TOML: {message}{where}", line
