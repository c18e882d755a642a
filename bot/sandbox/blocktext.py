"""Block Kit to plain text, for terminal transcripts and readable test failures.

Pure functions: ``render_message(text, blocks)`` and ``render_view(view)``.  Pass a
``Workspace`` (or anything with a ``.workspace``, such as a ``SlackStandIn``) as ``names``
to turn ``<@U0ALICE>`` into ``@alice`` and ``<#C0DESK>`` into ``#service-desk``.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from bot.sandbox.workspace import Workspace

DIVIDER = "-" * 40
BLANK = "____"

_ANGLE = re.compile(r"<([^<>]+)>")
_SELECTS = ("select", "radio_buttons", "checkboxes", "overflow")


class _HasWorkspace(Protocol):
    @property
    def workspace(self) -> Workspace: ...


Names = Workspace | _HasWorkspace | None


def _workspace(names: Names) -> Workspace | None:
    if names is None or isinstance(names, Workspace):
        return names
    return names.workspace


def _user_name(user_id: str, label: str | None, ws: Workspace | None) -> str:
    user = ws.user(user_id) if ws is not None else None
    if user is not None:
        return f"@{user.name}"
    return f"@{label.lstrip('@')}" if label else f"@{user_id}"


def _channel_name(channel_id: str, label: str | None, ws: Workspace | None) -> str:
    channel = ws.channel(channel_id) if ws is not None else None
    if channel is not None and not channel.is_im:
        return f"#{channel.name}"
    return f"#{label}" if label else f"#{channel_id}"


def mrkdwn(text: str, names: Names = None) -> str:
    """Slack's mrkdwn control sequences as readable text (formatting marks are kept)."""
    ws = _workspace(names)

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        label_or_none = label or None
        if target.startswith("@"):
            return _user_name(target[1:], label_or_none, ws)
        if target.startswith("#"):
            return _channel_name(target[1:], label_or_none, ws)
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + target[1:]
        if label:
            return label
        return target.removeprefix("mailto:")

    converted = _ANGLE.sub(replace, text)
    return converted.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: Any, names: Names) -> str:
    """A text object (plain_text or mrkdwn) or a bare string."""
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, dict):
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn(text, names) if obj.get("type") == "mrkdwn" else text


def _element(element: Any, names: Names) -> str:
    """An interactive element as it looks on screen: ``[ Escalate ]``, ``[ Pick one v ]``."""
    if not isinstance(element, dict):
        return ""
    kind = str(element.get("type", ""))
    if kind == "button":
        return f"[ {_text(element.get('text'), names)} ]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind == "overflow":
        return "[ ... ]"
    if kind in ("datepicker", "timepicker", "datetimepicker"):
        initial = element.get("initial_date") or element.get("initial_time")
        shown = initial or _text(element.get("placeholder"), names) or kind.removesuffix("picker")
        return f"[ {shown} ]"
    if any(s in kind for s in _SELECTS):
        initial = element.get("initial_option")
        shown = _text(initial.get("text"), names) if isinstance(initial, dict) else ""
        shown = shown or _text(element.get("placeholder"), names) or "Select"
        return f"[ {shown} v ]"
    if kind in ("mrkdwn", "plain_text"):
        return _text(element, names)
    return f"[{kind}]"


def _rich_elements(elements: Any, names: Names) -> str:
    ws = _workspace(names)
    parts: list[str] = []
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind == "text":
            parts.append(str(element.get("text", "")))
        elif kind == "user":
            parts.append(_user_name(str(element.get("user_id", "")), None, ws))
        elif kind == "channel":
            parts.append(_channel_name(str(element.get("channel_id", "")), None, ws))
        elif kind == "link":
            parts.append(str(element.get("text") or element.get("url", "")))
        elif kind == "emoji":
            parts.append(f":{element.get('name', '')}:")
        elif kind == "broadcast":
            parts.append(f"@{element.get('range', 'here')}")
        elif kind == "usergroup":
            parts.append("@group")
        elif kind == "date":
            parts.append(str(element.get("fallback", element.get("timestamp", ""))))
    return "".join(parts)


def _rich_text(block: dict[str, Any], names: Names) -> list[str]:
    lines: list[str] = []
    for part in block.get("elements") or []:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "rich_text_list":
            for index, item in enumerate(part.get("elements") or [], start=1):
                bullet = f"{index}." if part.get("style") == "ordered" else "-"
                item_elements = item.get("elements") if isinstance(item, dict) else None
                lines.append(f"{bullet} {_rich_elements(item_elements, names)}")
        else:
            text = _rich_elements(part.get("elements"), names)
            if kind == "rich_text_quote":
                lines.extend(f"> {line}" for line in text.split("\n"))
            elif kind == "rich_text_preformatted":
                lines.extend(["```", *text.split("\n"), "```"])
            else:
                lines.extend(text.split("\n"))
    return lines


def _block(block: Any, names: Names) -> list[str]:
    if not isinstance(block, dict):
        return []
    kind = block.get("type")
    if kind == "header":
        title = _text(block.get("text"), names)
        return [title, "=" * len(title)]
    if kind == "divider":
        return [DIVIDER]
    if kind == "section":
        lines: list[str] = []
        if block.get("text") is not None:
            lines.extend(_text(block["text"], names).split("\n"))
        for field in block.get("fields") or []:
            lines.append(_text(field, names).replace("\n", " "))
        accessory = block.get("accessory")
        if accessory is not None:
            shown = _element(accessory, names)
            if lines:
                lines[-1] = f"{lines[-1]}  {shown}"
            else:
                lines.append(shown)
        return lines
    if kind == "context":
        return [" · ".join(_element(e, names) for e in block.get("elements") or [])]
    if kind == "actions":
        return ["  ".join(_element(e, names) for e in block.get("elements") or [])]
    if kind == "input":
        label = _text(block.get("label"), names)
        if block.get("optional"):
            label += " (optional)"
        element = block.get("element") if isinstance(block.get("element"), dict) else {}
        assert isinstance(element, dict)
        initial = element.get("initial_value")
        if isinstance(initial, str) and initial:
            return [f"{label}: {initial}"]
        if any(s in str(element.get("type", "")) for s in _SELECTS):
            return [f"{label}: {_element(element, names)}"]
        return [f"{label}: {BLANK}"]
    if kind == "image":
        title = _text(block.get("title"), names)
        return [f"[image: {title or block.get('alt_text', '')}]"]
    if kind == "rich_text":
        return _rich_text(block, names)
    if kind == "markdown":
        return str(block.get("text", "")).split("\n")
    return [f"[{kind} block]"]


def render_blocks(blocks: list[dict[str, Any]], names: Names = None) -> str:
    lines: list[str] = []
    for block in blocks:
        lines.extend(_block(block, names))
    return "\n".join(lines)


def render_message(
    text: str | None, blocks: list[dict[str, Any]] | None, names: Names = None
) -> str:
    """What a person sees for a message: its blocks, else its text."""
    if blocks:
        return render_blocks(blocks, names)
    return mrkdwn(text or "", names)


def render_view(view: dict[str, Any], names: Names = None) -> str:
    """A modal or Home tab: title, blocks, and the modal's close/submit buttons."""
    lines: list[str] = []
    title = _text(view.get("title"), names)
    if title:
        lines.extend([f"[{title}]", ""])
    body = render_blocks(list(view.get("blocks") or []), names)
    if body:
        lines.append(body)
    buttons = [f"[ {_text(view[key], names)} ]" for key in ("close", "submit") if view.get(key)]
    if buttons:
        lines.extend(["", "  ".join(buttons)])
    return "\n".join(lines)
