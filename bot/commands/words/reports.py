"""The words of the reports' refusals (`report.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "report.outsiders": N_("Only members of the workspace that runs Parley can ask for reports."),
    "report.no_party": N_(
        "I don't know a party called {name}. See `/party list`, or leave the party out "
        "for every party."
    ),
    "report.bad_period": N_(
        "I can't read {text} as a period. Write `last quarter`, `this quarter`, `this year`, "
        "`last year`, or two dates such as `2026-01-01 to 2026-03-31`."
    ),
    "report.future": N_("{text} has not begun yet: ask for a period that has, e.g. `this year`."),
    "report.inverted": N_("The period ends ({end}) before it begins ({start}): swap the dates."),
    "report.too_long": N_("That period is too long: a report covers at most {quarters} quarters."),
}
