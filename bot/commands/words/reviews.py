"""The words of the reviews' refusals (`review.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "review.title_empty": N_(
        "The title is empty. Write it like this: `/review schedule Monthly service review "
        "with @their-rep every month on the 10th working day at 10:00`"
    ),
    "review.title_too_long": N_(
        "The title is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
    "review.minutes_empty": N_(
        "The minutes is empty. Write it like this: "
        "`/review minutes R-3 Agreed a credit for the March outage`"
    ),
    "review.minutes_too_long": N_(
        "The minutes is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
    "review.action_empty": N_(
        "The action item is empty. Write it like this: "
        "`/review action R-3 @owner Dec 18 Send the corrected SLA report`"
    ),
    "review.action_too_long": N_(
        "The action item is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
}
