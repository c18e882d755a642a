"""The words of the reviews' refusals (`review.` codes), and of the time language's
(`time.` codes of `bot/domain/when.py`, `recurrence.` codes of `bot/domain/recurrence_words.py`)."""

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
    "review.bad_id": N_("`{text}` is not a review id. Write it like `R-3`."),
    "review.bad_action_id": N_("`{text}` is not an action item id. Write it like `T-4`."),
    "review.which_show": N_("Which review? Write it like `/review show R-3`."),
    "review.which_cancel": N_("Which review? Write it like `/review cancel R-3`."),
    "review.which_skip": N_("Which review? Write it like `/review skip R-3`."),
    "review.which_minutes": N_(
        "Which review? Write it like `/review minutes R-3 Agreed a credit for the March outage`."
    ),
    "review.which_action": N_(
        "Which review? Write it like "
        "`/review action R-3 @owner Dec 18 Send the corrected SLA report`."
    ),
    "review.which_item": N_("Which action item? Write it like `/review done T-4`."),
    "review.whose_action": N_(
        "Who owns it? Mention them after the review's id: "
        "`/review action R-3 @owner Dec 18 Send the corrected SLA report`."
    ),
    "review.not_a_person": N_("`{text}` is not a person: mention them with @."),
    "review.bad_list": N_("`{text}` is not a list. Use `/review list` or `/review list all`."),
    "review.cannot_post": N_(
        "I can't post reminders in this conversation. Schedule the review in a channel, or "
        "invite me here first with `/invite @Parley`."
    ),
    "review.not_in_private": N_(
        "I'm not in this private channel. Invite me with `/invite @Parley`."
    ),
    "review.not_found": N_("There is no review R-{number}. `/review list all` lists them."),
    "review.not_found_here": N_(
        "There is no review R-{number} in this channel. `/review list all` lists them."
    ),
    "review.outsiders": N_(
        "Only members of the workspace that runs Parley can change a review. "
        "To add to the minutes, reply in the reminder's thread."
    ),
    "review.outsiders_schedule": N_(
        "Only members of the workspace that runs Parley can schedule reviews."
    ),
    "review.outsiders_done": N_(
        "Only members of the workspace that runs Parley can mark action items done. "
        "Tell the review's owner in its thread."
    ),
    "review.bot": N_("@{name} is a bot; only people take part in a review."),
    "review.not_of_channel": N_(
        "{person} does not speak for this channel's organisation, "
        "so they can't take part in a review held here. Schedule it in an internal channel."
    ),
    "review.beyond_horizon": N_("A review's first occurrence must be within the next two years."),
    "review.already_closed": N_("{ref} is already {status}."),
    "review.changed": N_("{ref} changed a moment ago. Look again and retry."),
    "review.nothing_to_skip": N_("{ref} is {status}; there is nothing to skip."),
    "review.skip_once": N_("{ref} happens once; to call it off, `/review cancel {ref}`."),
    "review.no_further": N_("{ref} has no further occurrence to skip."),
    "review.none_after_skip": N_(
        "{ref} has no occurrence after {skipped} ({zone}); "
        "cancel it instead: `/review cancel {ref}`."
    ),
    "review.not_met": N_("{ref} has not met yet. Record the minutes after the meeting."),
    "review.not_met_next": N_(
        "{ref} has not met yet (next: {next} ({zone})). Record the minutes after the meeting."
    ),
    "review.owner_bot": N_("@{name} is a bot; an action item needs a person to own it."),
    "review.due_once": N_("An action item is due once, at a time to come."),
    "review.cancelled_no_actions": N_("{ref} is cancelled; it takes no action items."),
    "review.owner_not_of_party": N_(
        "{person} does not speak for a party of {ref}. Give the item to one of its participants."
    ),
    "review.action_not_found": N_("There is no action item T-{number}."),
    "review.action_not_found_here": N_("There is no action item T-{number} in this channel."),
    "review.already_done": N_("{ref} is already done."),
    "review.already_done_by": N_("{ref} is already done by {person}."),
    # reading what people type about reviews (bot/domain/review_schedule.py)
    "review.profile_zone_unknown": N_(
        "Your Slack profile's time zone “{zone}” is not one I know. Name the zone at "
        "the end instead, e.g. `… every Monday 9:30 in Asia/Shanghai`."
    ),
    "review.zone_unknown": N_(
        "I don't know the time zone “{zone}”. Use an IANA name such as "
        "`Asia/Shanghai`, `Europe/Berlin` or `UTC`."
    ),
    "review.no_such_date": N_(
        "There is no {day} {month}. Check the date, e.g. `Dec 3 at 14:30` or `12月3日下午2点半`."
    ),
    "review.no_such_date_in": N_(
        "There is no {day} {month} {year}. Check the date, "
        "e.g. `Dec 3 at 14:30` or `12月3日下午2点半`."
    ),
    "review.what_to_schedule": N_(
        "What should I schedule? Write it like "
        "`/review schedule Monthly service review with @their-rep every month on the "
        "10th working day at 10:00`."
    ),
    "review.deadline_range": N_(
        "A deadline is 1 to {limit} working days from the month's start, "
        "e.g. `report within 5 working days`."
    ),
    "review.deadlines_monthly_only": N_(
        "Only a monthly review carries report and meeting deadlines, e.g. "
        "`every month on the 3rd working day report within 5 working days`."
    ),
    "review.never": N_(
        "“{text}” has no occurrence in the next two years. Try `next Tuesday 3pm`, "
        "`下周二下午3点`, `every Monday 9:30` or `every month on the 10th working day at 10:00`."
    ),
    "review.never_soon": N_(
        "“{text}” has no occurrence in the next two years (the first would be {first} ({zone})). "
        "Try `next Tuesday 3pm`, `下周二下午3点`, `every Monday 9:30` or "
        "`every month on the 10th working day at 10:00`."
    ),
    "review.due_repeats": N_(
        "An action item is due once: give a date such as `Dec 18` or `下周五`, "
        "e.g. `/review action R-3 @owner Dec 18 Send the corrected SLA report`."
    ),
    "review.due_what": N_(
        "What is to be done? Write it after the due date: "
        "`/review action R-3 @owner Dec 18 Send the corrected SLA report`."
    ),
    "review.due_unreadable": N_(
        "I couldn't read a due date at the start of “{text}”. Write it like "
        "`/review action R-3 @owner Dec 18 Send the corrected SLA report`."
    ),
    # ----------------------------------------------------------------------------------
    # The time language (bot/domain/when.py: `time.`; bot/domain/recurrence_words.py:
    # `recurrence.`), which reviews read; each refusal quotes examples of what reads.
    "time.unreadable": N_(
        "I couldn't read “{text}” as a time. Try `next Tuesday 3pm`, `下周二下午3点`, "
        "`every Monday 9:30` or `every month on the 10th working day at 10:00`."
    ),
    "time.in_the_past": N_(
        "“{text}” reads as {at} ({zone}), which is not in the future. Give a time to come, "
        "e.g. `tomorrow 10:00` or `明天上午10点`."
    ),
    "time.no_title": N_(
        "Give the review a title before its time, e.g. `Monthly service review {text}`."
    ),
    "time.no_time_at_end": N_(
        "I couldn't find a time at the end of “{text}”. End it with e.g. `next Tuesday 3pm`, "
        "`下周二下午3点`, `every Monday 9:30` or `every month on the 10th working day at 10:00`."
    ),
    "recurrence.unreadable": N_(
        "I couldn't read “{text}” as a repeating time. Try `every Monday 9:30`, "
        "`every 2 weeks on Friday at 16:00`, `every month on the 10th working day at 10:00` "
        "or `每月第10个工作日上午10点`."
    ),
    "recurrence.too_rare": N_(
        "A repeating time repeats at least every 1 week, month or quarter. "
        "Try `every Monday 9:30`, `every 2 weeks on Friday at 16:00`, "
        "`every month on the 10th working day at 10:00` or `每月第10个工作日上午10点`."
    ),
    "recurrence.quarterly_interval": N_(
        "Quarterly reviews repeat every quarter. "
        "Try `every Monday 9:30`, `every 2 weeks on Friday at 16:00`, "
        "`every month on the 10th working day at 10:00` or `每月第10个工作日上午10点`."
    ),
    "recurrence.working_day_interval": N_(
        "Working-day reviews repeat every month or every quarter. "
        "Try `every Monday 9:30`, `every 2 weeks on Friday at 16:00`, "
        "`every month on the 10th working day at 10:00` or `每月第10个工作日上午10点`."
    ),
    "recurrence.month_working_days": N_(
        "A month has at most {limit} working days. "
        "Try `every Monday 9:30`, `every 2 weeks on Friday at 16:00`, "
        "`every month on the 10th working day at 10:00` or `每月第10个工作日上午10点`."
    ),
    "recurrence.quarter_working_days": N_(
        "A quarter has at most {limit} working days. "
        "Try `every Monday 9:30`, `every 2 weeks on Friday at 16:00`, "
        "`every month on the 10th working day at 10:00` or `每月第10个工作日上午10点`."
    ),
    "recurrence.monthday_range": N_(
        "A day of the month is 1 to 31. "
        "Try `every Monday 9:30`, `every 2 weeks on Friday at 16:00`, "
        "`every month on the 10th working day at 10:00` or `每月第10个工作日上午10点`."
    ),
    "recurrence.nth_weekday_range": N_(
        "A weekday of the month is the 1st to 5th, last or 2nd to last. "
        "Try `every Monday 9:30`, `every 2 weeks on Friday at 16:00`, "
        "`every month on the 10th working day at 10:00` or `每月第10个工作日上午10点`."
    ),
}
