"""The words of contracts' refusals (`contract.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "contract.unknown": N_(
        "No contract or service is called {name}. See `/contract list` for the suppliers' "
        "contracts and the services they underpin."
    ),
    "contract.which": N_(
        "Which contract or service? Write the supplier's or the service's name, e.g. "
        '`/contract show "Acme Networks"`.'
    ),
    "contract.shared_channel": N_(
        "Contracts are internal records: use /contract in an internal channel or in a DM with me."
    ),
}
