"""The words of the disputes' refusals (`dispute.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "dispute.bad_id": N_("`{text}` is not a dispute id. Write it like `D-3`."),
    "dispute.which": N_("Which dispute? Write it like {example}."),
    "dispute.which_show": N_("Which dispute? Write it like `/dispute show D-3`."),
    "dispute.not_found": N_("There is no dispute D-{number}. `/dispute list all` lists them."),
    "dispute.not_found_here": N_(
        "There is no dispute D-{number} in this channel. `/dispute list all` lists them."
    ),
    "dispute.bad_scope": N_("`{text}` is not a list. Choose one of {choices}."),
    "dispute.outsiders": N_(
        "Only members of the workspace that runs Parley can change a dispute. "
        "To answer a dispute, reply in its thread."
    ),
    "dispute.outsiders_open": N_("Only members of this workspace can open disputes."),
    "dispute.bot": N_("@{name} is a bot; only people can take part in a dispute."),
    "dispute.title_empty": N_(
        "The title is empty. Write it like this: `/dispute open Late SLA report with @supplier`"
    ),
    "dispute.title_too_long": N_(
        "The title is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
    "dispute.reason_empty": N_("The reason is empty. Write it like this: {example}"),
    "dispute.resolution_empty": N_("The resolution is empty. Write it like this: {example}"),
    "dispute.reason_too_long": N_(
        "The reason is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
    "dispute.resolution_too_long": N_(
        "The resolution is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
    "dispute.note_empty": N_(
        "The note is empty. Write it like this: `/dispute note D-3 Legal reviewed clause 7`"
    ),
    "dispute.note_too_long": N_(
        "The note is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
    "dispute.closed_no_notes": N_("{ref} is already {status}; it takes no notes."),
    "dispute.closed_no_joining": N_("{ref} is already {status}; nobody can join it."),
    "dispute.closed_no_thread": N_("{ref} is already {status}; no thread can be linked to it."),
    "dispute.changed": N_("{ref} changed a moment ago. Look again and retry."),
    "dispute.whom": N_("Whom should I add? `/dispute add D-3 @their-rep`"),
    "dispute.whom_or_channel": N_(
        "Whom should I add? `/dispute add D-3 @their-rep` or `/dispute add D-3 #channel`"
    ),
    "dispute.all_members": N_("Everyone you named is already part of {ref}."),
    "dispute.thread_known": N_("{ref} already has a thread in {channel}."),
    "dispute.channel_unseen": N_(
        "I can't see #{name}. Pick the channel from Slack's list, "
        "or invite me there first with `/invite @Parley`."
    ),
    "dispute.cannot_post": N_(
        "I can't post in this conversation. Open the dispute in a channel, or invite me "
        "here first with `/invite @Parley`."
    ),
    "dispute.not_in_private": N_(
        "I'm not in this private channel. Invite me with `/invite @Parley`."
    ),
    "dispute.already_closed": N_("{ref} is already {status}."),
    # the ladder (bot/domain/ladder.py)
    "dispute.stays_closed": N_(
        "{ref} is already {status}; a closed dispute stays closed. "
        "Reopen it with `/dispute reopen {ref} <reason>`, or open a new one with "
        "`/dispute open`."
    ),
    "dispute.last_stage": N_(
        "{ref} is at the last stage ({stage}); it can only be resolved or withdrawn now."
    ),
    "dispute.approver_to": N_(
        "Only an approver may take {ref} to the {stage:lower} stage. "
        "Ask one of the approvers named in Parley's config."
    ),
    "dispute.still_open": N_(
        "{ref} is open; only a resolved or withdrawn dispute can be reopened."
    ),
    "dispute.approver_reopen": N_(
        "Only an approver may reopen {ref} at the {stage:lower} stage. "
        "Ask one of the approvers named in Parley's config."
    ),
    # a dispute's meeting (bot/workflows/dispute_meetings.py, bot/domain/review_schedule.py)
    "dispute.meeting_when": N_(
        "When should they meet? Write it like "
        "`/dispute meet D-3 next Tuesday 3pm with @their-rep` or `/dispute meet D-3 下周二下午3点`."
    ),
    "dispute.meeting_once": N_(
        "A dispute's meeting happens once: give one time, like `next Tuesday 3pm` or "
        "`下周二下午3点`. Regular meetings with a party are `/review schedule`."
    ),
    "dispute.meeting_unreadable": N_(
        "I couldn't read “{text}” as a time. Try `next Tuesday 3pm`, `tomorrow 10:00`, "
        "`Dec 8 14:30` or `下周二下午3点`."
    ),
    "dispute.meeting_too_far": N_(
        "“{text}” is more than two years away. Call the meeting for a time to come, "
        "e.g. `next Tuesday 3pm`."
    ),
    "dispute.meeting_past": N_(
        "A meeting is called for a time to come, e.g. `tomorrow 10:00` or `明天上午10点`."
    ),
    "dispute.meeting_not_of_channel": N_(
        "{person} does not speak for an organisation of this dispute's channel, so they can't "
        "be invited to a meeting held there. Call it without them."
    ),
    "dispute.meeting_from_here": N_(
        "Call the meeting of {ref} in its own channel {channel}, or from an internal channel."
    ),
    "dispute.closed_no_meeting": N_(
        "{ref} is already {status}; a closed dispute holds no meetings. "
        "Reopen it first with `/dispute reopen {ref} <reason>`."
    ),
}
