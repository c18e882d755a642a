"""The words of publishing a scorecard's refusals (`audit.` codes of `/audit publish`, the
supplier's Comment and Appeal, and the improvement action's button)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "audit.publish_bad_ref": N_("{text} is not a scorecard. Write it like `S-3`."),
    "audit.publish_usage": N_(
        "Write `/audit publish S-3`, or `/audit publish S-3 to supplier` to post it in the "
        "supplier's shared channel too."
    ),
    "audit.publish_not_found": N_("There is no scorecard S-{number}. See `/audit list`."),
    "audit.publish_unrated": N_(
        "{ref} is a draft without the auditor's rating, so it was not published. Rate it "
        "with `/audit rate {ref}` first."
    ),
    "audit.publish_shared_channel": N_(
        "Publish scorecards from an internal channel: the internal copy is posted where you "
        "ask, and this channel is shared with another organisation."
    ),
    "audit.publish_no_shared_channel": N_(
        "{ref} was not published: I am in no channel shared with {party} alone, so its copy "
        "has nowhere to go. Invite me to its shared channel, or publish without `to supplier`."
    ),
    "audit.stale_button": N_("That button is out of date. Use the scorecard's latest post."),
    "audit.remark_not_found": N_("There is no published scorecard S-{number}."),
    "audit.remark_not_your_party": N_(
        "Only the people of the supplier that {ref} rates can comment on it or appeal it."
    ),
    "audit.comment_empty": N_("Write your comment."),
    "audit.appeal_empty": N_("Write what you appeal and why."),
    "audit.comment_too_long": N_(
        "A comment may be up to {limit} characters; this one has {length}."
    ),
    "audit.appeal_too_long": N_(
        "An appeal may be up to {limit} characters; this one has {length}."
    ),
    "audit.action_stale": N_(
        "{ref} has a newer version ({version}): create improvement actions from its latest post."
    ),
    "audit.action_not_band_d": N_(
        "That dimension of {ref} is not in band D, so it needs no improvement action."
    ),
    "audit.publish_insiders": N_(
        "Only members of the workspace that runs Parley can publish scorecards."
    ),
    "audit.action_no_owner": N_(
        "Only members of the workspace that runs Parley can create improvement actions."
    ),
}
