"""The flow every slash command shares: usage, who may use it, one subcommand, clear errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.blocks import Blocks, error
from bot.commands.common import Ack, answer, workspace_of
from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.identity import SLACK_TROUBLE, SlackTrouble, caller_of
from bot.commands.parsing import names_text, split_subcommand
from bot.commands.readers import caller_language, person_language
from bot.commands.words import say
from bot.commands.words.language import Language
from bot.domain.errors import DomainError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invocation:
    """One run of a subcommand: who asked, where, with what text."""

    deps: Deps
    ack: Ack
    respond: AsyncRespond
    client: AsyncWebClient
    workspace_id: str
    user_id: str
    channel_id: str
    args: str
    trigger_id: str
    language: Language  # the caller's (bot/commands/readers.py): what they are answered in


Subcommand = Callable[[Invocation], Awaitable[None]]
Usage = Callable[[Language, str | None], tuple[str, Blocks]]
# The usage an internal caller gets, which may show what is set up for them (/digest's
# subscriptions): the invocation (args empty) and the problem, if any, to show above it.
InternalUsage = Callable[[Invocation, str | None], Awaitable[tuple[str, Blocks]]]


@dataclass(frozen=True)
class SlashCommand:
    """A slash command: its subcommands, its usage, and what to tell those who may not use it."""

    name: str
    subcommands: Mapping[str, Subcommand]
    usage: Usage
    outsiders: str  # the polite refusal for Slack Connect users: an N_-marked msgid
    # How to mention people right, for "I can't find @x"; None for a command that takes
    # nobody's name (an UnknownUser there is not the caller's typing, so it is not answered).
    mention_example: str | None
    # When set, the caller is placed before the usage is shown: insiders get this one,
    # everybody else `usage`.
    internal_usage: InternalUsage | None = None
    # Run with the whole text when it starts with no subcommand (`/praise @sam …`); None
    # for a command whose every use names a subcommand.
    default: Subcommand | None = None


def slash_command(spec: SlashCommand) -> Callable[..., Awaitable[None]]:
    """The Bolt listener for `spec`: the same checks and answers for every command."""

    async def listener(
        ack: Ack,
        command: dict[str, Any],
        context: AsyncBoltContext,
        deps: Deps,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        sub, args = split_subcommand(command.get("text") or "")
        run = spec.subcommands.get(sub)
        if run is None and spec.default is not None and sub not in ("", "help"):
            run, args = spec.default, str(command.get("text") or "").strip()
        if run is None and spec.internal_usage is None:
            language = await caller_language(deps, context)
            await answer(ack, *spec.usage(language, _problem(spec, sub, language)))
            return
        workspace_id = workspace_of(context)
        try:  # placed by Slack's record (bot/commands/identity.py), never by the payload
            caller = await caller_of(context)
        except SlackTrouble:
            await answer(ack, *error(deps.languages.default._(SLACK_TROUBLE)))
            return
        language = person_language(deps, caller.person)
        problem = _problem(spec, sub, language) if run is None else None
        call = Invocation(
            deps=deps,
            ack=ack,
            respond=respond,
            client=client,
            workspace_id=workspace_id,
            user_id=str(command["user_id"]),
            channel_id=str(command["channel_id"]),
            args=args if run is not None else "",
            trigger_id=str(command.get("trigger_id") or ""),
            language=language,
        )
        if run is None:
            assert spec.internal_usage is not None
            if caller.internal:
                await answer(ack, *await spec.internal_usage(call, problem))
            else:
                await answer(ack, *spec.usage(language, problem))
            return
        if not caller.internal:
            await answer(ack, *error(language._(spec.outsiders)))
            return
        try:
            await run(call)
        except DomainError as exc:
            await answer(ack, *error(say(exc, call.language)))
        except UnknownUser as exc:
            if spec.mention_example is None:
                raise
            unknown = language._(
                "I can't find {ref} in Slack. Mention people with @ and "
                "pick them from Slack's list, e.g. {example}."
            )
            example = call.language._(spec.mention_example)
            await answer(ack, *error(unknown.format(ref=exc.ref, example=example)))
        except SlackApiError as exc:
            log.warning("%s %s: Slack failed us (%s)", spec.name, sub, exc.response.get("error"))
            await answer(ack, *error(language._(SLACK_TROUBLE)))

    return listener


def _problem(spec: SlashCommand, sub: str, language: Language) -> str | None:
    """What is wrong with the subcommand typed, shown above the usage; None for none or help."""
    if sub in ("", "help"):
        return None
    if spec.name[1:2] in ("a", "e", "i", "o", "u"):
        problem = language._("`{sub}` is not an {command} subcommand.")
    else:
        problem = language._("`{sub}` is not a {command} subcommand.")
    return problem.format(sub=names_text(sub[:40]), command=spec.name)
