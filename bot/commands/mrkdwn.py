"""The one escaping rule for everything Parley posts: typed text is never markup.

Slack reads a message's mrkdwn for control sequences: `<!channel>` pings a channel and
`<https://evil.example|the Acme portal>` shows a link under a label of the author's choosing.
Whatever a person typed or a form returned must reach Slack with `&`, `<` and `>` escaped,
so it is shown exactly as typed.

`Mrkdwn` is text that is already safe markup. Every `str` that is not `Mrkdwn` is typed text,
and is escaped wherever it meets markup: in `Mrkdwn.format` and `Mrkdwn.join` (the way
markupsafe's `Markup` works, but escaping only Slack's three characters: Slack does not decode
`&#39;`), in the block builders of `blocks.py`, and at the door (`outgoing.py`), which escapes
any mrkdwn text of a message that is not `Mrkdwn`. Forgetting the rule therefore shows markup
as text; it never turns text into markup.

The one markup stored text may carry is a mention token (`bot/domain/text.py`): posted as
`<@U123>` in mrkdwn and as `@name` in plain text (headers, buttons, inputs).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, overload

from bot.domain.text import TOKEN, TOKEN_CLOSE, TOKEN_OPEN, as_plain, strip_delimiters

_ID = re.compile(r"[A-Z0-9]{1,40}")
# What escaping changes: Slack's three characters and the token delimiters. Text with none of
# them (most names, titles and figures) is its own escape.
_SPECIAL = re.compile(f"[&<>{TOKEN_OPEN}{TOKEN_CLOSE}]")
_PARTIAL_ESCAPE = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?$")


class Mrkdwn(str):
    """Text that is safe markup: Parley's own formatting, with everything typed escaped."""

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> Mrkdwn:
        """The template filled in; each argument that is not `Mrkdwn` is escaped first."""
        if "!" in self:  # a conversion (`{x!r}`) is converted before it is escaped: the slow way
            return Mrkdwn(_FORMATTER.vformat(self, args, kwargs))
        # str.format in C, each argument escaped as it is formatted (`_Escaped.__format__`):
        # the same text as the formatter below, at a fraction of its cost.
        return Mrkdwn(
            str.format(
                self, *map(_Escaped, args), **{key: _Escaped(v) for key, v in kwargs.items()}
            )
        )

    def format_map(self, mapping: Mapping[str, Any]) -> Mrkdwn:  # type: ignore[override]
        return Mrkdwn(_FORMATTER.vformat(self, (), mapping))

    def join(self, parts: Iterable[str]) -> Mrkdwn:
        return Mrkdwn(str.join(self, (escape(part) for part in parts)))

    def __add__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(self, escape(other)))

    def __radd__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(escape(other), self))


class _Escaped:
    """An argument of `Mrkdwn.format`: formatted as the template's field asks, then escaped
    unless it is `Mrkdwn`; its attributes and items (`{0.name}`, `{0[1]}`) likewise."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __format__(self, format_spec: str) -> str:
        return _FORMATTER.format_field(self.value, format_spec)

    def __getattr__(self, name: str) -> _Escaped:
        return _Escaped(getattr(self.value, name))

    def __getitem__(self, key: Any) -> _Escaped:
        return _Escaped(self.value[key])  # type: ignore[index]


class _Escaping(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Mrkdwn):
            return format(str(value), format_spec)
        return escape(format(value, format_spec))


_FORMATTER = _Escaping()


def md(template: str, *args: object, **kwargs: object) -> Mrkdwn:
    """`md("*{}* by {}", title, mention(u))`: a template of Parley's own, arguments escaped.

    The template itself is trusted: write it as a literal, never with typed text in it."""
    return Mrkdwn(template).format(*args, **kwargs)


def _escape_chars(text: str) -> str:
    return strip_delimiters(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _token_markup(match: re.Match[str]) -> str:
    return f"<{match.group(1)}{match.group(2)}>"


def escape(text: str) -> Mrkdwn:
    """Typed text as mrkdwn: `&`, `<`, `>` escaped; mention tokens as `<@U123>`.

    `Mrkdwn` is returned as it is, so escaping twice is harmless."""
    if isinstance(text, Mrkdwn):
        return text
    text = str(text)
    if _SPECIAL.search(text) is None:
        return Mrkdwn(text)
    out: list[str] = []
    pos = 0
    for m in TOKEN.finditer(text):
        out += [_escape_chars(text[pos : m.start()]), _token_markup(m)]
        pos = m.end()
    out.append(_escape_chars(text[pos:]))
    return Mrkdwn("".join(out))


def mention(user_id: str) -> Mrkdwn:
    """A mention of a person Parley knows by id (an id is never typed text)."""
    return Mrkdwn(f"<@{user_id}>") if _ID.fullmatch(user_id) else escape(user_id)


def channel_link(channel_id: str) -> Mrkdwn:
    return Mrkdwn(f"<#{channel_id}>") if _ID.fullmatch(channel_id) else escape(channel_id)


def link(url: str, label: str) -> Mrkdwn:
    """A link of Parley's own (a permalink) under an escaped label."""
    address = strip_delimiters(url).replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return Mrkdwn(f"<{address}|{escape(label)}>")


def plain(text: str) -> str:
    """Text for a plain_text field (header, button, input): tokens as `@name`.

    Mrkdwn given here is read back as a person would see it."""
    if isinstance(text, Mrkdwn):
        text = re.sub(r"<([@#])([A-Z0-9]+)>", r"\1\2", str(text))
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return as_plain(text)


@overload
def truncate(text: Mrkdwn, limit: int) -> Mrkdwn: ...
@overload
def truncate(text: str, limit: int) -> str: ...
def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, ending in `…`; never splits an escape (`&amp;`), a
    markup sequence (`<@U123>`) or a mention token."""
    if len(text) <= limit:
        return text
    cut = str(text)[: limit - 1]
    if isinstance(text, Mrkdwn):
        partial = _PARTIAL_ESCAPE.search(cut)  # `&`, `&a`, `&am`, `&amp` of an `&amp;`
        if partial:
            cut = cut[: partial.start()]
        angle = cut.rfind("<")
        if angle > cut.rfind(">"):
            cut = cut[:angle]
        return Mrkdwn(cut + "…")
    start = cut.rfind(TOKEN_OPEN)
    if start > cut.rfind(TOKEN_CLOSE):
        cut = cut[:start]
    return cut + "…"


def text_of(text: Any) -> Any:
    """A message's top-level `text` (mrkdwn) as it may be posted."""
    return escape(text) if isinstance(text, str) else text


def errors_of(errors: Any) -> Any:
    """A form's field errors (plain text): tokens as `@name`."""
    if not isinstance(errors, dict):
        return errors
    return {key: plain(value) if isinstance(value, str) else value for key, value in errors.items()}


def blocks_of(blocks: Any) -> Any:
    """Blocks as they may be posted: any mrkdwn text that is not `Mrkdwn` is escaped and
    every plain_text shows tokens as `@name`. The backstop behind the block builders."""
    if isinstance(blocks, dict):
        out = {key: blocks_of(value) for key, value in blocks.items()}
        kind = blocks.get("type")
        value = blocks.get("text")
        if isinstance(value, str):
            if kind == "mrkdwn":
                out["text"] = escape(value)
            elif kind == "plain_text":
                out["text"] = plain(value)
        initial = blocks.get("initial_value")
        if isinstance(initial, str):
            out["initial_value"] = plain(initial)
        return out
    if isinstance(blocks, Sequence) and not isinstance(blocks, str):
        return [blocks_of(item) for item in blocks]
    return blocks
