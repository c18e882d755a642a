"""The words of value-added services' refusals (`valueadd.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "valueadd.bad_id": N_("`{text}` is not a value-add id. Write it like `V-3`."),
    "valueadd.which_log": N_(
        "For which customer, and what was done? Write it like "
        "`/valueadd log Contoso Retail Dashboard for the board cost 1200 hours 6`, "
        "or `/valueadd log` alone for the form."
    ),
    "valueadd.no_party": N_(
        "I don't know a party called {name}. Start with the customer's name as "
        "`/party list` shows it (in quotes if it is long), e.g. "
        '`/valueadd log "Contoso Retail" Dashboard for the board`.'
    ),
    "valueadd.not_customer": N_(
        "{name} is a {kind}: value-added services are logged for customers. "
        "If {name} is one, set it with `/party set {name} kind customer`."
    ),
    "valueadd.what_empty": N_(
        "What was done? Write it after the customer's name, e.g. "
        "`/valueadd log Contoso Retail Dashboard for the board`."
    ),
    "valueadd.what_too_long": N_(
        "What was done is {length:,} characters long; keep it to {limit:,}."
    ),
    "valueadd.when_future": N_("{day} has not come yet: log a value-add once it is done."),
    "valueadd.cost_not_number": N_(
        "`{text}` is not a cost. Write an amount like `1200` or `1200.50`."
    ),
    "valueadd.cost_negative": N_(
        "A cost cannot be negative (`{text}`). Write what it cost, like `1200`, or leave it out."
    ),
    "valueadd.cost_decimals": N_("`{text}` has more than 2 decimals. Write a cost like `1200.50`."),
    "valueadd.cost_too_high": N_(
        "`{text}` is more than 10,000,000: that is a contract, not a value-added service."
    ),
    "valueadd.hours_not_number": N_(
        "`{text}` is not a number of hours. Write it like `6` or `2.5`."
    ),
    "valueadd.hours_negative": N_(
        "Hours cannot be negative (`{text}`). Write the time spent, like `6`, or leave it out."
    ),
    "valueadd.hours_decimals": N_("`{text}` has more than 1 decimal. Write hours like `2.5`."),
    "valueadd.hours_too_high": N_("`{text}` is more than 10,000 hours. Write the time it took."),
    "valueadd.check_unanswered": N_("Answer yes or no."),
    "valueadd.not_found": N_("There is no V-{number}. See `/valueadd list`."),
    "valueadd.outsiders": N_("Only members of the workspace that runs Parley can use /valueadd."),
    "valueadd.no_customers": N_(
        "No customer party is on record yet. Make one with `/party set <name> kind customer`."
    ),
    "valueadd.party_unchosen": N_("Choose the customer the service was for."),
    "valueadd.when_bad": N_("Choose the day it was done."),
    "valueadd.shared_channel": N_(
        "Value-added services are internal records: use /valueadd in an internal channel "
        "or in a DM with me."
    ),
    "valueadd.stale_button": N_("This button is out of date. Use `/valueadd list` instead."),
}
