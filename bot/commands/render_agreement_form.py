"""Block Kit for `/agreement`'s 5W1H form: a new agreement (a party to choose) or a new
version of one (pre-filled), in the language of the person who opened it.

Pure: choices and records in, a view out; kept apart from `render_agreements.py` (the card,
the record and the lists) so each stays one thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.commands.blocks import Blocks, context, md, plain, truncate
from bot.commands.words.language import Language
from bot.domain.agreement_terms import FIELDS
from bot.domain.agreements import Agreement

MODAL = "agreement_form"
# Blocks of the form: one per field, named like the fields of the domain's Draft.
PARTY_BLOCK = "party"
PEOPLE_BLOCK = "who_people"
CHANNEL_BLOCK = "where_channel"
DATE_BLOCK = "valid_until"
TEXT_INPUT = "value"
PARTY_INPUT = "party"
PEOPLE_INPUT = "people"
CHANNEL_INPUT = "channel"
DATE_INPUT = "date"
OPTION_TEXT_LIMIT = 75
OPTIONS_LIMIT = 100


def modal(
    private_metadata: str,
    *,
    language: Language,
    parties: Sequence[tuple[str, str]] = (),
    selected: str | None = None,
    agreement: Agreement | None = None,
    people: Sequence[str] = (),
    what: str = "",
) -> dict[str, Any]:
    """The 5W1H form: new (a party to choose) or a new version of `agreement` (pre-filled)."""
    terms = agreement.current.terms if agreement else None
    blocks: Blocks = []
    if agreement is None:
        options = [
            {
                "text": {"type": "plain_text", "text": truncate(plain(label), OPTION_TEXT_LIMIT)},
                "value": value,
            }
            for value, label in parties[:OPTIONS_LIMIT]
        ]
        party_select: dict[str, Any] = {
            "type": "static_select",
            "action_id": PARTY_INPUT,
            "placeholder": {"type": "plain_text", "text": language._("Choose the party")},
            "options": options,
        }
        initial = next((o for o in options if o["value"] == selected), None)
        if initial is not None:
            party_select["initial_option"] = initial
        blocks.append(
            {
                "type": "input",
                "block_id": PARTY_BLOCK,
                "label": {"type": "plain_text", "text": language._("Party")},
                "hint": {
                    "type": "plain_text",
                    "text": language._(
                        "Required: the organisation the information is shared with. "
                        "Its people acknowledge the agreement."
                    ),
                },
                "element": party_select,
            }
        )
    else:
        blocks.append(
            context(
                md(
                    language._(
                        "With *{party}*. Saving makes version {version}, which needs a new "
                        "acknowledgment."
                    ),
                    party=agreement.party.name,
                    version=agreement.version + 1,
                )
            )
        )

    def text_input(key: str, initial: str | None) -> dict[str, Any]:
        label, limit, hint = FIELDS[key]
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": TEXT_INPUT,
            "multiline": limit > 500,
            "max_length": limit,
        }
        if initial:
            element["initial_value"] = truncate(plain(initial), limit)
        return {
            "type": "input",
            "block_id": key,
            "label": {"type": "plain_text", "text": language._(label)},
            "hint": {
                "type": "plain_text",
                "text": language._("Required, up to {limit} characters: {hint}.").format(
                    limit=language.number(limit), hint=language._(hint)
                ),
            },
            "element": element,
        }

    people_input: dict[str, Any] = {"type": "multi_users_select", "action_id": PEOPLE_INPUT}
    initial_people = list(terms.who_people) if terms else list(people)
    if initial_people:
        people_input["initial_users"] = initial_people
    channel_input: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": CHANNEL_INPUT,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if terms and terms.where_channel:
        channel_input["initial_conversation"] = terms.where_channel
    date_input: dict[str, Any] = {"type": "datepicker", "action_id": DATE_INPUT}
    if terms:
        date_input["initial_date"] = terms.valid_until.isoformat()
    blocks += [
        text_input("what", terms.what if terms else what),
        text_input("why", terms.why if terms else None),
        {
            "type": "input",
            "block_id": PEOPLE_BLOCK,
            "label": {"type": "plain_text", "text": language._("Who: people authorised")},
            "hint": {
                "type": "plain_text",
                "text": language._(
                    "Required: at least one person, of this workspace or of the party."
                ),
            },
            "element": people_input,
        },
        text_input("who", terms.who if terms else None),
        text_input("when", terms.when if terms else None),
        {
            "type": "input",
            "block_id": CHANNEL_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": language._("Where: channel")},
            "hint": {
                "type": "plain_text",
                "text": language._(
                    "Optional: the Slack channel, if the information goes through one."
                ),
            },
            "element": channel_input,
        },
        text_input("where", terms.where if terms else None),
        text_input("how", terms.how if terms else None),
        text_input("authorization", terms.authorization if terms else None),
        {
            "type": "input",
            "block_id": DATE_BLOCK,
            "label": {"type": "plain_text", "text": language._("Valid until")},
            "hint": {
                "type": "plain_text",
                "text": language._(
                    "Required: the last day it holds (today or later). It expires the "
                    "day after, and its owner is told."
                ),
            },
            "element": date_input,
        },
    ]
    if agreement is not None:
        title = language._("Edit {ref}").format(ref=agreement.ref)
        submit = language._("Save version {version}").format(version=agreement.version + 1)
    else:
        title = language._("New agreement")
        submit = language._("Save and send")
    return {
        "type": "modal",
        "callback_id": MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": truncate(title, 24)},
        "submit": {"type": "plain_text", "text": truncate(submit, 24)},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": blocks,
    }
