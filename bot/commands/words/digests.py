"""The words of the digests' refusals (`digest.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "digest.outsiders": N_(
        "Only members of the workspace that runs Parley can subscribe to digests. "
        "To answer a dispute, reply in its thread."
    ),
    # a time for a channel's digest (`/digest subscribe`)
    "digest.bad_time": N_(
        "`{text}` is not a time. Write it as HH:MM on a 24-hour clock, "
        "like `/digest subscribe at 09:00`."
    ),
    "digest.no_time": N_(
        "`nothing` is not a time. Write it as HH:MM on a 24-hour clock, "
        "like `/digest subscribe at 09:00`."
    ),
    "digest.bad_time_of_day": N_(
        "`{text}` is not a time of day: hours go from 00 to 23 and minutes from 00 to 59. "
        "Write it like `/digest subscribe at 09:00`."
    ),
    "digest.what_time": N_("At what time? Write it like `/digest subscribe at 09:00`."),
    "digest.more_than_time": N_(
        "I read `{text}` as more than a time. Write it like `/digest subscribe at 09:00`."
    ),
    # a time for one's own digest by DM (`/digest me`)
    "digest.me_bad_time": N_(
        "`{text}` is not a time. Write it as HH:MM on a 24-hour clock, like `/digest me at 09:00`."
    ),
    "digest.me_no_time": N_(
        "`nothing` is not a time. Write it as HH:MM on a 24-hour clock, like `/digest me at 09:00`."
    ),
    "digest.me_bad_time_of_day": N_(
        "`{text}` is not a time of day: hours go from 00 to 23 and minutes from 00 to 59. "
        "Write it like `/digest me at 09:00`."
    ),
    "digest.me_what_time": N_("At what time? Write it like `/digest me at 09:00`."),
    "digest.me_more_than_time": N_(
        "I read `{text}` as more than a time. Write it like `/digest me at 09:00`."
    ),
    # stopping a digest
    "digest.channel_none": N_(
        "This channel gets no digest, so there is nothing to stop. "
        "`/digest subscribe at 09:00` starts one."
    ),
    "digest.me_none": N_("You get no digest by DM. `/digest me at 09:00` starts one."),
    # where a channel's digest can be posted (bot/commands/digests.py)
    "digest.dm_channel": N_(
        "A channel's digest is posted in a channel. "
        "For your own digest by DM: `/digest me at 09:00`."
    ),
    "digest.cannot_post": N_(
        "I can't post in this conversation. Invite me first with `/invite @Parley`."
    ),
    "digest.cannot_join": N_(
        "I couldn't join this channel ({error}). Invite me with `/invite @Parley`."
    ),
    # subcommands that take nothing after them
    "digest.unsubscribe_extra": N_("`/digest unsubscribe` takes nothing after it."),
    "digest.me_off_extra": N_("`/digest me off` takes nothing after it."),
    "digest.now_extra": N_("`/digest now` takes nothing after it."),
}
