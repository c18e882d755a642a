"""What a deliverer of the outbox sends with: one post (or edits) for one notice, exactly once;
and how a topic lists its deliverers, each by the notice model it delivers.

Every post carries the notice's outbox id in Slack's message metadata. When a try's outcome
is unknown (the process died, or the request timed out after it left), the next try first
looks for a message with that id in the channel or thread, and takes it instead of posting
the message a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import outgoing
from bot.commands.blocks import Blocks
from bot.commands.deps import Deps
from bot.domain.notices import Notice
from bot.store.outbox import OutboxRow

log = logging.getLogger(__name__)

METADATA_EVENT = "parley_outbox"
# Slack's ts and our clock may differ a little: look a bit before the first try.
LOOKBACK = timedelta(seconds=30)


class Undeliverable(Exception):
    """The notice can never be delivered as it is (the door refused it, Slack said no)."""


class NothingToSend(Exception):
    """The notice has nothing left to say (no thread to post in, the record is gone)."""


@dataclass
class Sender:
    deps: Deps
    client: AsyncWebClient
    item: OutboxRow
    channel: str | None = None
    ts: str | None = None

    def _metadata(self) -> dict[str, Any]:
        return {"event_type": METADATA_EVENT, "event_payload": {"outbox_id": self.item.id}}

    async def post(
        self,
        *,
        channel: str,
        text: str,
        blocks: Blocks,
        about: outgoing.About,
        thread_ts: str | None = None,
    ) -> str:
        """chat.postMessage through the door, once; the message's ts."""
        if self.ts is not None:
            raise AssertionError("one notice posts one message")
        found = await self._already_posted(channel, thread_ts) if self.item.in_doubt else None
        if found is not None:
            log.info("outbox %d was posted before the last stop; not posting again", self.item.id)
            ts = found
        else:
            posted = await outgoing.post(
                self.deps,
                self.client,
                channel=channel,
                workspace_id=self.item.workspace_id,
                text=text,
                blocks=blocks,
                about=about,
                thread_ts=thread_ts,
                metadata=self._metadata(),
            )
            if posted is None:
                raise Undeliverable("isolation")
            ts = posted
        self.channel, self.ts = channel, ts
        return ts

    async def update(
        self, *, channel: str, ts: str, text: str, blocks: Blocks, about: outgoing.About
    ) -> None:
        """chat.update through the door: showing the current state again is harmless."""
        if not await outgoing.update(
            self.deps,
            self.client,
            channel=channel,
            ts=ts,
            workspace_id=self.item.workspace_id,
            text=text,
            blocks=blocks,
            about=about,
        ):
            raise Undeliverable("isolation")
        self.channel, self.ts = channel, ts

    async def dm(self, user_id: str) -> str:
        """The direct-message channel with a person (conversations.open is idempotent)."""
        opened = await self.client.conversations_open(users=user_id)
        return str(opened["channel"]["id"])

    async def _already_posted(self, channel: str, thread_ts: str | None) -> str | None:
        """The ts of this notice's message if an earlier try got it to Slack, else None."""
        since = (self.item.first_attempt_at or self.item.created_at) - LOOKBACK
        args: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{since.timestamp():.6f}",
            "include_all_metadata": True,
            "limit": 200,
        }
        try:
            if thread_ts:
                found = await self.client.conversations_replies(ts=thread_ts, **args)
            else:
                found = await self.client.conversations_history(**args)
        except SlackApiError as exc:
            # Cannot tell: posting again risks a duplicate, not posting risks a loss.
            log.warning(
                "outbox %d: could not check for an earlier post (%s); posting",
                self.item.id,
                exc.response.get("error"),
            )
            return None
        for message in found.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and payload.get("outbox_id") == self.item.id
            ):
                return str(message["ts"])
        return None


N = TypeVar("N", bound=Notice)
# A deliverer of one kind of notice: it reads the records as they are now, renders them and
# sends one message (or edits) through the Sender.
Deliverer = Callable[[Sender, N], Awaitable[None]]


class Deliverers:
    """One topic's deliverers (`DELIVERERS` of its bot/commands/deliver_<topic>.py), each
    registered by the type of the notice it delivers:

        @DELIVERERS.of(DisputeCard)
        async def card(send: Sender, notice: DisputeCard) -> None: ...
    """

    def __init__(self) -> None:
        self._by_model: dict[type[Notice], Deliverer[Any]] = {}

    def of(self, model: type[N]) -> Callable[[Deliverer[N]], Deliverer[N]]:
        def register(deliverer: Deliverer[N]) -> Deliverer[N]:
            if model in self._by_model:
                raise TypeError(f"{model.__name__} has a deliverer already")
            self._by_model[model] = deliverer
            return deliverer

        return register

    def __iter__(self) -> Iterator[type[Notice]]:
        return iter(self._by_model)

    def __getitem__(self, model: type[Notice]) -> Deliverer[Any]:
        return self._by_model[model]
