"""The words of the parties' refusals (`party.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "party.name_empty": N_(
        "The new name is empty. Write it like this: `/party rename Initech to Initech Ltd`"
    ),
    "party.name_too_long": N_(
        "The new name is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
}
