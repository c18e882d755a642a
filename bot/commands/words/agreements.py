"""The words of the agreements' refusals (`agreement.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "agreement.reason_empty": N_(
        "The reason is empty. Write it like this: `/agreement revoke A-3 The contract ended`"
    ),
    "agreement.reason_too_long": N_(
        "The reason is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
}
