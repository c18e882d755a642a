"""The words of supplier audits' refusals (`audit.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "audit.outsiders": N_(
        "Only members of the workspace that runs Parley can use /audit: scorecards are the "
        "company's own judgement of its suppliers."
    ),
    "audit.shared_channel": N_(
        "Scorecards are internal until they are published: use /audit in an internal channel "
        "or in a DM with me."
    ),
    "audit.which": N_(
        'Which supplier? Write its name, e.g. `/audit open "Acme Networks" last quarter`.'
    ),
    "audit.no_supplier": N_(
        "I don't know a supplier called {name}. See `/party list` for the parties on record."
    ),
    "audit.not_supplier": N_(
        "{name} is not a supplier: only suppliers are audited. See `/party list`."
    ),
    "audit.bad_id": N_("{text} is not a scorecard id. Write it like `S-3`."),
    "audit.unknown": N_("There is no scorecard {ref}. See `/audit list`."),
    "audit.bad_rating": N_(
        "The cooperation rating must be a whole number from 1 to 5 (got {rating})."
    ),
    "audit.notes_too_long": N_("The notes are too long: at most {limit} characters."),
    "audit.not_rated": N_(
        "{ref} has not been rated yet: rate the cooperation climate first with `/audit rate {ref}`."
    ),
    "audit.already_published": N_(
        "Version {version} of {ref} is published already: `/audit rate {ref}` begins the next "
        "version."
    ),
    "audit.changed": N_("{ref} changed while you were rating it: open the form again."),
    "audit.bad_recurrence": N_(
        "How often? End with `every month`, `every quarter` or `every year` (got {text})."
    ),
    "audit.not_scheduled": N_("{name} has no scheduled audit."),
}
