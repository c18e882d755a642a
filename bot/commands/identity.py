"""Who is asking: placed by Slack's own record of them, decided here once, failing closed.

Every command, button, form, shortcut and the App Home asks `place()`. Only `users.info`
(through the directory's cache) can make somebody internal: a payload's `team_id` is the
workspace that received the request, and no field a payload may lack decides anything. A
payload's hint that the person is of another team narrows the answer at once (no Web API
call); it never widens it. Somebody Slack cannot place is an outsider, and so is everybody
when Slack cannot answer at all: the request is refused with "try again", never let through.

What an outsider may do is the same wherever they are (their shared channel, a DM with
Parley, any other channel): reply in threads and press the buttons addressed to their own
party (`OUTSIDER_ACTIONS`). The middleware here refuses every other interaction; commands
refuse in their own flow (`bot/commands/router.py`), with the command's own words.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.commands import (
    render_agreements,
    render_audit_publish,
    render_complaints,
    render_survey_cases,
    render_surveys,
)
from bot.commands.blocks import error, section
from bot.commands.common import workspace_of
from bot.commands.deps import Deps
from bot.commands.directory import Directory, UnknownUser
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.parties import Person

log = logging.getLogger(__name__)


class Standing(enum.Enum):
    INTERNAL = "internal"  # a member of the workspace that runs Parley
    OUTSIDER = "outsider"  # of another Slack team (a party's person)
    UNKNOWN = "unknown"  # Slack could not say who this is: an outsider for every purpose


@dataclass(frozen=True)
class Caller:
    """The person behind a request, as Slack's record places them."""

    user_id: str
    standing: Standing
    person: Person | None = None

    @property
    def internal(self) -> bool:
        return self.standing is Standing.INTERNAL


class SlackTrouble(Exception):
    """Slack could not say who somebody is (rate limits or errors beyond the retry budget)."""


async def place(
    directory: Directory, user_id: str, workspace_id: str, *, hint_team: str | None = None
) -> Caller:
    """Who `user_id` is for the workspace `workspace_id`.

    `hint_team` is a team id the payload carried for the person (`user.team_id` of an
    interaction, `user_team` of an event): when it is another team, the person is an outsider
    without asking Slack. Internal is only ever Slack's answer. Raises SlackTrouble when Slack
    keeps failing (the request is refused, nothing changes)."""
    if not user_id or not workspace_id:
        return Caller(user_id, Standing.UNKNOWN)
    if hint_team and hint_team != workspace_id:
        return Caller(user_id, Standing.OUTSIDER)
    try:
        person = await directory.person(user_id)
    except UnknownUser:
        log.info("users.info cannot place %s: treated as an outsider", user_id)
        return Caller(user_id, Standing.UNKNOWN)
    except SlackApiError as exc:
        log.warning("users.info failed for %s (%s)", user_id, exc.response.get("error"))
        raise SlackTrouble(user_id) from None
    if not person.team_id:
        return Caller(user_id, Standing.UNKNOWN, person)
    internal = person.team_id == workspace_id and not person.is_bot
    return Caller(user_id, Standing.INTERNAL if internal else Standing.OUTSIDER, person)


# Buttons an outsider may press: the workflow behind each checks that the record is
# addressed to the presser's own party, and tells them nothing of anybody else's.
OUTSIDER_ACTIONS = frozenset(
    {
        render_agreements.ACKNOWLEDGE_BUTTON,
        render_complaints.YES_BUTTON,
        render_complaints.NO_BUTTON,
        *render_survey_cases.RATING_BUTTONS,
        render_survey_cases.COMMENT_BUTTON,
        render_surveys.ANSWER_BUTTON,
        render_audit_publish.COMMENT_BUTTON,
        render_audit_publish.APPEAL_BUTTON,
    }
)
# Forms an outsider may submit, opened by one of those buttons; the workflow behind each checks
# the person by Slack's record as the button's did.
OUTSIDER_VIEWS = frozenset(
    {
        render_survey_cases.COMMENT_MODAL,
        render_surveys.FORM_MODAL,
        render_audit_publish.COMMENT_MODAL,
        render_audit_publish.APPEAL_MODAL,
    }
)

OUTSIDER_REFUSAL = N_(
    "Only members of the workspace that runs Parley can do that. "
    "To answer a dispute or a review, reply in its thread."
)
SLACK_TROUBLE = N_(
    "Slack is having trouble answering me right now, so nothing was changed. "
    "Please try again in a minute."
)


def _user_of(body: dict[str, Any]) -> tuple[str, str | None]:
    """(user id, the team the payload says they are of) of a command or an interaction."""
    if "command" in body:  # slash commands: `team_id` is the receiving workspace, no hint
        return str(body.get("user_id") or ""), None
    user = body.get("user")
    if isinstance(user, dict):
        team = user.get("team_id")
        return str(user.get("id") or ""), str(team) if isinstance(team, str) else None
    return "", None


def _action_ids(body: dict[str, Any]) -> list[str]:
    actions = body.get("actions")
    if not isinstance(actions, list):
        return []
    return [str(a.get("action_id") or "") for a in actions if isinstance(a, dict)]


# An interaction's person must be placed before its listener runs (the gate is here), and
# Slack gives up on an answer after 3 s: beyond this, the interaction is refused with "try
# again" (the lookup goes on, so the next try finds the person cached).
INTERACTION_WAIT_SECONDS = 2.0


