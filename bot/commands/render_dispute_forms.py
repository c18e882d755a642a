"""The dispute forms: the modal asking for a reason, resolution or note, and the modal
that opens a dispute, with the ids of their blocks. Pure: records in, JSON out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.commands.blocks import Blocks, context, md, plain, section, truncate
from bot.commands.render_disputes import stage_text
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.disputes import Dispute
from bot.domain.ladder import Stage

REASON_MODAL = "dispute_reason"
REASON_BLOCK = "reason"
REASON_INPUT = "text"


# Each kind's title ({ref} is the dispute's), button, label, limit and hint.
REASON_FORMS = {
    "escalate": (
        N_("Escalate {ref}"),
        N_("Escalate"),
        N_("Reason"),
        2000,
        N_(
            "Up to {limit} characters. Why it must go up a stage. "
            "It goes on the record and in the thread."
        ),
    ),
    "resolve": (
        N_("Resolve {ref}"),
        N_("Resolve"),
        N_("Resolution"),
        2000,
        N_("Up to {limit} characters. What was agreed. It goes on the record and in the thread."),
    ),
    "withdraw": (
        N_("Withdraw {ref}"),
        N_("Withdraw"),
        N_("Reason"),
        2000,
        N_("Up to {limit} characters. Why the dispute is withdrawn."),
    ),
    "note": (
        N_("Add note {ref}"),
        N_("Add note"),
        N_("Internal note"),
        3000,
        N_("Up to {limit} characters. For the record only: never shown to a party."),
    ),
}


def reason_modal(
    kind: str, dispute: Dispute, private_metadata: str, language: Language
) -> dict[str, Any]:
    """A small modal asking for the reason, resolution or note of one action on one dispute."""
    title, verb, label, limit, hint = REASON_FORMS[kind]
    now_at = stage_text(dispute.stage, language)
    summary = md("*{} · {}*\n{}", dispute.ref, dispute.title, now_at)
    if kind == "escalate":
        following = list(Stage)[min(dispute.stage.number, len(Stage) - 1)]
        summary += f" → {stage_text(following, language)}"
    return {
        "type": "modal",
        "callback_id": REASON_MODAL,
        "private_metadata": private_metadata,
        "title": {
            "type": "plain_text",
            "text": truncate(language._(title).format(ref=dispute.ref), 24),
        },
        "submit": {"type": "plain_text", "text": language._(verb)},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": [
            section(summary),
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": {"type": "plain_text", "text": language._(label)},
                "hint": {
                    "type": "plain_text",
                    "text": language._(hint).format(limit=language.number(limit)),
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_INPUT,
                    "multiline": True,
                    "max_length": limit,
                },
            },
        ],
    }


OPEN_MODAL = "dispute_open"
TITLE_BLOCK = "title"
PEOPLE_BLOCK = "people"
PEOPLE_INPUT = "users"


def open_modal(
    private_metadata: str,
    *,
    language: Language,
    title: str = "",
    people: Sequence[str] = (),
    source: str | None = None,
) -> dict[str, Any]:
    """Title and people of a new dispute; pre-filled from a message by the shortcut."""
    title_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": REASON_INPUT,
        "max_length": 150,
    }
    if title:
        title_input["initial_value"] = truncate(plain(title), 150)
    people_input: dict[str, Any] = {"type": "multi_users_select", "action_id": PEOPLE_INPUT}
    if people:
        people_input["initial_users"] = list(people)
    blocks: Blocks = []
    if source:
        blocks.append(context(source))
    blocks += [
        {
            "type": "input",
            "block_id": TITLE_BLOCK,
            "label": {"type": "plain_text", "text": language._("Title")},
            "hint": {
                "type": "plain_text",
                "text": language._("Up to 150 characters: what is in dispute."),
            },
            "element": title_input,
        },
        {
            "type": "input",
            "block_id": PEOPLE_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": language._("With")},
            "hint": {
                "type": "plain_text",
                "text": language._(
                    "Supplier or third-party people bring their organisation in as a party."
                ),
            },
            "element": people_input,
        },
    ]
    return {
        "type": "modal",
        "callback_id": OPEN_MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": language._("Open a dispute")},
        "submit": {"type": "plain_text", "text": language._("Open")},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": blocks,
    }
