"""Block Kit checks, as Slack applies them to messages and views.

Parsing and per-element limits come from ``slack_sdk.models`` (``to_dict()`` validates the
whole tree); the surface limits (blocks per message or view, modal title) are checked here
too, so the messages name the rule that was broken.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MODAL_TITLE = 24
MAX_SECTION_TEXT = 3000
MAX_MESSAGE_TEXT = 40_000
VIEW_TYPES = ("modal", "home")


def _text_of(obj: Any) -> str | None:
    if isinstance(obj, dict):
        text = obj.get("text")
        return text if isinstance(text, str) else None
    return obj if isinstance(obj, str) else None


def _check_block_list(blocks: Any, *, limit: int, where: str) -> list[str]:
    if not isinstance(blocks, list):
        return [f"{where}: blocks must be a JSON array, got {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{where}: {len(blocks)} blocks, Slack allows at most {limit}")
    for index, raw in enumerate(blocks):
        label = f"{where}: block {index}"
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            problems.append(f"{label}: not an object with a 'type'")
            continue
        if raw["type"] == "section":
            text = _text_of(raw.get("text"))
            if text is not None and len(text) > MAX_SECTION_TEXT:
                problems.append(f"{label}: section text has {len(text)} characters (max 3000)")
        try:
            parsed = Block.parse(raw)
            if parsed is None:
                problems.append(f"{label}: unknown block type '{raw['type']}'")
                continue
            parsed.to_dict()  # validates this block and every element below it
        except Exception as exc:  # slack_sdk raises several kinds for malformed input
            problems.append(f"{label} ({raw['type']}): {exc}")
    return problems


def check_message_blocks(blocks: Any) -> list[str]:
    """Problems with the ``blocks`` of a message (chat.* or a response_url payload)."""
    return _check_block_list(blocks, limit=MAX_MESSAGE_BLOCKS, where="message")


def check_view(view: Any) -> list[str]:
    """Problems with a ``view`` given to views.open/update/push/publish."""
    if not isinstance(view, dict):
        return [f"view must be a JSON object, got {type(view).__name__}"]
    view_type = view.get("type")
    if view_type not in VIEW_TYPES:
        return [f"view: type must be one of {VIEW_TYPES}, got {view_type!r}"]
    where = f"{view_type} view"
    problems: list[str] = []
    if view_type == "modal":
        title = _text_of(view.get("title"))
        if not title:
            problems.append(f"{where}: a modal needs a title")
        elif len(title) > MAX_MODAL_TITLE:
            problems.append(f"{where}: title has {len(title)} characters (max {MAX_MODAL_TITLE})")
    blocks = view.get("blocks")
    if blocks is None:
        problems.append(f"{where}: blocks are required")
        return problems
    problems.extend(_check_block_list(blocks, limit=MAX_VIEW_BLOCKS, where=where))
    if problems:
        return problems
    try:
        # The view's own fields (title, submit, close, metadata, callback_id) and its block
        # count; each block was validated above, so the view carries only its first here
        # (checking every block twice was half the stand-in's time for a Home of 48 blocks).
        View(**{**view, "blocks": blocks[:1]}).to_dict()
    except Exception as exc:
        problems.append(f"{where}: {exc}")
    return problems
