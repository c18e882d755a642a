"""Block Kit for `/valueadd`: the usage, a value-add as logged (with its four checks), the
list and the form, in the reader's language.

Pure: records in, JSON out. Every text people typed is escaped for mrkdwn
(`bot/commands/mrkdwn.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from bot.commands.blocks import (
    MESSAGE_BLOCK_LIMIT,
    Blocks,
    Mrkdwn,
    button,
    context,
    md,
    plain,
    section,
    sections,
    truncate,
)
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.parties import Party
from bot.domain.valueadds import CHECKS, WHAT_LIMIT, ValueAdd
from bot.workflows.valueadds import ValueAddPage

VALUEADD_USAGE = N_("""\
*Value-added services* — what we did beyond the agreement for a customer.
• `/valueadd log &lt;customer&gt; &lt;what&gt; [cost &lt;amount&gt;] [hours &lt;n&gt;]` — log it; \
its four checks are answered in the form it offers
• `/valueadd log` — the form: the customer, what, when, cost, hours and the four checks
• `/valueadd list [customer]` — value-adds, newest first (only you see it)
• `/valueadd help` — this help
The four checks: it does not affect the agreed services; it fits the customer's real need; \
its cost is within what was accepted; we can build on it. A "no" is allowed and shown.""")

CHECKS_BUTTON = "valueadd_checks"
MODAL = "valueadd_form"
PARTY_BLOCK = "party"
WHAT_BLOCK = "what"
WHEN_BLOCK = "when"
COST_BLOCK = "cost"
HOURS_BLOCK = "hours"
PARTY_INPUT = "party"
NAME_INPUT = "name"
TEXT_INPUT = "value"
DATE_INPUT = "date"
ANSWER_INPUT = "answer"
OPTIONS_LIMIT = 100
OPTION_TEXT_LIMIT = 75
LIST_TEXT = 200


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(Mrkdwn(language._(VALUEADD_USAGE))))
    return (problem or language._("How to use /valueadd")), blocks


def cost_text(cost: Decimal) -> str:
    return f"{cost:,.2f}"


def hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def facts(valueadd: ValueAdd, *, language: Language) -> list[str]:
    """When it was done, what it cost and how long it took, as far as they are known."""
    shown = [language._("Done on {day}").format(day=language.day(valueadd.done_on))]
    if valueadd.cost is not None:
        shown.append(language._("cost {cost}").format(cost=cost_text(valueadd.cost)))
    if valueadd.hours is not None:
        shown.append(language._("{hours} hours").format(hours=hours_text(valueadd.hours)))
    return shown


def check_lines(valueadd: ValueAdd, *, language: Language) -> list[Mrkdwn]:
    """The four checks, each yes, no or not answered yet."""
    lines = []
    for key, answer in valueadd.checks.answers().items():
        label = language._(CHECKS[key][1])
        if answer is True:
            lines.append(md(language._(":white_check_mark: yes: {check}"), check=label))
        elif answer is False:
            lines.append(md(language._(":x: *no*: {check}"), check=label))
        else:
            lines.append(md(language._(":grey_question: not answered: {check}"), check=label))
    return lines


def record(valueadd: ValueAdd, *, language: Language, offer_checks: bool) -> tuple[str, Blocks]:
    """V-n as logged: for whom, what, the facts and the four checks; with the button that
    opens the form for the checks while any is unanswered."""
    headline = md(
        language._("*{ref}* for {party}: {what}"),
        ref=valueadd.ref,
        party=valueadd.party.name,
        what=valueadd.what,
    )
    blocks: Blocks = [
        section(headline),
        context(*facts(valueadd, language=language)),
        section(Mrkdwn("\n").join(check_lines(valueadd, language=language))),
    ]
    if offer_checks and not valueadd.checks.answered:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button(
                        language._("Answer the four checks"),
                        CHECKS_BUTTON,
                        valueadd.ref,
                        style="primary",
                    )
                ],
            }
        )
    return headline, blocks


def logged(valueadd: ValueAdd, *, language: Language) -> tuple[str, Blocks]:
    """The answer to `/valueadd log`."""
    text, blocks = record(valueadd, language=language, offer_checks=True)
    said = md(language._("{ref} is logged."), ref=valueadd.ref)
    return Mrkdwn(f"{said} {text}"), [section(said), *blocks]


def saved(valueadd: ValueAdd, *, language: Language) -> tuple[str, Blocks]:
    """The DM to whoever saved the form."""
    text, blocks = record(valueadd, language=language, offer_checks=False)
    said = md(language._("{ref} is saved with its four checks."), ref=valueadd.ref)
    return Mrkdwn(f"{said} {text}"), [section(said), *blocks]


def list_line(valueadd: ValueAdd, *, language: Language) -> Mrkdwn:
    answers = valueadd.checks.answers().values()
    noes = sum(1 for a in answers if a is False)
    open_ = sum(1 for a in answers if a is None)
    if noes:
        checks = language.ngettext("{n} no", "{n} noes", noes).format(n=noes)
    elif open_:
        checks = language.ngettext("{n} check open", "{n} checks open", open_).format(n=open_)
    else:
        checks = language._("all four yes")
    return md(
        "{} · {} · {}",
        md(
            language._("*{ref}* · {party}: {what}"),
            ref=valueadd.ref,
            party=valueadd.party.name,
            what=truncate(valueadd.what, LIST_TEXT),
        ),
        " · ".join(facts(valueadd, language=language)),
        checks,
    )


