"""Reading what people type after a slash command: subcommands, mentions, channels, text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain import text as text_tokens

# Slack's escaped forms (should_escape: true) and what people type by hand.
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_PLAIN_USER = re.compile(r"(?<![\w<])@([\w.\-]{1,80})")
_PLAIN_CHANNEL = re.compile(r"(?<![\w<])#([\w\-]{1,80})")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|([^>]*))?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")  # a date shown in the reader's zone: its fallback


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
    """Slack's escaped text as it is stored: what the person typed, as plain text.

    A person picked from the list stays a mention of that person (a token, see
    `bot/domain/text.py`); a link shows its real address beside its label; `<!channel>`
    and the like are the plain words `@channel`. The token delimiters are stripped from the
    input first, so nothing typed can pass for a token.
    """

    def user(m: re.Match[str]) -> str:
        target, _, name = m.group(0)[2:-1].partition("|")
        return text_tokens.person(target, name or None)

    def channel(m: re.Match[str]) -> str:
        return "#" + (m.group(2) or m.group(1))

    def link(m: re.Match[str]) -> str:
        address, label = m.group(1), (m.group(2) or "").strip()
        shown = address.removeprefix("mailto:")
        if not label or label in (address, shown, address.split("://", 1)[-1]):
            return shown
        return f"{label} ({shown})"

    def special(m: re.Match[str]) -> str:
        return "@" + (m.group(2) or m.group(1).split("^")[0]).lstrip("@")

    text = text_tokens.strip_delimiters(text)
    text = _USER.sub(user, text)
    text = _CHANNEL.sub(channel, text)
    text = _LINK.sub(link, text)
    text = _SPECIAL.sub(special, text)
    text = _DATE.sub(lambda m: m.group(1), text)
    # Slack escapes only these three; anything else that looks like an entity was typed.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def names_text(text: str) -> str:
    """Slack's escaped text where a mention is only ever plain words (a party's name)."""
    return text_tokens.as_plain(plain_text(text))
