"""The words of praise's refusals (`praise.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "praise.no_person": N_(
        "Who is praised? Mention them first, e.g. `/praise @sam fixed the VPN within an hour`."
    ),
    "praise.too_many": N_(
        "That is {count} people; praise at most {limit} at a time, or record it more than once."
    ),
    "praise.praiser_bot": N_("{name} is a bot: praise is given by people."),
    "praise.praised_bot": N_("{name} is a bot: praise people, e.g. `/praise @sam …`."),
    "praise.praised_outsider": N_(
        "{name} is of another organisation: praise records what is said of our own people."
    ),
    "praise.self": N_(
        "{name} cannot praise themselves: name who gave the praise with `from @user`."
    ),
    "praise.text_empty": N_(
        "What did they do? Write it after the people, e.g. "
        "`/praise @sam fixed the VPN within an hour`."
    ),
    "praise.text_too_long": N_("The praise is {length:,} characters long; keep it to {limit:,}."),
    "praise.outsiders": N_(
        "Only members of the workspace that runs Parley can record praise. "
        "Tell your contact there what went well, and they will record it."
    ),
    "praise.no_party": N_(
        "I don't know a party called {name}. See `/party list`, or write `/praise list @person`."
    ),
}