class CallerLookup:
    """Placing one request's person, started at once and awaited where the answer is needed.

    A slash command awaits it in its listener (`router.slash_command`), where the "I'm on
    it" deadline covers a slow Slack; an interaction is gated on it here."""

    def __init__(self, work: Awaitable[Caller]) -> None:
        self._task: asyncio.Task[Caller] = asyncio.ensure_future(work)
        self._task.add_done_callback(_consume)

    async def get(self) -> Caller:
        """The caller; raises SlackTrouble when Slack could not say."""
        return await asyncio.shield(self._task)

    def placed(self) -> Caller | None:
        """The caller if placed already, without waiting; None while Slack is still asked
        (or could not say)."""
        if not self._task.done() or self._task.cancelled() or self._task.exception():
            return None
        return self._task.result()


def _consume(task: asyncio.Task[Caller]) -> None:
    if not task.cancelled():
        task.exception()  # looked at, so a lookup nobody awaited logs no "never retrieved"


async def place_caller(
    body: dict[str, Any],
    context: AsyncBoltContext,
    next: Callable[[], Awaitable[BoltResponse | None]],
) -> BoltResponse | None:
    """Place the person behind every command and interaction (`context["caller"]`), and
    refuse an outsider every interaction that is not addressed to them.

    Events are left alone: nothing between an event and its ack waits on Slack (thread
    capture places a reply's author from what the event carries, and enriches it after)."""
    deps: Deps | None = context.get("deps")
    if deps is None or body.get("type") == "event_callback":
        return await next()
    user_id, hint = _user_of(body)
    if not user_id:
        return await next()  # nothing Parley serves comes without a person
    lookup = CallerLookup(place(deps.directory, user_id, workspace_of(context), hint_team=hint))
    context["caller"] = lookup
    if "command" in body:  # commands wait in their listener and refuse in their own words
        return await next()
    try:
        caller = await asyncio.wait_for(lookup.get(), INTERACTION_WAIT_SECONDS)
    except (SlackTrouble, TimeoutError):  # not placed: in their language if seen before
        return await _refuse(deps, body, context, _language(deps, user_id), SLACK_TROUBLE)
    if caller.internal:
        return await next()
    kind = body.get("type")
    actions = _action_ids(body)
    if kind == "block_actions" and actions and all(a in OUTSIDER_ACTIONS for a in actions):
        return await next()
    if kind == "view_closed":
        return await next()
    view = body.get("view")
    callback = view.get("callback_id") if isinstance(view, dict) else None
    if kind == "view_submission" and callback in OUTSIDER_VIEWS:
        return await next()
    log.info("refused an outsider's %s", kind)
    return await _refuse(deps, body, context, _language(deps, user_id, caller), OUTSIDER_REFUSAL)


def _language(deps: Deps, user_id: str, caller: Caller | None = None) -> Language:
    """The language of somebody refused: Slack's record of them if placed, else what the
    directory knows of them already (a payload's team hint places without asking Slack),
    else the default. Never waits on Slack."""
    person = caller.person if caller is not None else None
    person = person or deps.directory.known(user_id)
    return deps.languages.of(person.locale if person is not None else None)


async def _refuse(
    deps: Deps,
    body: dict[str, Any],
    context: AsyncBoltContext,
    language: Language,
    msgid: str,
) -> BoltResponse:
    """Answer the person in their language, change nothing. A form is replaced by the refusal
    (it has no response_url); a button or a shortcut answers ephemerally where it was pressed."""
    message = language._(msgid)
    kind = body.get("type")
    if kind == "view_submission":
        field = _first_input(body.get("view"))
        if field is not None:  # shown on the form's first field: the form is not lost
            return BoltResponse(
                status=200,
                body={"response_action": "errors", "errors": {field: message[:150]}},
            )
        return BoltResponse(
            status=200,
            body={"response_action": "update", "view": refusal_view(message, language)},
        )
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    if "command" in body:
        text, blocks = error(message)
        return BoltResponse(
            status=200, body={"response_type": "ephemeral", "text": text, "blocks": blocks}
        )
    respond = context.respond
    if respond is not None and respond.response_url:
        # Told after the ack, through the response_url: Slack is answered first.
        deps.runtime.handlers.after_ack(_tell(respond, message))
    return BoltResponse(status=200, body="")


async def _tell(respond: Any, message: str) -> None:
    text, blocks = error(message)
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def _first_input(view: Any) -> str | None:
    blocks = view.get("blocks") if isinstance(view, dict) else None
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def refusal_view(message: str, language: Language) -> dict[str, Any]:
    """A modal that only says `message` (already in `language`)."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Parley"},
        "close": {"type": "plain_text", "text": language._("Close")},
        "blocks": [section(message)],
    }


def placed_caller(context: AsyncBoltContext) -> Caller | None:
    """The person behind this request if `place_caller` has placed them already; None while
    Slack is still being asked, when it could not say, or when nobody was placed."""
    found = context.get("caller")
    return found.placed() if isinstance(found, CallerLookup) else None


async def caller_of(context: AsyncBoltContext) -> Caller:
    """The person `place_caller` placed for this request; an unknown one (an outsider) if
    it placed nobody. Raises SlackTrouble when Slack could not say."""
    found = context.get("caller")
    if isinstance(found, CallerLookup):
        return await found.get()
    return Caller(str(context.user_id or ""), Standing.UNKNOWN)
