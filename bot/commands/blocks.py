"""Block Kit primitives every topic's renderer shares: the builders, the limits, dates and
the answers of one line. Pure: text in, JSON out.

The mrkdwn helpers (`bot/commands/mrkdwn.py`) are re-exported, so a renderer takes its
whole toolkit from here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.mrkdwn import Mrkdwn, channel_link, escape, link, md, mention, plain, truncate

Blocks = list[dict[str, Any]]
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
MESSAGE_BLOCK_LIMIT = 50

__all__ = [
    "Mrkdwn",
    "channel_link",
    "escape",
    "link",
    "md",
    "mention",
    "plain",
    "truncate",
]


# The block builders take text of two kinds (`bot/commands/mrkdwn.py`): `Mrkdwn`, which is
# posted as it is, and any other `str`, which is typed text and is escaped. They truncate after
# escaping, without ever splitting an escape or a mention.


def section(text: str) -> dict[str, Any]:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(escape(text), SECTION_LIMIT)},
    }


def context(*parts: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": truncate(Mrkdwn(" · ").join(parts), SECTION_LIMIT)}
        ],
    }


def header(text: str) -> dict[str, Any]:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(plain(text), HEADER_LIMIT), "emoji": True},
    }


def sections(lines: Iterable[str]) -> Blocks:
    """Lines packed into as few sections as fit the 3,000-character limit."""
    out: Blocks = []
    chunk = Mrkdwn()
    for typed in lines:
        line = truncate(escape(typed), SECTION_LIMIT)
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            out.append(section(chunk))
            chunk = line
        else:
            chunk = chunk + "\n" + line if chunk else line
    if chunk:
        out.append(section(chunk))
    return out


def local(when: datetime, tz: ZoneInfo) -> datetime:
    return when.astimezone(tz)


@functools.lru_cache(maxsize=4096)  # a list shows the same deadlines over and over
def short_date(when: datetime, tz: ZoneInfo) -> str:
    day = local(when, tz)
    return f"{day:%a} {day.day} {day:%b}"


def stamp(when: datetime, tz: ZoneInfo) -> str:
    day = local(when, tz)
    return f"{day:%a} {day.day} {day:%b} {day.year} {day:%H:%M}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain(text)},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def error(message: str) -> tuple[str, Blocks]:
    return message, [section(md(":warning: {}", message))]


def notice(message: str) -> tuple[str, Blocks]:
    return message, [section(message)]
