"""Whose language a message is in: who reads it decides.

An answer one person sees (an ephemeral answer, a DM, a form, the Home) is in that person's
Slack locale (`users.info` with `include_locale`, cached with the person); a post in a channel
is in the channel's language: the `locale` agreed with the party whose shared channel it is,
else `[i18n] locale`. A card edited in place is rendered for its channel again, so it keeps
the channel's language.
"""

from __future__ import annotations

from slack_bolt.context.async_context import AsyncBoltContext

from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.identity import SlackTrouble, caller_of, placed_caller
from bot.commands.words.language import Language
from bot.domain.parties import Person
from bot.workflows import parties


def person_language(deps: Deps, person: Person | None) -> Language:
    """The language of one person: their Slack locale; the default when Slack gave none."""
    return deps.languages.of(person.locale if person is not None else None)


async def user_language(deps: Deps, user_id: str) -> Language:
    """The language of a person known only by id (a DM's reader): the default when Slack
    does not know them (any other failure of Slack's is raised, so a delivery is retried)."""
    try:
        return person_language(deps, await deps.directory.person(user_id))
    except UnknownUser:
        return deps.languages.default


async def caller_language(deps: Deps, context: AsyncBoltContext) -> Language:
    """The language of the person behind this request, as the identity gate placed them
    (an unknown person, or Slack unable to say: the default)."""
    try:
        caller = await caller_of(context)
    except SlackTrouble:
        return deps.languages.default
    return person_language(deps, caller.person)


def caller_language_now(deps: Deps, context: AsyncBoltContext) -> Language:
    """The language of the person behind this request as far as it is known this instant,
    without waiting on Slack: theirs once placed, the default until then."""
    caller = placed_caller(context)
    return person_language(deps, caller.person if caller is not None else None)


async def channel_language(deps: Deps, channel_id: str, workspace_id: str) -> Language:
    """The language of posts in a channel: a DM its person's, a shared channel its party's
    agreed `locale`, any other the config's `[i18n] locale`."""
    channel = await deps.directory.channel(channel_id)
    if channel is not None and channel.is_im and channel.im_user is not None:
        return await user_language(deps, channel.im_user)
    audience = await deps.directory.audience(channel_id, workspace_id)
    if audience.internal:
        return deps.languages.default
    locale = await parties.locale_for_teams(
        deps.store, workspace_id=workspace_id, team_ids=audience.team_ids, config=deps.config
    )
    return deps.languages.of(locale)
