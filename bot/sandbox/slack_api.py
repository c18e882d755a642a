"""``SlackStandIn``: a local HTTP server that answers Slack Web API calls like Slack does.

Point ``AsyncWebClient(base_url=slack.api_url)`` (or a Bolt app's client) at it.  It serves
the fictional workspace from ``workspace.py``, keeps the messages and views the bot creates,
records every call, and reports anything Slack would reject in ``violations``:

* calls to methods Slack does not have, or without a required argument (per Slack's spec);
* Block Kit that does not parse or breaks Slack's limits (``invalid_blocks``);
* messages with blocks but no fallback ``text``.

It also serves ``response_url`` endpoints (``/response/<id>``) with Slack's five-use limit,
issues ``trigger_id`` values that ``views.open`` accepts once, and can inject faults
(latency, HTTP 5xx, 429 with ``Retry-After``) for reliability tests.

Socket Mode: ``apps.connections.open`` (with the app-level token ``app_token``) hands out a
websocket URL on the same server (``socket_mode.py``); ``socket_send`` pushes an envelope to
the connected app and returns its ack.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.clock import Clock
from bot.sandbox import spec
from bot.sandbox.blockcheck import MAX_MESSAGE_TEXT, check_message_blocks, check_view
from bot.sandbox.files import FileError, SandboxFiles, UploadedFile
from bot.sandbox.limits import Limits
from bot.sandbox.socket_mode import ACK_TIMEOUT_SECONDS, SocketModeServer
from bot.sandbox.workspace import Channel, User, Workspace, default_workspace

DEFAULT_BOT_TOKEN = "xoxb-sandbox-token"
DEFAULT_APP_TOKEN = "xapp-sandbox-token"
TRIGGER_TTL_SECONDS = 3.0  # Slack: a trigger_id expires three seconds after it is issued
RESPONSE_URL_MAX_USES = 5  # Slack: a response_url can be used five times ...
RESPONSE_URL_TTL_SECONDS = 30 * 60  # ... within thirty minutes
VIEW_STACK_LIMIT = 3  # Slack: at most three views in a modal stack

# Arguments Slack takes as JSON-encoded strings in form posts.
JSON_ARGUMENTS = frozenset(
    {"blocks", "attachments", "view", "metadata", "unfurls", "prefs", "files"}
)
# Methods that do not need a token.
NO_AUTH_METHODS = frozenset({"api.test", "oauth.access", "oauth.token", "oauth.v2.access"})

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


# --- records ---------------------------------------------------------------------------


@dataclass
class RecordedCall:
    """One request the stand-in received (Web API method or ``response_url``)."""

    method: str
    args: dict[str, Any]
    at: float
    faulted: bool = False
    status: int = 200
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        if self.response is None:
            return None
        error = self.response.get("error")
        return error if isinstance(error, str) else None


@dataclass
class MessageVersion:
    """An earlier version of an edited message."""

    text: str
    blocks: list[dict[str, Any]] | None
    replaced_at: float


@dataclass
class StoredMessage:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    parent_user_id: str | None = None
    bot_id: str | None = None
    team: str = ""
    app_id: str | None = None
    client_msg_id: str | None = None
    metadata: dict[str, Any] | None = None
    ephemeral_to: str | None = None
    edited_ts: str | None = None
    edited_by: str | None = None
    deleted: bool = False
    history: list[MessageVersion] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    reply_users: list[str] = field(default_factory=list)
    reactions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_bot(self) -> bool:
        return self.bot_id is not None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def is_ephemeral(self) -> bool:
        return self.ephemeral_to is not None

    def to_api(self) -> dict[str, Any]:
        """The message object Slack returns (``chat.postMessage``'s ``message``, events...)."""
        data: dict[str, Any] = {"type": "message", "user": self.user, "text": self.text}
        if self.bot_id is not None:
            data["bot_id"] = self.bot_id
            data["app_id"] = self.app_id
            data["bot_profile"] = {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": "Parley",
                "deleted": False,
                "team_id": self.team,
            }
        if self.client_msg_id is not None:
            data["client_msg_id"] = self.client_msg_id
        data["ts"] = self.ts
        if self.blocks is not None:
            data["blocks"] = self.blocks
        data["team"] = self.team
        if self.metadata is not None:
            data["metadata"] = self.metadata
        if self.edited_ts is not None:
            data["edited"] = {"user": self.edited_by or self.user, "ts": self.edited_ts}
        if self.thread_ts is not None:
            data["thread_ts"] = self.thread_ts
            if self.parent_user_id is not None and self.is_reply:
                data["parent_user_id"] = self.parent_user_id
        if self.replies:
            data["thread_ts"] = self.ts
            data["reply_count"] = len(self.replies)
            data["reply_users_count"] = len(self.reply_users)
            data["reply_users"] = list(self.reply_users)
            data["latest_reply"] = self.replies[-1]
            data["is_locked"] = False
            data["subscribed"] = False
        if self.reactions:
            data["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in self.reactions.items()
            ]
        return data


@dataclass
class ResponseUrl:
    id: str
    channel: str
    user: str
    message_ts: str | None
    issued_at: float
    uses: int = 0


@dataclass
class _Trigger:
    issued_at: float
    user: str | None
    used: bool = False


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    method: str | None
    after_doing: bool = False
    channel: str | None = None


class SlackError(Exception):
    """Raised by a handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(
        self,
        error: str,
        *,
        violation: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.violation = violation
        self.extra = extra or {}


Handler = Callable[[dict[str, Any], float], dict[str, Any]]


# --- argument helpers ------------------------------------------------------------------


def _str_arg(args: dict[str, Any], name: str) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _bool_arg(args: dict[str, Any], name: str) -> bool:
    value = args.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return isinstance(value, str) and value.lower() in ("true", "1", "yes")


def _int_arg(args: dict[str, Any], name: str, default: int) -> int:
    value = args.get(name)
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    try:
        return int(seconds), int(micros or 0)
    except ValueError:
        return 0, 0


def human_message_blocks(text: str) -> list[dict[str, Any]]:
    """The ``rich_text`` block Slack attaches to a message a person typed."""
    elements: list[dict[str, Any]] = []
    position = 0
    for match in _MENTION.finditer(text):
        if match.start() > position:
            elements.append({"type": "text", "text": text[position : match.start()]})
        elements.append({"type": "user", "user_id": match.group(1)})
        position = match.end()
    if position < len(text):
        elements.append({"type": "text", "text": text[position:]})
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_hex(3),
            "elements": [{"type": "rich_text_section", "elements": elements}],
        }
    ]


# --- the server ------------------------------------------------------------------------


class SlackStandIn:
    """A local Slack Web API for one bot in the fictional Northwind IT workspace."""

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        bot_token: str = DEFAULT_BOT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        trigger_ttl: float | None = TRIGGER_TTL_SECONDS,
        chat_write_public: bool = False,
        app_token: str = DEFAULT_APP_TOKEN,
    ) -> None:
        self.workspace = workspace if workspace is not None else default_workspace()
        self.bot_token = bot_token
        self.app_token = app_token
        self.host = host
        self.clock = clock
        self.trigger_ttl = trigger_ttl
        # With the chat:write.public scope a bot may post to public channels it is not in.
        self.chat_write_public = chat_write_public
        self.delay_seconds: float = 0.0

        self.calls: list[RecordedCall] = []
        self.violations: list[str] = []
        self.unimplemented: set[str] = set()
        self.home_views: dict[str, dict[str, Any]] = {}
        self.open_views: dict[str, dict[str, Any]] = {}
        self.ephemeral: list[StoredMessage] = []
        # People users.info answers user_not_found for, as Slack does for some authors it
        # will not describe (deleted, or of an org that hides its members).
        self.unknown_users: set[str] = set()

        self._port = port
        self._runner: web.AppRunner | None = None
        self._messages: dict[str, dict[str, StoredMessage]] = {}
        self._last_ts_micros = 0
        self._counter = 0
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._faults: list[_Fault] = []
        # Slack's rate limits, kept only when asked (`keep_limits`).
        self.limits: Limits | None = None
        self._view_users: dict[str, str] = {}
        self._view_stacks: dict[str, list[str]] = {}
        self._changed = asyncio.Event()
        # Slack's file upload (files.py): what was uploaded, for tests to read.
        self.uploads = SandboxFiles(
            base_url=lambda: self.base_url,
            writable_channel=self._writable_channel,
            next_ts=self.next_ts,
        )
        self.socket = SocketModeServer(
            app_id=self.workspace.app_id, notify=self._notify, report=self._report_violation
        )
        self._handlers: dict[str, Handler] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "users.conversations": self._users_conversations,
            "team.info": self._team_info,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "conversations.list": self._conversations_list,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files(self.uploads.get_upload_url),
            "files.completeUploadExternal": self._files(self.uploads.complete_upload),
            "files.info": self._files(
                lambda args, arrived: self.uploads.info(args, arrived, self.workspace.channel)
            ),
            "files.upload": self._files_upload,
        }

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{rid}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}/{secret}", self._handle_upload)
        self.socket.add_routes(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self.socket.close_all()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._runner is None:
            raise RuntimeError("SlackStandIn is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """What to pass as ``base_url`` to ``AsyncWebClient`` (ends with a slash)."""
        return f"{self.base_url}/api/"

    # --- time and ids ------------------------------------------------------------------

    def _now(self) -> float:
        return self.clock.now().timestamp() if self.clock is not None else time.time()

    def next_ts(self) -> str:
        """A fresh message timestamp, strictly increasing: ``"1700000000.000100"``."""
        micros = max(int(self._now() * 1_000_000), self._last_ts_micros + 100)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}0{self._counter:08d}"

    def issue_trigger_id(self, user: str | None = None) -> str:
        """A ``trigger_id`` like the ones Slack puts in interactions; valid once."""
        self._counter += 1
        trigger_id = f"{int(time.time())}{self._counter:04d}.1700000000.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = _Trigger(issued_at=time.time(), user=user)
        return trigger_id

    def response_url(self, channel: str, user: str, message_ts: str | None = None) -> str:
        """A ``response_url`` on this server for an interaction in ``channel`` by ``user``.

        ``message_ts`` is the message the interaction came from (for ``replace_original``
        and ``delete_original``).
        """
        rid = f"{self._next_id('R')}-{secrets.token_hex(12)}"
        self._response_urls[rid] = ResponseUrl(
            id=rid, channel=channel, user=user, message_ts=message_ts, issued_at=time.time()
        )
        return f"{self.base_url}/response/{rid}"

    # --- fault injection ---------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        status: int = 500,
        retry_after: int | None = None,
        *,
        method: str | None = None,
        after_doing: bool = False,
        channel: str | None = None,
    ) -> None:
        """Make the next ``n`` API calls (to ``method``, if given) answer HTTP ``status``.

        429 answers carry ``Retry-After`` (``retry_after`` or 1) and Slack's
        ``{"ok": false, "error": "ratelimited"}``.  ``method="response_url"`` targets
        response_url posts, which are otherwise never faulted. With ``after_doing`` the call
        is carried out first and only its answer is lost (Slack posted the message, then the
        reply never arrived): what a crash or a time-out after the request left looks like.
        ``channel`` limits the fault to calls about that channel.
        """
        for _ in range(n):
            self._faults.append(
                _Fault(
                    status=status,
                    retry_after=retry_after,
                    method=method,
                    after_doing=after_doing,
                    channel=channel,
                )
            )

    def rate_limit(self, method: str, times: int, retry_after: int = 1) -> None:
        """``method`` (and only it) answers 429 with ``Retry-After`` the next ``times`` calls."""
        self.fail_next(times, status=429, retry_after=retry_after, method=method)

    def keep_limits(self, scale: float = 1.0) -> Limits:
        """From now on answer 429 as Slack would to calls over its published limits
        (`bot/sandbox/limits.py`), with windows `scale` times shorter than Slack's."""
        self.limits = Limits(scale=scale)
        return self.limits

    def clear_faults(self) -> None:
        """Slack is well again: no more injected failures."""
        self._faults.clear()

    def _take_fault(self, method: str, args: dict[str, Any] | None = None) -> _Fault | None:
        for index, fault in enumerate(self._faults):
            if fault.channel is not None and (args or {}).get("channel") != fault.channel:
                continue
            if fault.method == method or (fault.method is None and method != "response_url"):
                return self._faults.pop(index)
        return None

    def _fault_response(self, fault: _Fault) -> tuple[web.Response, dict[str, Any]]:
        headers: dict[str, str] = {}
        if fault.status == 429:
            body: dict[str, Any] = {"ok": False, "error": "ratelimited"}
            headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
        else:
            body = {"ok": False, "error": "fatal_error" if fault.status >= 500 else "request_error"}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        return web.json_response(body, status=fault.status, headers=headers), body

    # --- recording ---------------------------------------------------------------------

    def _record(self, call: RecordedCall) -> None:
        self.calls.append(call)
        self._changed.set()
        self._changed = asyncio.Event()

    def _report_violation(self, violation: str) -> None:
        self.violations.append(violation)

    def _notify(self) -> None:
        """Wake ``wait_until`` for a change that is not a recorded call (Socket Mode)."""
        self._changed.set()
        self._changed = asyncio.Event()

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def clear_calls(self) -> None:
        self.calls.clear()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline is part of this helper's contract
    ) -> None:
        """Wait until ``predicate()`` holds; re-checked whenever a call is recorded.

        Always yields to the event loop once first, so other tasks (the app's work after
        its ack) get to run even when the predicate already holds.
        """
        await asyncio.sleep(0)
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("condition not met")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 0.05))

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline is part of this helper's contract
    ) -> list[RecordedCall]:
        """Wait until ``count`` calls to ``method`` were recorded; return them."""
        try:
            await self.wait_until(lambda: len(self.calls_to(method)) >= count, timeout)
        except TimeoutError:
            seen = [c.method for c in self.calls]
            raise TimeoutError(
                f"waited {timeout}s for {count} call(s) to {method}, "
                f"got {len(self.calls_to(method))}; calls so far: {seen}"
            ) from None
        return self.calls_to(method)

    # --- Socket Mode -------------------------------------------------------------------

    @property
    def socket_connections(self) -> int:
        """How many websocket connections the app has opened (reconnections included)."""
        return len(self.socket.connections)

    @property
    def open_socket_connections(self) -> int:
        return len(self.socket.open_connections)

    @property
    def socket_acks(self) -> list[dict[str, Any]]:
        """Every ack the app sent: ``{"envelope_id": ..., "payload": {...}}`` (payload optional)."""
        return self.socket.acks

    async def socket_send(
        self,
        payload_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = ACK_TIMEOUT_SECONDS,  # noqa: ASYNC109 - Slack's ack deadline
    ) -> dict[str, Any]:
        """Push a ``slash_commands``/``interactive``/``events_api`` envelope; return the ack."""
        return await self.socket.send(payload_type, payload, timeout=timeout)

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message; the client reconnects through a new URL."""
        await self.socket.disconnect(reason)

    async def wait_for_socket(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline is part of this helper's contract
    ) -> None:
        """Wait until ``count`` connections were opened and one of them is open."""
        try:
            await self.wait_until(
                lambda: self.socket_connections >= count and self.open_socket_connections > 0,
                timeout,
            )
        except TimeoutError:
            raise TimeoutError(
                f"waited {timeout}s for {count} Socket Mode connection(s), "
                f"got {self.socket_connections} ({self.open_socket_connections} open)"
            ) from None

    def _apps_connections_open(self, token: str | None) -> dict[str, Any]:
        """``apps.connections.open``: only an app-level token may open a socket."""
        if token is None:
            raise SlackError("not_authed")
        if token == self.bot_token or token.startswith(("xoxb-", "xoxp-")):
            raise SlackError("not_allowed_token_type")
        if token != self.app_token:
            raise SlackError("invalid_auth")
        return {"ok": True, "url": self.socket.issue_url(self.base_url)}

    # --- files -------------------------------------------------------------------------

    @property
    def files(self) -> dict[str, UploadedFile]:
        """Every file the bot uploaded, by id (bytes, name, title, channel, thread)."""
        return self.uploads.files

    def files_in(self, channel: str) -> list[UploadedFile]:
        """The files shared in a channel (a DM: its ``D…`` id), oldest first."""
        return self.uploads.in_channel(channel)

    @staticmethod
    def _files(handler: Handler) -> Handler:
        def answer(args: dict[str, Any], arrived: float) -> dict[str, Any]:
            try:
                return handler(args, arrived)
            except FileError as err:
                raise SlackError(err.error) from None

        return answer

    def _files_upload(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        """Retired by Slack: apps must use files.getUploadURLExternal and
        files.completeUploadExternal."""
        raise SlackError(
            "method_deprecated", violation="files.upload: retired; use the external upload"
        )

    async def _handle_upload(self, request: web.Request) -> web.Response:
        arrived = time.time()
        response, recorded = await self.uploads.receive(request)
        self._record(
            RecordedCall(
                "upload_url",
                recorded,
                arrived,
                status=response.status,
                response={"ok": response.status == 200},
            )
        )
        return response

    # --- state for tests ---------------------------------------------------------------

    def messages(self, channel: str, *, include_deleted: bool = False) -> list[StoredMessage]:
        """Messages in ``channel`` (top-level and replies), oldest first."""
        stored = self._messages.get(channel, {}).values()
        return sorted(
            (m for m in stored if include_deleted or not m.deleted), key=lambda m: _ts_key(m.ts)
        )

    def message(self, channel: str, ts: str) -> StoredMessage | None:
        return self._messages.get(channel, {}).get(ts)

    def thread(self, channel: str, thread_ts: str) -> list[StoredMessage]:
        """The parent and its replies, oldest first."""
        return [m for m in self.messages(channel) if m.ts == thread_ts or m.thread_ts == thread_ts]

    def show_answer(self, channel_id: str, user_id: str, answer: dict[str, Any]) -> str:
        """Show an acknowledged command's answer (the HTTP response's JSON) as Slack does: an
        ephemeral message to that person in the channel, whose buttons can be pressed. Its ts."""
        channel = self.workspace.channel(channel_id)
        if channel is None:
            raise ValueError(f"no channel {channel_id}")
        message = self._bot_message(channel, answer)
        message.ephemeral_to = user_id
        self.ephemeral.append(message)
        return message.ts

    def ephemeral_messages(
        self, channel: str | None = None, user: str | None = None
    ) -> list[StoredMessage]:
        return [
            m
            for m in self.ephemeral
            if not m.deleted
            and (channel is None or m.channel == channel)
            and (user is None or m.ephemeral_to == user)
        ]

    def bot_messages(self, channel: str) -> list[StoredMessage]:
        return [m for m in self.messages(channel) if m.is_bot]

    def user_info(self, user_id: str) -> User | None:
        return self.workspace.user(user_id)

    def channel_info(self, channel_id: str) -> Channel | None:
        return self.workspace.channel(channel_id)

    # --- putting human activity in -----------------------------------------------------

    def post_human_message(
        self, user: str, channel: str, text: str, thread_ts: str | None = None
    ) -> StoredMessage:
        """Store a message typed by a person (then send the event with ``SlackDriver``)."""
        person = self.workspace.user(user)
        if person is None:
            raise ValueError(f"unknown user {user}")
        target = self._human_channel(channel, user)
        message = StoredMessage(
            channel=target.id,
            ts=self.next_ts(),
            user=user,
            text=text,
            blocks=human_message_blocks(text),
            thread_ts=thread_ts,
            team=person.team_id,
            client_msg_id=str(uuid.uuid4()),
        )
        self._store(message)
        return message

    def edit_human_message(
        self, channel: str, ts: str, text: str
    ) -> tuple[dict[str, Any], StoredMessage]:
        """Edit a person's message; returns (the previous message object, the message)."""
        message = self._existing(channel, ts)
        previous = message.to_api()
        message.history.append(MessageVersion(message.text, message.blocks, self._now()))
        message.text = text
        message.blocks = human_message_blocks(text)
        message.edited_ts = self.next_ts()
        message.edited_by = message.user
        return previous, message

    def delete_human_message(self, channel: str, ts: str) -> StoredMessage:
        message = self._existing(channel, ts)
        message.deleted = True
        return message

    def _existing(self, channel: str, ts: str) -> StoredMessage:
        message = self.message(channel, ts)
        if message is None or message.deleted:
            raise ValueError(f"no message {ts} in {channel}")
        return message

    def _human_channel(self, channel: str, user: str) -> Channel:
        target = self.workspace.channel(channel)
        if target is None and channel.startswith(("U", "W")):
            target = self.workspace.open_dm(channel)
        if target is None:
            raise ValueError(f"unknown channel {channel}")
        if user not in target.members:
            raise ValueError(f"{user} is not a member of {channel}")
        return target

    def _store(self, message: StoredMessage) -> None:
        self._messages.setdefault(message.channel, {})[message.ts] = message
        if message.thread_ts is not None and message.thread_ts != message.ts:
            parent = self.message(message.channel, message.thread_ts)
            if parent is not None:
                message.parent_user_id = parent.user
                parent.replies.append(message.ts)
                if message.user not in parent.reply_users:
                    parent.reply_users.append(message.user)

    # --- HTTP: Web API -----------------------------------------------------------------

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.body_exists:
            return args
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError:
                body = None
            if isinstance(body, dict):
                args.update(body)
            else:
                args["_unparseable_body"] = True
        else:
            form = await request.post()
            for key, value in form.items():
                args[key] = value if isinstance(value, str) else "<file>"
        return args

    @staticmethod
    def _decode_json_args(args: dict[str, Any]) -> list[str]:
        """Decode JSON-string arguments in place; returns the names that were not JSON."""
        bad: list[str] = []
        for name in JSON_ARGUMENTS & args.keys():
            value = args[name]
            if isinstance(value, str) and value.strip():
                try:
                    args[name] = json.loads(value)
                except json.JSONDecodeError:
                    bad.append(name)
        return bad

    def _token_of(self, request: web.Request, args: dict[str, Any]) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ").strip()
        token = args.get("token")
        return token if isinstance(token, str) and token else None

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = time.time()
        method = request.match_info["method"]
        args = await self._read_args(request)
        token = self._token_of(request, args)
        args.pop("token", None)
        bad_json = self._decode_json_args(args)

        if self.delay_seconds > 0:
            await asyncio.sleep(self.delay_seconds)

        fault = self._take_fault(method, args)
        if fault is not None:
            if fault.after_doing:
                with contextlib.suppress(SlackError):
                    self._record(
                        RecordedCall(
                            method,
                            args,
                            arrived,
                            response=self._answer(method, args, token, bad_json, arrived),
                        )
                    )
            response, body = self._fault_response(fault)
            self._record(
                RecordedCall(
                    method, args, arrived, faulted=True, status=fault.status, response=body
                )
            )
            return response

        if self.limits is not None:
            channel = args.get("channel") or args.get("channel_id")
            wait = self.limits.check(method, str(channel) if channel else None, time.monotonic())
            if wait is not None:
                refused: dict[str, Any] = {"ok": False, "error": "ratelimited"}
                self._record(
                    RecordedCall(method, args, arrived, faulted=True, status=429, response=refused)
                )
                return web.json_response(refused, status=429, headers={"Retry-After": str(wait)})

        try:
            body = self._answer(method, args, token, bad_json, arrived)
        except SlackError as err:
            if err.violation is not None:
                self.violations.append(err.violation)
            body = {"ok": False, "error": err.error, **err.extra}
        self._record(RecordedCall(method, args, arrived, response=body))
        return web.json_response(body, headers={"X-Slack-Req-Id": secrets.token_hex(16)})

    def _answer(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        bad_json: list[str],
        arrived: float,
    ) -> dict[str, Any]:
        if method == "apps.connections.open":
            return self._apps_connections_open(token)
        if method not in NO_AUTH_METHODS:
            if token is None:
                raise SlackError("not_authed")
            if token == self.app_token:
                raise SlackError("not_allowed_token_type")  # Slack: app tokens only open sockets
            if token != self.bot_token:
                raise SlackError("invalid_auth")
        problems = spec.check_call(method, args)
        if not spec.is_known(method):
            raise SlackError("unknown_method", violation=problems[0])
        if problems:
            raise SlackError("invalid_arguments", violation="; ".join(problems))
        if bad_json:
            error = "invalid_blocks_format" if "blocks" in bad_json else "invalid_arguments"
            raise SlackError(error, violation=f"{method}: {', '.join(bad_json)} is not valid JSON")
        handler = self._handlers.get(method)
        if handler is None:
            self.unimplemented.add(method)
            return {"ok": True}
        return handler(args, arrived)

    # --- workspace queries -------------------------------------------------------------

    def _user(self, args: dict[str, Any], name: str = "user") -> User:
        user_id = _str_arg(args, name)
        user = self.workspace.user(user_id) if user_id else None
        if user is None or user.id in self.unknown_users:
            raise SlackError("user_not_found")
        return user

    def _channel(self, args: dict[str, Any], name: str = "channel") -> Channel:
        """A channel the bot can see: public ones, and private ones it is a member of."""
        value = _str_arg(args, name)
        if value is None:
            raise SlackError("channel_not_found")
        ws = self.workspace
        channel = ws.channel(value)
        if channel is None and value.startswith(("U", "W")) and ws.user(value) is not None:
            channel = ws.open_dm(value)  # posting to a user id goes to the app's DM with them
        if channel is None and value.startswith("D") and ws.user("U" + value[1:]) is not None:
            channel = ws.open_dm("U" + value[1:])  # the app's DM exists from install on
        if channel is None:
            channel = ws.channel_by_name(value)
        if channel is None or (not channel.is_public and ws.bot_user not in channel.members):
            raise SlackError("channel_not_found")
        return channel

    def _writable_channel(self, args: dict[str, Any]) -> Channel:
        channel = self._channel(args)
        if channel.is_archived:
            raise SlackError("is_archived")
        if self.workspace.bot_user not in channel.members and not self.chat_write_public:
            raise SlackError("not_in_channel")
        return channel

    # --- methods: auth, users, team ----------------------------------------------------

    def _api_test(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        error = _str_arg(args, "error")
        if error is not None:
            return {"ok": False, "error": error, "args": args}
        return {"ok": True, "args": args}

    def _auth_test(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        ws = self.workspace
        bot = ws.user(ws.bot_user)
        return {
            "ok": True,
            "url": ws.home.url,
            "team": ws.home.name,
            "user": bot.name if bot else "parley",
            "team_id": ws.home.id,
            "user_id": ws.bot_user,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        user = self._user(args)
        data = user.to_api(home_team=self.workspace.home.id)
        if str(args.get("include_locale", "")).lower() in ("1", "true"):
            data["locale"] = user.locale
        return {"ok": True, "user": data}

    def _users_list(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        home = self.workspace.home.id
        members = [u.to_api(home_team=home) for u in self.workspace.internal_users()]
        return {
            "ok": True,
            "members": members,
            "cache_ts": int(self._now()),
            "response_metadata": {"next_cursor": ""},
        }

    def _users_lookup_by_email(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        email = _str_arg(args, "email")
        for user in self.workspace.users.values():
            if email is not None and user.email == email:
                return {"ok": True, "user": user.to_api(home_team=self.workspace.home.id)}
        raise SlackError("users_not_found")

    def _users_conversations(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        user_id = _str_arg(args, "user") or self.workspace.bot_user
        if self.workspace.user(user_id) is None:
            raise SlackError("user_not_found")
        channels = [
            c
            for c in self._listed_channels(args)
            if user_id in c.members and self.workspace.bot_user in c.members
        ]
        return self._channel_page(channels, args)

    def _team_info(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        team_id = _str_arg(args, "team") or self.workspace.home.id
        team = self.workspace.team(team_id)
        if team is None:
            raise SlackError("team_not_found")
        return {"ok": True, "team": team.to_api()}

    # --- methods: conversations --------------------------------------------------------

    def _conversations_info(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        channel = self._channel(args)
        data = channel.to_api(viewer=self.workspace.bot_user, home_team=self.workspace.home.id)
        if _bool_arg(args, "include_num_members") and not channel.is_im:
            data["num_members"] = len(channel.members)
        return {"ok": True, "channel": data}

    def _conversations_members(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        channel = self._channel(args)
        return {
            "ok": True,
            "members": list(channel.members),
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_join(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        channel = self._channel(args)
        if not channel.is_public:
            raise SlackError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise SlackError("is_archived")
        bot = self.workspace.bot_user
        answer: dict[str, Any] = {"ok": True}
        if bot in channel.members:
            answer["warning"] = "already_in_channel"
            answer["response_metadata"] = {"warnings": ["already_in_channel"]}
        else:
            channel.members.append(bot)
        answer["channel"] = channel.to_api(viewer=bot, home_team=self.workspace.home.id)
        return answer

    def _conversations_open(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        ws = self.workspace
        channel_id = _str_arg(args, "channel")
        users_arg = args.get("users")
        if channel_id is not None:
            channel = self._channel(args)
            already_open = True
        else:
            if isinstance(users_arg, list):
                user_ids = [str(u) for u in users_arg]
            else:
                user_ids = [u.strip() for u in str(users_arg or "").split(",") if u.strip()]
            if not user_ids:
                raise SlackError("users_list_not_supplied")
            if any(ws.user(u) is None for u in user_ids):
                raise SlackError("user_not_found")
            others = [u for u in user_ids if u != ws.bot_user]
            if len(others) > 8:
                raise SlackError("too_many_users")
            if len(others) <= 1:
                target = others[0] if others else ws.bot_user
                already_open = ws.dm_channel_id(target) in ws.channels
                channel = ws.open_dm(target)
            else:
                before = len(ws.channels)
                channel = ws.open_mpim(others)
                already_open = len(ws.channels) == before
        answer: dict[str, Any] = {"ok": True}
        if already_open:
            answer["no_op"] = True
            answer["already_open"] = True
        if _bool_arg(args, "return_im"):
            answer["channel"] = channel.to_api(viewer=ws.bot_user, home_team=ws.home.id)
        else:
            answer["channel"] = {"id": channel.id}
        return answer

    def _listed_channels(self, args: dict[str, Any]) -> list[Channel]:
        types_arg = _str_arg(args, "types") or "public_channel"
        types = {t.strip() for t in types_arg.split(",")}
        exclude_archived = _bool_arg(args, "exclude_archived")
        bot = self.workspace.bot_user
        chosen: list[Channel] = []
        for channel in self.workspace.channels.values():
            if exclude_archived and channel.is_archived:
                continue
            if channel.is_im:
                kind = "im"
            elif channel.is_mpim:
                kind = "mpim"
            elif channel.is_private:
                kind = "private_channel"
            else:
                kind = "public_channel"
            if kind not in types:
                continue
            if kind != "public_channel" and bot not in channel.members:
                continue
            chosen.append(channel)
        return chosen

    def _channel_page(self, channels: Iterable[Channel], args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        return {
            "ok": True,
            "channels": [c.to_api(viewer=ws.bot_user, home_team=ws.home.id) for c in channels],
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_list(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        return self._channel_page(self._listed_channels(args), args)

    def _readable_channel(self, args: dict[str, Any]) -> Channel:
        channel = self._channel(args)
        if self.workspace.bot_user not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    @staticmethod
    def _window(messages: list[StoredMessage], args: dict[str, Any]) -> list[StoredMessage]:
        oldest = _str_arg(args, "oldest")
        latest = _str_arg(args, "latest")
        inclusive = _bool_arg(args, "inclusive")
        chosen: list[StoredMessage] = []
        for m in messages:
            key = _ts_key(m.ts)
            if oldest is not None and (
                key < _ts_key(oldest) or (key == _ts_key(oldest) and not inclusive)
            ):
                continue
            if latest is not None and (
                key > _ts_key(latest) or (key == _ts_key(latest) and not inclusive)
            ):
                continue
            chosen.append(m)
        return chosen

    def _conversations_history(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        channel = self._readable_channel(args)
        top_level = [m for m in self.messages(channel.id) if not m.is_reply]
        chosen = self._window(top_level, args)
        limit = _int_arg(args, "limit", 100)
        newest_first = list(reversed(chosen))
        page = newest_first[:limit]
        return {
            "ok": True,
            "messages": [m.to_api() for m in page],
            "has_more": len(newest_first) > limit,
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_replies(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        channel = self._readable_channel(args)
        ts = _str_arg(args, "ts")
        parent = self.message(channel.id, ts) if ts else None
        if parent is None or parent.deleted:
            raise SlackError("thread_not_found")
        root = parent.thread_ts or parent.ts
        chosen = self._window(self.thread(channel.id, root), args)
        limit = _int_arg(args, "limit", 1000)
        return {
            "ok": True,
            "messages": [m.to_api() for m in chosen[:limit]],
            "has_more": len(chosen) > limit,
            "response_metadata": {"next_cursor": ""},
        }

    # --- methods: chat -----------------------------------------------------------------

    def _check_blocks(self, method: str, blocks: Any) -> None:
        problems = check_message_blocks(blocks)
        if problems:
            raise SlackError(
                "invalid_blocks",
                violation=f"{method}: invalid blocks: " + "; ".join(problems),
                extra={"response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]}},
            )

    def _check_content(self, method: str, args: dict[str, Any], *, needs_text: bool) -> None:
        blocks = args.get("blocks")
        text = _str_arg(args, "text")
        if blocks not in (None, "", []):
            self._check_blocks(method, blocks)
            if text is None:
                self.violations.append(
                    f"{method}: message has blocks but no fallback text "
                    "(notifications and screen readers show nothing)"
                )
        elif needs_text and text is None and not args.get("attachments"):
            raise SlackError("no_text")
        if text is not None and len(text) > MAX_MESSAGE_TEXT:
            raise SlackError("msg_too_long")

    def _bot_message(self, channel: Channel, args: dict[str, Any]) -> StoredMessage:
        ws = self.workspace
        blocks = args.get("blocks")
        metadata = args.get("metadata")
        return StoredMessage(
            channel=channel.id,
            ts=self.next_ts(),
            user=ws.bot_user,
            text=_str_arg(args, "text") or "",
            blocks=blocks if isinstance(blocks, list) and blocks else None,
            thread_ts=_str_arg(args, "thread_ts"),
            bot_id=ws.bot_id,
            team=ws.home.id,
            app_id=ws.app_id,
            metadata=metadata if isinstance(metadata, dict) else None,
        )

    def _chat_post_message(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        channel = self._writable_channel(args)
        self._check_content("chat.postMessage", args, needs_text=True)
        message = self._bot_message(channel, args)
        self._store(message)
        return {"ok": True, "channel": channel.id, "ts": message.ts, "message": message.to_api()}

    def _own_message(self, args: dict[str, Any], ts_name: str, refusal: str) -> StoredMessage:
        channel = self._channel(args)
        ts = _str_arg(args, ts_name)
        message = self.message(channel.id, ts) if ts else None
        if message is None or message.deleted:
            raise SlackError("message_not_found")
        if message.user != self.workspace.bot_user:
            raise SlackError(refusal)
        return message

    def _chat_update(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        message = self._own_message(args, "ts", "cant_update_message")
        self._check_content("chat.update", {"text": message.text, **args}, needs_text=False)
        message.history.append(MessageVersion(message.text, message.blocks, self._now()))
        if "text" in args:
            message.text = _str_arg(args, "text") or ""
        if "blocks" in args:
            blocks = args["blocks"]
            message.blocks = blocks if isinstance(blocks, list) and blocks else None
        if isinstance(args.get("metadata"), dict):
            message.metadata = args["metadata"]
        message.edited_ts = self.next_ts()
        message.edited_by = self.workspace.bot_user
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text,
            "message": message.to_api(),
        }

    def _chat_delete(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        message = self._own_message(args, "ts", "cant_delete_message")
        message.deleted = True
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _chat_post_ephemeral(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        channel = self._writable_channel(args)
        user = self._user(args)
        if user.id not in channel.members:
            raise SlackError("user_not_in_channel")
        self._check_content("chat.postEphemeral", args, needs_text=True)
        message = self._bot_message(channel, args)
        message.ephemeral_to = user.id
        self.ephemeral.append(message)
        return {"ok": True, "message_ts": message.ts}

    def permalink(self, channel: str, ts: str) -> str:
        """Slack's permalink for a message (threaded replies carry the thread)."""
        url = f"{self.workspace.home.url}archives/{channel}/p{ts.replace('.', '')}"
        message = self.message(channel, ts)
        if message is not None and message.is_reply:
            url += f"?thread_ts={message.thread_ts}&cid={channel}"
        return url

    def _chat_get_permalink(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        channel = self._channel(args)
        ts = _str_arg(args, "message_ts")
        message = self.message(channel.id, ts) if ts else None
        if message is None or message.deleted or ts is None:
            raise SlackError("message_not_found")
        return {"ok": True, "channel": channel.id, "permalink": self.permalink(channel.id, ts)}

    # --- methods: reactions ------------------------------------------------------------

    def _reacted_message(self, args: dict[str, Any]) -> tuple[StoredMessage, str]:
        channel = self._channel(args)
        ts = _str_arg(args, "timestamp")
        message = self.message(channel.id, ts) if ts else None
        if message is None or message.deleted:
            raise SlackError("message_not_found")
        name = (_str_arg(args, "name") or "").strip(":")
        if not name:
            raise SlackError("invalid_name")
        return message, name

    def _reactions_add(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        message, name = self._reacted_message(args)
        users = message.reactions.setdefault(name, [])
        if self.workspace.bot_user in users:
            raise SlackError("already_reacted")
        users.append(self.workspace.bot_user)
        return {"ok": True}

    def _reactions_remove(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        message, name = self._reacted_message(args)
        users = message.reactions.get(name, [])
        if self.workspace.bot_user not in users:
            raise SlackError("no_reaction")
        users.remove(self.workspace.bot_user)
        if not users:
            del message.reactions[name]
        return {"ok": True}

    # --- methods: views ----------------------------------------------------------------

    def _use_trigger(self, args: dict[str, Any], arrived: float) -> _Trigger:
        trigger_id = _str_arg(args, "trigger_id")
        trigger = self._triggers.get(trigger_id) if trigger_id else None
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        expired = self.trigger_ttl is not None and arrived - trigger.issued_at > self.trigger_ttl
        if trigger.used or expired:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    def _checked_view(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        problems = check_view(view)
        if problems:
            raise SlackError(
                "invalid_arguments",
                violation=f"{method}: invalid view: " + "; ".join(problems),
                extra={"response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]}},
            )
        assert isinstance(view, dict)
        return view

    def _external_id_taken(self, external_id: str | None, except_view: str | None) -> bool:
        if not external_id:
            return False
        every = [*self.open_views.values(), *self.home_views.values()]
        return any(v.get("external_id") == external_id and v["id"] != except_view for v in every)

    def _make_view(
        self,
        definition: dict[str, Any],
        *,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> dict[str, Any]:
        ws = self.workspace
        vid = view_id or self._next_id("V")
        view: dict[str, Any] = {
            "id": vid,
            "team_id": ws.home.id,
            "type": definition["type"],
            "blocks": definition.get("blocks", []),
            "private_metadata": definition.get("private_metadata", ""),
            "callback_id": definition.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self._now())}.{secrets.token_hex(4)}",
            "title": definition.get("title"),
            "clear_on_close": bool(definition.get("clear_on_close", False)),
            "notify_on_close": bool(definition.get("notify_on_close", False)),
            "close": definition.get("close"),
            "submit": definition.get("submit"),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or vid,
            "app_id": ws.app_id,
            "external_id": definition.get("external_id", ""),
            "app_installed_team_id": ws.home.id,
            "bot_id": ws.bot_id,
        }
        if view["title"] is not None and isinstance(view["title"], str):
            view["title"] = {"type": "plain_text", "text": view["title"], "emoji": True}
        return view

    def _views_open(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        definition = self._checked_view("views.open", args)
        if definition["type"] != "modal":
            raise SlackError("invalid_arguments", violation="views.open: only modals can be opened")
        if self._external_id_taken(definition.get("external_id"), None):
            raise SlackError("duplicate_external_id")
        trigger = self._use_trigger(args, arrived)
        view = self._make_view(definition)
        self.open_views[view["id"]] = view
        if trigger.user is not None:
            self._view_users[view["id"]] = trigger.user
            self._view_stacks[trigger.user] = [view["id"]]
        return {"ok": True, "view": view}

    def _views_push(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        definition = self._checked_view("views.push", args)
        if definition["type"] != "modal":
            raise SlackError("invalid_arguments", violation="views.push: only modals can be pushed")
        trigger = self._use_trigger(args, arrived)
        stack = self._view_stacks.setdefault(trigger.user or "", [])
        if len(stack) >= VIEW_STACK_LIMIT:
            raise SlackError("push_limit_reached")
        root = stack[0] if stack else None
        previous = stack[-1] if stack else None
        view = self._make_view(definition, root_view_id=root, previous_view_id=previous)
        stack.append(view["id"])
        self.open_views[view["id"]] = view
        if trigger.user is not None:
            self._view_users[view["id"]] = trigger.user
        return {"ok": True, "view": view}

    def _find_view(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = _str_arg(args, "view_id")
        external_id = _str_arg(args, "external_id")
        for view in [*self.open_views.values(), *self.home_views.values()]:
            if view_id is not None and view["id"] == view_id:
                return view
            if view_id is None and external_id is not None and view["external_id"] == external_id:
                return view
        raise SlackError("not_found")

    def _views_update(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        definition = self._checked_view("views.update", args)
        current = self._find_view(args)
        expected_hash = _str_arg(args, "hash")
        if expected_hash is not None and expected_hash != current["hash"]:
            raise SlackError("hash_conflict")
        if definition["type"] != current["type"]:
            raise SlackError("invalid_arguments", violation="views.update: view type changed")
        external_id = definition.get("external_id", current["external_id"])
        if self._external_id_taken(external_id, current["id"]):
            raise SlackError("duplicate_external_id")
        view = self._make_view(
            {**definition, "external_id": external_id},
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        view["state"] = current.get("state", {"values": {}})
        if current["id"] in self.open_views:
            self.open_views[current["id"]] = view
        for user, home in list(self.home_views.items()):
            if home["id"] == current["id"]:
                self.home_views[user] = view
        return {"ok": True, "view": view}

    def _views_publish(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        definition = self._checked_view("views.publish", args)
        user = self._user(args, "user_id")
        if definition["type"] != "home":
            raise SlackError(
                "invalid_arguments", violation="views.publish: only home views can be published"
            )
        current = self.home_views.get(user.id)
        expected_hash = _str_arg(args, "hash")
        if current is not None and expected_hash is not None and expected_hash != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._make_view(definition, view_id=current["id"] if current else None)
        self.home_views[user.id] = view
        return {"ok": True, "view": view}

    def close_view(self, view_id: str) -> None:
        """Forget a modal (the user submitted or closed it)."""
        self.open_views.pop(view_id, None)
        user = self._view_users.pop(view_id, None)
        if user is not None:
            stack = self._view_stacks.get(user, [])
            if view_id in stack:
                del stack[stack.index(view_id) :]

    def clear_views(self, user: str) -> None:
        """Close every modal of ``user`` (``response_action: clear``)."""
        for view_id in list(self._view_stacks.get(user, [])):
            self.close_view(view_id)

    def view_owner(self, view_id: str) -> str | None:
        return self._view_users.get(view_id)

    # --- HTTP: response_url ------------------------------------------------------------

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        arrived = time.time()
        rid = request.match_info["rid"]
        raw = await request.text()
        try:
            payload = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            payload = {"_raw": raw}
        if not isinstance(payload, dict):
            payload = {"_raw": payload}
        target = self._response_urls.get(rid)
        args = dict(payload)
        if target is not None:
            args["_channel"] = target.channel
            args["_user"] = target.user

        if self.delay_seconds > 0:
            await asyncio.sleep(self.delay_seconds)
        fault = self._take_fault("response_url")
        if fault is not None:
            response, body = self._fault_response(fault)
            self._record(
                RecordedCall("response_url", args, arrived, True, fault.status, response=body)
            )
            return response

        status, body = self._answer_response_url(target, payload, arrived)
        self._record(RecordedCall("response_url", args, arrived, status=status, response=body))
        return web.json_response(body, status=status)

    def _original(self, target: ResponseUrl) -> StoredMessage | None:
        """The message an interaction came from: a channel message or an ephemeral one."""
        if target.message_ts is None:
            return None
        found = self.message(target.channel, target.message_ts)
        if found is None:
            for ephemeral in self.ephemeral_messages(target.channel, target.user):
                if ephemeral.ts == target.message_ts:
                    found = ephemeral
        return found

    def _answer_response_url(
        self, target: ResponseUrl | None, payload: dict[str, Any], arrived: float
    ) -> tuple[int, dict[str, Any]]:
        if target is None:
            return 404, {"ok": False, "error": "no_service"}
        target.uses += 1
        if target.uses > RESPONSE_URL_MAX_USES:
            return 404, {"ok": False, "error": "used_url"}
        if arrived - target.issued_at > RESPONSE_URL_TTL_SECONDS:
            return 404, {"ok": False, "error": "expired_url"}
        if "_raw" in payload:
            self.violations.append("response_url: body is not a JSON object")
            return 400, {"ok": False, "error": "invalid_payload"}

        delete = _bool_arg(payload, "delete_original")
        replace = _bool_arg(payload, "replace_original")
        try:
            if not delete:
                self._check_content("response_url", payload, needs_text=True)
        except SlackError as err:
            if err.violation is not None:
                self.violations.append(err.violation)
            return 400, {"ok": False, "error": err.error}

        original = self._original(target)
        if delete:
            if original is None or original.deleted:
                return 404, {"ok": False, "error": "message_not_found"}
            original.deleted = True
            return 200, {"ok": True}
        if replace and original is not None and not original.deleted:
            original.history.append(MessageVersion(original.text, original.blocks, self._now()))
            original.text = _str_arg(payload, "text") or ""
            blocks = payload.get("blocks")
            original.blocks = blocks if isinstance(blocks, list) and blocks else None
            original.edited_ts = self.next_ts()
            original.edited_by = self.workspace.bot_user
            return 200, {"ok": True}

        channel = self.workspace.channel(target.channel)
        if channel is None:
            return 404, {"ok": False, "error": "channel_not_found"}
        message = self._bot_message(channel, payload)
        if payload.get("response_type") == "in_channel":
            self._store(message)
        else:
            message.ephemeral_to = target.user
            self.ephemeral.append(message)
        return 200, {"ok": True}
