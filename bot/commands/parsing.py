"""Reading what people type after a slash command: subcommands, mentions, channels, text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# Slack's escaped forms (should_escape: true) and what people type by hand.
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_PLAIN_USER = re.compile(r"(?<![\w<])@([\w.\-]{1,80})")
_PLAIN_CHANNEL = re.compile(r"(?<![\w<])#([\w\-]{1,80})")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|([^>]*))?>")


def split_subcommand(text: str) -> tuple[str, str]:
    """`"open Late report"` → `("open", "Late report")`; the subcommand is lower-cased."""
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1].strip() if len(parts) > 1 else ""


@dataclass
class Mentions:
    """People and channels named in a piece of text, in order, without repeats."""

    user_ids: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    channel_ids: list[str] = field(default_factory=list)
    channel_names: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.user_ids or self.handles or self.channel_ids or self.channel_names)


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def find_mentions(text: str) -> Mentions:
    found = Mentions()
    for m in _USER.finditer(text):
        _add(found.user_ids, m.group(1))
    for m in _CHANNEL.finditer(text):
        _add(found.channel_ids, m.group(1))
    rest = _CHANNEL.sub(" ", _USER.sub(" ", _LINK.sub(" ", text)))
    for m in _PLAIN_USER.finditer(rest):
        _add(found.handles, m.group(1))
    for m in _PLAIN_CHANNEL.finditer(rest):
        _add(found.channel_names, m.group(1))
    return found


def split_with(text: str) -> tuple[str, str]:
    """`"Late report with @raj @greta"` → `("Late report", "@raj @greta")`.

    Only a final ` with ` followed by nothing but mentions counts, so titles may say "with".
    """
    matches = list(re.finditer(r"(?:^|\s+)with\s+", text, flags=re.IGNORECASE))
    if not matches:
        return text.strip(), ""
    match = matches[-1]
    tail = text[match.end() :]
    leftover = _PLAIN_USER.sub("", _USER.sub("", tail)).replace(",", " ").replace("and", " ")
    if leftover.strip() or not tail.strip():
        return text.strip(), ""
    return text[: match.start()].strip(), tail.strip()


def plain_text(text: str) -> str:
    """Slack's escaped text as a person would read it: mentions by name, links by label."""

    def user(m: re.Match[str]) -> str:
        label = m.group(0)[2:-1].split("|", 1)
        return "@" + (label[1] if len(label) > 1 and label[1] else label[0])

    def channel(m: re.Match[str]) -> str:
        return "#" + (m.group(2) or m.group(1))

    def link(m: re.Match[str]) -> str:
        return m.group(2) or m.group(1)

    def special(m: re.Match[str]) -> str:
        return "@" + (m.group(2) or m.group(1).split("^")[0])

    text = _USER.sub(user, text)
    text = _CHANNEL.sub(channel, text)
    text = _LINK.sub(link, text)
    text = _SPECIAL.sub(special, text)
    return html.unescape(text)
