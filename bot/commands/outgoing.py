"""The one door every message to Slack goes through, with the isolation rule at the door.

A message for a shared (Slack Connect) channel may only carry what concerns the parties of
that channel: no internal material, no dispute that is not theirs, and not the name of any
other party of the disputes it shows. Renderers already show each audience only its own
share; this check is the backstop that refuses to send what would leak, whatever the caller.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import mrkdwn
from bot.commands.blocks import Blocks, error
from bot.commands.bolt_internals import SignalledAck, set_ack_response
from bot.commands.common import Ack, workspace_of
from bot.commands.deps import Deps
from bot.commands.readers import caller_language, caller_language_now
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain import names
from bot.domain.disputes import Dispute
from bot.domain.names import Searchable
from bot.domain.parties import Audience, Party
from bot.workflows.parties import known_parties

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class About:
    """Whose business a message carries."""

    disputes: Sequence[Dispute] = ()
    parties: Sequence[Party] = ()
    internal: bool = False


NOTHING = About()
REFUSED_HERE = N_(
    "I can't show that in this channel: it concerns others. Ask me in an internal channel."
)


class Leak(Exception):
    """A message that must not reach the channel it was meant for."""


def _strings(value: object) -> Iterator[str]:
    """Every text of a message's blocks (what people read; JSON's quoting and keys left out)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _searchable(text: str, blocks: Blocks) -> Searchable:
    return Searchable("\n".join([text, *_strings(blocks)]))


def check(
    audience: Audience,
    text: str,
    blocks: Blocks,
    about: About,
    content: Searchable | None = None,
) -> None:
    """Raise Leak if the message would tell this audience what is not theirs."""
    if audience.internal:
        return
    if about.internal:
        raise Leak("internal material")
    foreign: set[str] = set()
    for party in about.parties:
        if party.slack_team not in audience.team_ids:
            raise Leak(f"party {party.id} is not in this channel")
    for dispute in about.disputes:
        if not dispute.concerns(audience):
            raise Leak(f"{dispute.ref} concerns none of this channel's parties")
        foreign |= {p.name for p in dispute.parties if p.slack_team not in audience.team_ids}
    if foreign:
        content = content or _searchable(text, blocks)
        if any(names.pattern(name).found_in(content) for name in foreign):
            raise Leak("the name of another party")


def check_names(
    audience: Audience,
    text: str,
    blocks: Blocks,
    known: Sequence[Party],
    typed: str = "",
    content: Searchable | None = None,
) -> None:
    """The content backstop: no known party outside the audience is named, unless the person
    typed that name themselves (an answer may echo what was asked).

    Names are found as people read them (`bot/domain/names.py`): in any case or width,
    spelt with lookalike letters, and inside Chinese text, which has no spaces between words.
    """
    if audience.internal:
        return
    content = content or _searchable(text, blocks)
    echo = Searchable(typed) if typed else None
    for party in known:
        if party.slack_team in audience.team_ids:
            continue
        found = names.pattern(party.name)
        if echo is not None and found.found_in(echo):
            continue
        if found.found_in(content):
            raise Leak("the name of a party that is not in this channel")


async def _allowed(
    deps: Deps,
    channel: str,
    workspace_id: str,
    text: str,
    blocks: Blocks,
    about: About,
    typed: str = "",
) -> bool:
    try:
        audience = await deps.directory.audience(channel, workspace_id)
    except SlackApiError:
        # Slack cannot say who reads this channel right now: assume the strictest audience.
        audience = Audience.shared(frozenset(), channel)
    if audience.internal:
        return True
    try:
        content = _searchable(text, blocks)
        check(audience, text, blocks, about, content)
        known = await known_parties(deps.store, workspace_id=workspace_id)
        check_names(audience, text, blocks, known, typed, content)
    except Leak as exc:
        log.error("isolation: refused a message for %s (%s)", channel, exc)
        return False
    return True


Check = Callable[[Any, Any], Awaitable[bool]]


@dataclass(frozen=True)
class Reader:
    """The language of the person an answer is for: `now()` as far as it is known this
    instant (the "I'm on it" timer cannot wait for a slow Slack to place them), `language()`
    once they are placed."""

    now: Callable[[], Language]
    language: Callable[[], Awaitable[Language]]

    async def refusal(self) -> tuple[str, Blocks]:
        return error((await self.language())._(REFUSED_HERE))


# Slack gives up after 3 s; answer before that even when Slack's own API is slow to help us.
ACK_DEADLINE_SECONDS = 2.0
STILL_WORKING = N_(
    ":hourglass_flowing_sand: Slack is slow to answer me right now; I'm on it and will reply here."
)