def valueadd_list(page: ValueAddPage, *, language: Language) -> tuple[str, Blocks]:
    if not page.valueadds:
        if page.party is not None:
            message = md(
                language._("No value-added services for {party} yet."), party=page.party.name
            )
        else:
            message = Mrkdwn(
                language._("No value-added services yet. Log one with `/valueadd log`.")
            )
        return message, [section(message)]
    if page.party is not None:
        title = md(
            language._("Value-added services for {party} ({total})"),
            party=page.party.name,
            total=page.total,
        )
    else:
        title = md(language._("Value-added services ({total})"), total=page.total)
    blocks: Blocks = [
        section(md("*{}*", title)),
        *sections(list_line(v, language=language) for v in page.valueadds),
    ]
    if page.total > len(page.valueadds):
        more = page.total - len(page.valueadds)
        blocks.append(context(language._("and {more} more, older").format(more=more)))
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def _yes_no(language: Language) -> list[dict[str, Any]]:
    return [
        {"text": {"type": "plain_text", "text": language._("Yes")}, "value": "yes"},
        {"text": {"type": "plain_text", "text": language._("No")}, "value": "no"},
    ]


def _input(
    block_id: str, label: str, element: dict[str, Any], *, hint: str = "", optional: bool = False
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    if optional:
        block["optional"] = True
    return block


def modal(
    private_metadata: str,
    *,
    language: Language,
    customers: Sequence[Party],
    today: date,
    valueadd: ValueAdd | None = None,
) -> dict[str, Any]:
    """The form: a new value-add, or V-n pre-filled to answer its four checks."""
    blocks: Blocks = []
    chosen = valueadd.party if valueadd is not None else None
    if len(customers) <= OPTIONS_LIMIT:
        options = [
            {
                "text": {"type": "plain_text", "text": truncate(plain(p.name), OPTION_TEXT_LIMIT)},
                "value": f"p:{p.id}",
            }
            for p in customers
        ]
        select: dict[str, Any] = {
            "type": "static_select",
            "action_id": PARTY_INPUT,
            "placeholder": {"type": "plain_text", "text": language._("Choose the customer")},
            "options": options,
        }
        initial = next((o for o in options if chosen and o["value"] == f"p:{chosen.id}"), None)
        if initial is not None:
            select["initial_option"] = initial
        blocks.append(_input(PARTY_BLOCK, language._("Customer"), select))
    else:
        typed: dict[str, Any] = {"type": "plain_text_input", "action_id": NAME_INPUT}
        if chosen is not None:
            typed["initial_value"] = chosen.name
        blocks.append(
            _input(
                PARTY_BLOCK,
                language._("Customer"),
                typed,
                hint=language._("The customer's name as `/party list` shows it."),
            )
        )
    what: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": TEXT_INPUT,
        "multiline": True,
        "max_length": WHAT_LIMIT,
    }
    if valueadd is not None:
        what["initial_value"] = valueadd.what
    blocks.append(
        _input(
            WHAT_BLOCK,
            language._("What was done"),
            what,
            hint=language._("Required, up to {limit:,} characters.").format(limit=WHAT_LIMIT),
        )
    )
    day = valueadd.done_on if valueadd is not None else today
    blocks.append(
        _input(
            WHEN_BLOCK,
            language._("When"),
            {"type": "datepicker", "action_id": DATE_INPUT, "initial_date": day.isoformat()},
        )
    )
    for block_id, label, hint, value in (
        (
            COST_BLOCK,
            language._("Cost"),
            language._("An amount with up to 2 decimals, e.g. 1200.50."),
            cost_text(valueadd.cost).replace(",", "")
            if valueadd is not None and valueadd.cost is not None
            else "",
        ),
        (
            HOURS_BLOCK,
            language._("Hours"),
            language._("Hours spent, with up to 1 decimal, e.g. 2.5."),
            hours_text(valueadd.hours)
            if valueadd is not None and valueadd.hours is not None
            else "",
        ),
    ):
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": TEXT_INPUT}
        if value:
            element["initial_value"] = value
        blocks.append(_input(block_id, label, element, hint=hint, optional=True))
    answers = valueadd.checks.answers() if valueadd is not None else {}
    for key, (question, _) in CHECKS.items():
        radio: dict[str, Any] = {
            "type": "radio_buttons",
            "action_id": ANSWER_INPUT,
            "options": _yes_no(language),
        }
        answer = answers.get(key)
        if answer is not None:
            radio["initial_option"] = radio["options"][0 if answer else 1]
        blocks.append(_input(key, language._(question), radio))
    title = language._("Value-added service") if valueadd is None else valueadd.ref
    return {
        "type": "modal",
        "callback_id": MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": truncate(title, 24)},
        "submit": {"type": "plain_text", "text": language._("Save")},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": blocks,
    }
