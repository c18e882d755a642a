"""The words of the dossiers' refusals (`dossier.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "dossier.which": N_("Which dispute? Write it like `/dispute dossier D-3`."),
    "dossier.only_id": N_(
        "`/dispute dossier` takes the dispute's id and nothing else: `/dispute dossier D-{number}`."
    ),
    "dossier.outsiders": N_(
        "Only members of the workspace that runs Parley can have a dispute's dossier."
    ),
    "dossier.shared_channel": N_(
        "The dossier of D-{number} holds every party's business and the internal notes, so I "
        "don't send it from a shared channel. Ask me in an internal channel or in my DM."
    ),
}
