"""Block Kit for `/praise`: the usage, the answer, the post in the praise channel, the DM of
thanks, the list and the shortcut's form, in the reader's language.

Pure: records in, JSON out. Every text people typed is escaped for mrkdwn
(`bot/commands/mrkdwn.py`); a person picked from Slack's list stays a mention.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.commands.blocks import (
    MESSAGE_BLOCK_LIMIT,
    Blocks,
    Mrkdwn,
    channel_link,
    context,
    md,
    mention,
    section,
    sections,
    truncate,
)
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.praise import PRAISED_LIMIT, TEXT_LIMIT, Praise
from bot.workflows.praise import PraisePage

PRAISE_USAGE = N_("""\
*Praise* — the customer's voice about our people, on the record.
• `/praise @person … &lt;what they did&gt;` — record it; add `from @user` for praise an \
outside person gave (their organisation is the party it comes from)
• `/praise list [@person|party]` — praise, newest first (only you see it)
• `/praise help` — this help
Each praise `P-n` is posted in the praise channel and each person praised is thanked by DM. \
On a message, the shortcut *Record as praise* opens the form with its words.""")  # mrkdwn

SHORTCUT = "record_praise"
MODAL = "praise_form"
PRAISED_BLOCK = "praised"
PRAISER_BLOCK = "praiser"
TEXT_BLOCK = "text"
PEOPLE_INPUT = "people"
PERSON_INPUT = "person"
TEXT_INPUT = "value"
LIST_TEXT = 300


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(Mrkdwn(language._(PRAISE_USAGE))))
    return (problem or language._("How to use /praise")), blocks


def _people(ids: Sequence[str], language: Language) -> Mrkdwn:
    return Mrkdwn(language.listed([mention(u) for u in ids]))


def recorded(praise: Praise, *, channel: str | None, language: Language) -> tuple[str, Blocks]:
    """The answer to whoever recorded it: where it goes, or that it could not be posted."""
    people = _people(praise.praised, language)
    if channel is not None:
        message = md(
            language._("{ref} is recorded. It goes to {channel}, and {people} thanked by DM."),
            ref=praise.ref,
            channel=channel_link(channel),
            people=people,
        )
    else:
        message = md(
            language._(
                "{ref} is recorded, but not posted: no praise channel is set "
                "(`[channels] praise` in the config file). {people} thanked by DM."
            ),
            ref=praise.ref,
            people=people,
        )
    return message, [section(message)]


def _headline(praise: Praise, language: Language) -> Mrkdwn:
    if praise.party is not None:
        return md(
            language._(":tada: *{ref}* · {praised}, praised by {praiser} ({party})"),
            ref=praise.ref,
            praised=_people(praise.praised, language),
            praiser=mention(praise.praiser_id),
            party=praise.party.name,
        )
    return md(
        language._(":tada: *{ref}* · {praised}, praised by {praiser}"),
        ref=praise.ref,
        praised=_people(praise.praised, language),
        praiser=mention(praise.praiser_id),
    )


def post(praise: Praise, *, language: Language) -> tuple[str, Blocks]:
    """The post in the praise channel: whom, by whom, the words, who recorded it and when."""
    headline = _headline(praise, language)
    blocks = [
        section(headline),
        section(md("> {}", praise.text)),
        context(
            md(
                language._("Recorded by {recorder} on {when}"),
                recorder=mention(praise.recorded_by),
                when=language.stamp(praise.at),
            )
        ),
    ]
    return headline, blocks


def thanks(praise: Praise, *, language: Language) -> tuple[str, Blocks]:
    """The DM to one praised person: who praised them, and the words."""
    if praise.party is not None:
        message = md(
            language._(":sparkles: You were praised by {praiser} ({party}): {text}"),
            praiser=mention(praise.praiser_id),
            party=praise.party.name,
            text=praise.text,
        )
    else:
        message = md(
            language._(":sparkles: You were praised by {praiser}: {text}"),
            praiser=mention(praise.praiser_id),
            text=praise.text,
        )
    note = md(language._("Thank you! It is on the record as {ref}."), ref=praise.ref)
    return message, [section(message), context(note)]


def list_line(praise: Praise, *, language: Language) -> Mrkdwn:
    words = truncate(praise.text, LIST_TEXT)
    if praise.party is not None:
        return md(
            language._("*{ref}* · {day} · {praised}, by {praiser} ({party}): {text}"),
            ref=praise.ref,
            day=language.day(praise.at),
            praised=_people(praise.praised, language),
            praiser=mention(praise.praiser_id),
            party=praise.party.name,
            text=words,
        )
    return md(
        language._("*{ref}* · {day} · {praised}, by {praiser}: {text}"),
        ref=praise.ref,
        day=language.day(praise.at),
        praised=_people(praise.praised, language),
        praiser=mention(praise.praiser_id),
        text=words,
    )


def praise_list(page: PraisePage, *, language: Language) -> tuple[str, Blocks]:
    if not page.praise:
        if page.person is not None:
            message = md(language._("No praise of {person} yet."), person=mention(page.person))
        elif page.party is not None:
            message = md(language._("No praise from {party} yet."), party=page.party.name)
        else:
            message = Mrkdwn(language._("No praise yet. Record some with `/praise @person …`."))
        return message, [section(message)]
    if page.person is not None:
        title = md(
            language._("Praise of {person} ({total})"),
            person=mention(page.person),
            total=page.total,
        )
    elif page.party is not None:
        title = md(
            language._("Praise from {party} ({total})"), party=page.party.name, total=page.total
        )
    else:
        title = md(language._("Praise ({total})"), total=page.total)
    blocks: Blocks = [
        section(md("*{}*", title)),
        *sections(list_line(p, language=language) for p in page.praise),
    ]
    if page.total > len(page.praise):
        more = page.total - len(page.praise)
        blocks.append(context(language._("and {more} more, older").format(more=more)))
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def modal(
    private_metadata: str,
    *,
    language: Language,
    praised: Sequence[str],
    praiser: str | None,
    text: str,
    source: Mrkdwn | None,
) -> dict[str, Any]:
    """The shortcut's form: the people praised, who praised (when not you), the words."""
    blocks: Blocks = []
    if source is not None:
        blocks.append(context(source))
    people: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": PEOPLE_INPUT,
        "placeholder": {"type": "plain_text", "text": language._("Choose the people")},
        "max_selected_items": PRAISED_LIMIT,
    }
    if praised:
        people["initial_users"] = list(praised)[:PRAISED_LIMIT]
    blocks.append(
        {
            "type": "input",
            "block_id": PRAISED_BLOCK,
            "label": {"type": "plain_text", "text": language._("Who is praised")},
            "hint": {"type": "plain_text", "text": language._("Our own people, one or more.")},
            "element": people,
        }
    )
    by: dict[str, Any] = {
        "type": "users_select",
        "action_id": PERSON_INPUT,
        "placeholder": {"type": "plain_text", "text": language._("Choose a person")},
    }
    if praiser:
        by["initial_user"] = praiser
    blocks.append(
        {
            "type": "input",
            "block_id": PRAISER_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": language._("Praised by")},
            "hint": {
                "type": "plain_text",
                "text": language._(
                    "The person who gave the praise; empty if it is yours. An outside "
                    "person's organisation is the party it comes from."
                ),
            },
            "element": by,
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": TEXT_BLOCK,
            "label": {"type": "plain_text", "text": language._("What they did")},
            "hint": {
                "type": "plain_text",
                "text": language._("Required, up to {limit:,} characters.").format(
                    limit=TEXT_LIMIT
                ),
            },
            "element": {
                "type": "plain_text_input",
                "action_id": TEXT_INPUT,
                "multiline": True,
                "max_length": TEXT_LIMIT,
                **({"initial_value": text[:TEXT_LIMIT]} if text else {}),
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": language._("Record as praise")},
        "submit": {"type": "plain_text", "text": language._("Record")},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": blocks,
    }
