"""The words of the agreements' refusals (`agreement.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    # references (bot/domain/agreement_terms.py)
    "agreement.bad_id": N_("`{text}` is not an agreement id. Write it like `A-3`."),
    "agreement.which_show": N_("Which agreement? Write it like `/agreement show A-3`."),
    "agreement.which_edit": N_("Which agreement? Write it like `/agreement edit A-3`."),
    "agreement.which_revoke": N_(
        "Which agreement? Write it like `/agreement revoke A-3 The contract ended`."
    ),
    "agreement.bad_version": N_(
        "`{text}` is not a version. Write it like `/agreement show A-{number} v1`."
    ),
    # the form's fields, each with what to write there
    "agreement.what_empty": N_(
        "What is empty: write the information shared, its content and scope."
    ),
    "agreement.why_empty": N_("Why is empty: write the purpose the information is shared for."),
    "agreement.who_empty": N_("Who is empty: write the parties and the roles authorised."),
    "agreement.when_empty": N_(
        "When is empty: write the timing and frequency, e.g. monthly, within 5 working days."
    ),
    "agreement.where_empty": N_(
        "Where is empty: write the channel or medium, e.g. SFTP, the shared channel."
    ),
    "agreement.how_empty": N_(
        "How is empty: write the process and method, e.g. encrypted export, reviewed first."
    ),
    "agreement.authorization_empty": N_(
        "Authorisation is empty: write who approves the sharing, and how."
    ),
    "agreement.what_too_long": N_("What is {length:,} characters long; keep it to {limit:,}."),
    "agreement.why_too_long": N_("Why is {length:,} characters long; keep it to {limit:,}."),
    "agreement.who_too_long": N_("Who is {length:,} characters long; keep it to {limit:,}."),
    "agreement.when_too_long": N_("When is {length:,} characters long; keep it to {limit:,}."),
    "agreement.where_too_long": N_("Where is {length:,} characters long; keep it to {limit:,}."),
    "agreement.how_too_long": N_("How is {length:,} characters long; keep it to {limit:,}."),
    "agreement.authorization_too_long": N_(
        "Authorisation is {length:,} characters long; keep it to {limit:,}."
    ),
    "agreement.valid_until_missing": N_("Pick the last day the agreement is valid."),
    "agreement.valid_until_bad": N_(
        "Pick the last day from the calendar (a date like 2027-06-30)."
    ),
    "agreement.valid_until_past": N_(
        "Valid until is in the past; pick today ({today}) or a later day."
    ),
    "agreement.authorised_bot": N_("@{name} is a bot; only people can be authorised."),
    "agreement.authorised_outsider": N_(
        "@{name} is from another organisation: authorise people of this "
        "workspace or of the agreement's party only."
    ),
    "agreement.nobody_authorised": N_("Pick at least one person who is authorised."),
    "agreement.bad_channel": N_("Pick the channel from the list, or leave it empty."),
    "agreement.party_without_team": N_(
        "{name} has no Slack team on record, so nobody of "
        "theirs could acknowledge it. Mention one of their people instead."
    ),
    "agreement.party_unknown": N_("Choose the party from the list."),
    # /agreement new and the card's channel (bot/commands/agreements.py)
    "agreement.mentioned_bot": N_("@{name} is a bot; mention a person of the other party."),
    "agreement.mentioned_insider": N_(
        "@{name} is a member of this workspace. Mention somebody of the other "
        "organisation: `/agreement new with @their-rep`."
    ),
    "agreement.one_organisation": N_(
        "An agreement is with one organisation: mention people of one of them only."
    ),
    "agreement.no_other_team": N_(
        "Parley knows no other organisation's Slack team yet. Mention one of their people: "
        "`/agreement new with @their-rep`."
    ),
    "agreement.cannot_post": N_(
        "I can't post in this conversation. Draft the agreement in a channel, or invite "
        "me here first with `/invite @Parley`."
    ),
    "agreement.not_in_private": N_(
        "I'm not in this private channel. Invite me with `/invite @Parley`."
    ),
    "agreement.no_shared_channel": N_(
        "I share no channel with {name}, and this channel is shared "
        "with another organisation. Draft it in an internal channel instead."
    ),
    "agreement.no_shared_channel_unnamed": N_(
        "I share no channel with their organisation, and this channel is shared "
        "with another organisation. Draft it in an internal channel instead."
    ),
    "agreement.stale_button": N_("This button is out of date. Look at the agreement's card again."),
    # the workflow (bot/workflows/agreements.py)
    "agreement.outsiders": N_(
        "Only members of the workspace that runs Parley can draft or change agreements. "
        "To accept one addressed to your organisation, press Acknowledge on its card."
    ),
    "agreement.not_found": N_("There is no agreement A-{number}. `/agreement list` lists them."),
    "agreement.not_found_here": N_(
        "There is no agreement A-{number} in this channel. `/agreement list` lists them."
    ),
    "agreement.no_such": N_("There is no agreement A-{number}."),
    "agreement.revoked": N_(
        "{ref} was revoked; it cannot change any more. Draft a new one with `/agreement new`."
    ),
    "agreement.edited_meanwhile": N_(
        "{ref} changed while you were editing (it is at version "
        "{version} now). Close the form and edit it again."
    ),
    "agreement.unchanged": N_("Nothing changed: version {version} stays as it is."),
    "agreement.changed": N_("{ref} changed a moment ago. Look again and retry."),
    "agreement.changed_card": N_("{ref} changed a moment ago. Look at its card again."),
    "agreement.acknowledged_by_insider": N_(
        "Only {party}'s people can acknowledge {ref}: it records "
        "that they read and accept it, so nobody can do it on their behalf."
    ),
    "agreement.revoked_no_acknowledging": N_("{ref} was revoked; there is nothing to acknowledge."),
    "agreement.expired_no_acknowledging": N_(
        "{ref} expired after {last_day}; it can no longer be acknowledged."
    ),
    "agreement.version_replaced": N_(
        "{ref} has changed: version {version} replaces version "
        "{seen}. Read the card again and acknowledge that version."
    ),
    "agreement.already_acknowledged": N_("Version {version} of {ref} is already acknowledged."),
    "agreement.already_revoked": N_("{ref} is already revoked."),
    "agreement.reason_empty": N_(
        "The reason is empty. Write it like this: `/agreement revoke A-3 The contract ended`"
    ),
    "agreement.reason_too_long": N_(
        "The reason is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
    "agreement.no_version": N_("{ref} has no version {version}; it has versions 1 to {last}."),
    "agreement.no_party": N_("There is no party named “{name}”. `/party list` lists them."),
    "agreement.no_party_here": N_(
        "There is no party named “{name}” in this channel. `/party list` lists them."
    ),
}