class GuardedAck(SignalledAck):
    """Bolt's ack, with the door in front (Bolt reads `.response` off the ack it handed out).

    With a response_url to fall back on, it also keeps Slack's 3-second promise: if the
    handler has not answered by the deadline (a slow Web API before the ack), a short
    "I'm on it" goes out, and the handler's real answer follows through the response_url.
    """

    def __init__(
        self,
        passes: Check,
        reader: Reader,
        respond: AsyncRespond | None = None,
        deadline: float | None = None,
    ) -> None:
        super().__init__()
        self._passes = passes
        self.reader = reader
        self._respond = respond
        self._late = False
        self._timer: asyncio.TimerHandle | None = None
        if respond is not None and deadline is not None:
            self._timer = asyncio.get_running_loop().call_later(deadline, self._on_deadline)

    def _on_deadline(self) -> None:
        if self.response is None:
            self._late = True
            log.warning(
                "no answer within %.1f s: acknowledged first, answering later", ACK_DEADLINE_SECONDS
            )
            still = self.reader.now()._(STILL_WORKING)
            set_ack_response(self, still, response_type="ephemeral")

    async def __call__(  # type: ignore[override]
        self, text: Any = "", blocks: Any = None, **kwargs: Any
    ) -> BoltResponse:
        if self._timer is not None:
            self._timer.cancel()
        if not await self._passes(text, blocks):
            text, blocks = await self.reader.refusal()
        text, blocks = mrkdwn.text_of(text), mrkdwn.blocks_of(blocks)
        if "errors" in kwargs:
            kwargs["errors"] = mrkdwn.errors_of(kwargs["errors"])
        if self._late and self._respond is not None:
            assert self.response is not None
            if text or blocks:
                await self._respond(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=True
                )
            return self.response
        return await super().__call__(text, blocks, **kwargs)


class GuardedRespond(AsyncRespond):
    """Bolt's response_url sender, with the door in front."""

    def __init__(self, passes: Check, reader: Reader, inner: AsyncRespond) -> None:
        super().__init__(response_url=inner.response_url, proxy=inner.proxy, ssl=inner.ssl)
        self._passes = passes
        self._reader = reader

    async def __call__(  # type: ignore[override]
        self, text: Any = "", blocks: Any = None, **kwargs: Any
    ) -> Any:
        if not await self._passes(text, blocks):
            text, blocks = await self._reader.refusal()
        text, blocks = mrkdwn.text_of(text), mrkdwn.blocks_of(blocks)
        return await super().__call__(text, blocks, **kwargs)


def _channel_of(body: dict[str, Any]) -> str | None:
    channel = (
        body.get("channel_id")
        or body.get("channel")
        or (body.get("container") or {}).get("channel_id")
    )
    if isinstance(channel, dict):
        channel = channel.get("id")
    return channel if isinstance(channel, str) and channel else None


async def guard_answers(
    body: dict[str, Any],
    context: AsyncBoltContext,
    next: Callable[[], Awaitable[BoltResponse | None]],
) -> BoltResponse | None:
    """Every acknowledgement and response_url answer goes through the door as well."""
    channel = _channel_of(body) if body.get("type") != "event_callback" else None
    deps: Deps | None = context.get("deps")
    if channel is None or deps is None:
        return await next()
    workspace_id = workspace_of(context)
    typed = str(body.get("text") or "")

    async def passes(text: Any, blocks: Any) -> bool:
        if isinstance(text, dict) or not (text or blocks):
            return True  # a whole payload (modal errors, options) is for the person, not a channel
        return await _allowed(
            deps, channel, workspace_id, str(text), list(blocks or []), NOTHING, typed
        )

    async def language() -> Language:
        return await caller_language(deps, context)

    reader = Reader(now=lambda: caller_language_now(deps, context), language=language)
    guarded_respond = None
    if context.respond is not None:
        guarded_respond = GuardedRespond(passes, reader, context.respond)
        context["respond"] = guarded_respond
    context["ack"] = GuardedAck(passes, reader, guarded_respond, ACK_DEADLINE_SECONDS)
    return await next()


async def post(
    deps: Deps,
    client: AsyncWebClient,
    *,
    channel: str,
    workspace_id: str,
    text: str,
    blocks: Blocks,
    about: About,
    thread_ts: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> str | None:
    """chat.postMessage through the door; the new message's ts, or None if refused."""
    if not await _allowed(deps, channel, workspace_id, text, blocks, about):
        return None
    extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
    if metadata is not None:
        extra["metadata"] = metadata
    posted = await client.chat_postMessage(
        channel=channel,
        text=mrkdwn.text_of(text),
        blocks=mrkdwn.blocks_of(blocks),
        unfurl_links=False,
        **extra,
    )
    return str(posted["ts"])


async def update(
    deps: Deps,
    client: AsyncWebClient,
    *,
    channel: str,
    ts: str,
    workspace_id: str,
    text: str,
    blocks: Blocks,
    about: About,
) -> bool:
    """chat.update through the door; False if refused."""
    if not await _allowed(deps, channel, workspace_id, text, blocks, about):
        return False
    await client.chat_update(
        channel=channel, ts=ts, text=mrkdwn.text_of(text), blocks=mrkdwn.blocks_of(blocks)
    )
    return True


async def answer(
    deps: Deps,
    ack: Ack,
    *,
    channel: str,
    workspace_id: str,
    text: str,
    blocks: Blocks,
    about: About = NOTHING,
) -> None:
    """The ephemeral answer to a command, through the door (a refusal answers that instead,
    in the language of the person who asked)."""
    if not await _allowed(deps, channel, workspace_id, text, blocks, about):
        if isinstance(ack, GuardedAck):
            text, blocks = await ack.reader.refusal()
        else:
            text, blocks = error(deps.languages.default._(REFUSED_HERE))
    await ack(text=text, blocks=blocks, response_type="ephemeral")


async def may_upload(
    deps: Deps, *, channel: str, workspace_id: str, comment: str, about: About
) -> bool:
    """May a file go to this channel? Like a post, a file declares whose business it carries;
    the door cannot read a file, so what it declares is all it judges by: an internal file
    (a dispute's dossier) never reaches a shared channel or an outsider's DM."""
    return await _allowed(deps, channel, workspace_id, comment, [], about)
