"""The words of the complaints' refusals (`complaint.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "complaint.bad_id": N_("`{text}` is not a complaint id. Write it like `C-3`."),
    "complaint.bad_scope": N_("`{text}` is not a list. Write one of {choices}."),
    "complaint.which_show": N_("Which complaint? Write it like `/complaint show C-3`."),
    "complaint.which_resolve": N_(
        "Which complaint? Write it like `/complaint resolve C-3 Report resent with the fix`."
    ),
    "complaint.which_escalate": N_(
        "Which complaint? Write it like `/complaint escalate C-3 The customer's CIO called`."
    ),
    "complaint.which_link": N_(
        "Write the complaint and the dispute, like `/complaint link C-3 D-7`."
    ),
    "complaint.text_empty": N_(
        "What is the complaint? Write it like `/complaint open The report is late again "
        "with @their-rep`."
    ),
    "complaint.text_too_long": N_(
        "The complaint is {length:,} characters long; keep it to {limit:,}."
    ),
    "complaint.resolution_empty": N_(
        "What resolved it? Write it like `/complaint resolve C-3 Report resent with the fix`."
    ),
    "complaint.resolution_too_long": N_(
        "The resolution is {length:,} characters long; keep it to {limit:,}."
    ),
    "complaint.reason_empty": N_("Why? An escalation needs a reason, e.g. {example}."),
    "complaint.reason_too_long": N_(
        "The reason is {length:,} characters long; keep it to {limit:,}, e.g. {example}."
    ),
    "complaint.bot": N_("@{name} is a bot; a complaint is a person's or a customer's."),
    "complaint.one_party": N_(
        "Those people are of different organisations; a complaint is one customer's."
    ),
    "complaint.no_party": N_("Pick the customer from the list."),
    "complaint.complainant_elsewhere": N_(
        "The complainant is of another organisation than the customer picked: pick theirs, "
        "or leave the customer empty."
    ),
    "complaint.whose": N_(
        "Whose complaint is it? Name the complainant with @, open it in the customer's "
        "shared channel, or use `/complaint open` alone to pick the customer in the form."
    ),
    "complaint.not_customer": N_(
        "{name} is a {kind:lower}, not a customer; a complaint is a customer's. "
        "A problem with a supplier is a dispute: `/dispute open`."
    ),
    "complaint.other_party_here": N_(
        "That complaint is not this channel's organisation's: open it in an internal "
        "channel or in that organisation's own shared channel."
    ),
    "complaint.outsiders": N_(
        "Only members of the workspace that runs Parley can do that. "
        "To answer about your complaint, reply in its thread."
    ),
    "complaint.not_found": N_(
        "There is no complaint C-{number} here. `/complaint list` shows the complaints."
    ),
    "complaint.cannot_post": N_(
        "I can't post a complaint's card in this conversation. Open it in a channel."
    ),
    "complaint.not_in_private": N_(
        "I'm not in this private channel, so I can't post the card. Add me, then try again."
    ),
    "complaint.waiting": N_(
        "{ref} is resolved already and waits for the customer's answer in its thread."
    ),
    "complaint.closed": N_("{ref} is closed; nothing more can be done on it."),
    "complaint.changed": N_("{ref} changed meanwhile; nothing was done. Look at it again."),
    "complaint.answered": N_(
        "{ref} has had its answer to that resolution already; thank you. Nothing was changed."
    ),
    "complaint.stale_button": N_("This button is out of date; nothing was changed."),
    "complaint.insider_confirming": N_(
        "Only {party}, whose complaint {ref} is, can say whether it is resolved for them."
    ),
    "complaint.no_dispute": N_("There is no dispute D-{number}. `/dispute list` shows them."),
    "complaint.linked_already": N_("{ref} is linked to {dispute} already."),
    "complaint.link_here": N_(
        "Link a complaint to a dispute in an internal channel: it names the supplier."
    ),
}
