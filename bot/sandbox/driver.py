"""``SlackDriver``: sends the Parley app the HTTP requests Slack would send, signed like Slack.

Slash commands go as form posts, events as JSON ``event_callback`` envelopes, and
interactivity (``block_actions``, ``view_submission``, ``message_action``) as a form field
``payload`` holding JSON.  Every request carries ``X-Slack-Request-Timestamp`` (real current
time) and ``X-Slack-Signature`` computed with the app's signing secret.

The driver works together with a ``SlackStandIn``: human messages are stored there first,
``trigger_id`` and ``response_url`` values come from it, and modals it opened are closed or
replaced according to the app's ``response_action``.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.slack_api import SlackStandIn, StoredMessage
from bot.sandbox.workspace import Channel, User

VERIFICATION_TOKEN = "sandbox-verification-token"
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

# For each input element type: the key of its value in view.state.values, and the shape.
_STATE_KEYS: dict[str, str] = {
    "plain_text_input": "value",
    "number_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
}
_OPTION_ELEMENTS = frozenset({"static_select", "radio_buttons", "external_select"})
_MULTI_OPTION_ELEMENTS = frozenset({"multi_static_select", "checkboxes", "multi_external_select"})


@dataclass
class Reply:
    """What the app answered."""

    status: int
    text: str
    json: Any | None
    headers: dict[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _event_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "Ev0" + "".join(secrets.choice(alphabet) for _ in range(8))


def _event_context(team_id: str, channel: str | None) -> str:
    raw = json.dumps({"tid": team_id, "aid": "A0PARLEY", "cid": channel or ""}).encode()
    return "4-" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _find_elements(blocks: list[dict[str, Any]] | None) -> list[tuple[str | None, dict[str, Any]]]:
    """Every interactive element in ``blocks`` with the block_id it sits in."""
    found: list[tuple[str | None, dict[str, Any]]] = []
    for block in blocks or []:
        block_id = block.get("block_id")
        elements: list[Any] = []
        if isinstance(block.get("elements"), list):
            elements.extend(block["elements"])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                elements.append(block[key])
        found.extend((block_id, e) for e in elements if isinstance(e, dict) and "action_id" in e)
    return found


def _option_for(element: dict[str, Any], value: str) -> dict[str, Any]:
    options: list[Any] = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if isinstance(option, dict) and option.get("value") == value:
            return option
    return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}


def state_value(element: dict[str, Any] | None, given: Any) -> dict[str, Any]:
    """Slack's ``view.state.values`` entry for an element, from a plain value.

    ``given`` may already be a state entry (a dict with ``type``), or a plain value: a string
    for text inputs, dates, selects; a list of strings for multi-selects and checkboxes.
    """
    if isinstance(given, dict) and "type" in given:
        return given
    kind = str((element or {}).get("type", "plain_text_input"))
    if kind in _OPTION_ELEMENTS:
        option = None if given is None else _option_for(element or {}, str(given))
        return {"type": kind, "selected_option": option}
    if kind in _MULTI_OPTION_ELEMENTS:
        values = given if isinstance(given, list) else [given]
        return {
            "type": kind,
            "selected_options": [_option_for(element or {}, str(v)) for v in values],
        }
    return {"type": kind, _STATE_KEYS.get(kind, "value"): given}


class SlackDriver:
    """Sends slash commands, events and interactions to the Parley app as Slack would."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        slack: SlackStandIn,
        *,
        verification_token: str = VERIFICATION_TOKEN,
    ) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.slack = slack
        self.verification_token = verification_token
        self._session: aiohttp.ClientSession | None = None

    # --- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    # --- workspace helpers -------------------------------------------------------------

    def _user(self, user_id: str) -> User:
        user: User | None = self.slack.workspace.user(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}")
        return user

    def _channel(self, channel_id: str) -> Channel:
        ws = self.slack.workspace
        channel = ws.channel(channel_id)
        if channel is None and channel_id.startswith(("U", "W")) and ws.user(channel_id):
            channel = ws.open_dm(channel_id)
        if channel is None:
            raise ValueError(f"unknown channel {channel_id}")
        return channel

    @staticmethod
    def _channel_name(channel: Channel) -> str:
        """The ``channel_name`` Slack puts in slash command posts."""
        if channel.is_im:
            return "directmessage"
        if channel.is_private and not channel.is_mpim:
            return "privategroup"
        return channel.name

    def _user_ref(self, user: User) -> dict[str, Any]:
        return {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id}

    def _team_ref(self) -> dict[str, Any]:
        home = self.slack.workspace.home
        return {"id": home.id, "domain": home.domain}

    def _find_message(self, channel: str, ts: str) -> StoredMessage:
        message = self.slack.message(channel, ts)
        if message is None:
            for ephemeral in self.slack.ephemeral_messages(channel):
                if ephemeral.ts == ts:
                    message = ephemeral
        if message is None or message.deleted:
            raise ValueError(f"no message {ts} in {channel}")
        return message

    # --- signing and sending -----------------------------------------------------------

    def signed_headers(
        self,
        body: bytes,
        *,
        secret: str | None = None,
        timestamp: str | int | None = None,
        content_type: str = FORM,
    ) -> dict[str, str]:
        """Headers Slack sends with ``body``: content type, timestamp, v0 signature."""
        ts = str(timestamp) if timestamp is not None else str(int(time.time()))
        verifier = SignatureVerifier(secret if secret is not None else self.signing_secret)
        signature = verifier.generate_signature(timestamp=ts, body=body)
        return {
            "Content-Type": content_type,
            "User-Agent": SLACK_USER_AGENT,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or "",
        }

    async def raw(self, body: bytes, headers: dict[str, str]) -> Reply:
        """POST ``body`` with exactly ``headers`` (for forged or stale signatures)."""
        async with self._client().post(self.app_url, data=body, headers=headers) as response:
            text = await response.text()
            parsed: Any | None
            try:
                parsed = json.loads(text) if text else None
            except json.JSONDecodeError:
                parsed = None
            return Reply(response.status, text, parsed, dict(response.headers))

    async def _send(
        self, body: bytes, content_type: str, extra_headers: dict[str, str] | None = None
    ) -> Reply:
        headers = self.signed_headers(body, content_type=content_type)
        headers.update(extra_headers or {})
        return await self.raw(body, headers)

    async def _send_form(self, fields: dict[str, str]) -> Reply:
        return await self._send(urlencode(fields).encode(), FORM)

    async def _send_payload(self, payload: dict[str, Any]) -> Reply:
        return await self._send_form({"payload": json.dumps(payload)})

    # --- slash commands ----------------------------------------------------------------

    async def command(
        self, command: str, text: str, *, user: str, channel: str, hold_back_team: bool = True
    ) -> Reply:
        """A slash command: ``command("/dispute", "open Outage", user=ALICE, channel=DESK)``.

        Like Slack, the payload's ``team_id`` is the workspace that received the command, not
        the invoker's own team, whoever typed it: a Slack Connect guest's command says nothing
        of where they come from. ``hold_back_team=False`` sends the invoker's team instead
        (a hint some payloads do carry, which may narrow who somebody is but never widen it).
        """
        person = self._user(user)
        target = self._channel(channel)
        ws = self.slack.workspace
        team = ws.home if hold_back_team else ws.team_of(user)
        fields = {
            "token": self.verification_token,
            "team_id": team.id,
            "team_domain": team.domain,
            "channel_id": target.id,
            "channel_name": self._channel_name(target),
            "user_id": person.id,
            "user_name": person.name,
            "command": command if command.startswith("/") else f"/{command}",
            "text": text,
            "api_app_id": self.slack.workspace.app_id,
            "is_enterprise_install": "false",
            "response_url": self.slack.response_url(target.id, person.id),
            "trigger_id": self.slack.issue_trigger_id(person.id),
        }
        return await self._send_form(fields)

    # --- events ------------------------------------------------------------------------

    def _is_shared(self, event: dict[str, Any]) -> bool:
        channel_id = event.get("channel")
        if isinstance(event.get("item"), dict):
            channel_id = event["item"].get("channel", channel_id)
        if not isinstance(channel_id, str):
            return False
        channel = self.slack.workspace.channel(channel_id)
        return channel is not None and channel.is_ext_shared

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        team_id: str = "T0PARLEY",
    ) -> Reply:
        """An Events API ``event_callback`` envelope around ``event``."""
        envelope = self.envelope(event, event_id=event_id, team_id=team_id)
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
        if retry_reason is not None:
            headers["X-Slack-Retry-Reason"] = retry_reason
        return await self._send(json.dumps(envelope).encode(), JSON, headers)

    def envelope(
        self, event: dict[str, Any], *, event_id: str | None = None, team_id: str = "T0PARLEY"
    ) -> dict[str, Any]:
        """The ``event_callback`` envelope Slack wraps ``event`` in."""
        ws = self.slack.workspace
        channel = event.get("channel")
        return {
            "token": self.verification_token,
            "team_id": team_id,
            "context_team_id": team_id,
            "context_enterprise_id": None,
            "api_app_id": ws.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or _event_id(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": ws.home.id,
                    "user_id": ws.bot_user,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": self._is_shared(event),
            "event_context": _event_context(team_id, channel if isinstance(channel, str) else None),
        }

    def _user_profile(self, user: User) -> dict[str, Any]:
        return {
            "avatar_hash": "g0000000000",
            "image_72": "https://secure.gravatar.com/avatar/0.jpg",
            "first_name": user.real_name.split(" ")[0],
            "real_name": user.real_name,
            "display_name": user.display_name,
            "team": user.team_id,
            "name": user.name,
            "is_restricted": False,
            "is_ultra_restricted": False,
        }

    def message_event(self, message: StoredMessage) -> dict[str, Any]:
        """The ``message`` event Slack sends for a message a person posted."""
        channel = self._channel(message.channel)
        event: dict[str, Any] = {
            "client_msg_id": message.client_msg_id,
            "type": "message",
            "text": message.text,
            "user": message.user,
            "ts": message.ts,
            "blocks": message.blocks,
            "team": message.team,
            "user_team": message.team,
            "source_team": message.team,
        }
        if channel.is_ext_shared:
            event["user_profile"] = self._user_profile(self._user(message.user))
        if message.thread_ts is not None:
            event["thread_ts"] = message.thread_ts
            parent = self.slack.message(message.channel, message.thread_ts)
            if parent is not None:
                event["parent_user_id"] = parent.user
        event["channel"] = message.channel
        event["event_ts"] = message.ts
        event["channel_type"] = channel.channel_type
        return event

    async def message(
        self, user: str, channel: str, text: str, *, thread_ts: str | None = None
    ) -> tuple[StoredMessage, Reply]:
        """A person posts ``text``: stored in the stand-in, then the ``message`` event."""
        stored = self.slack.post_human_message(user, channel, text, thread_ts=thread_ts)
        reply = await self.event(self.message_event(stored))
        return stored, reply

    async def app_mention(
        self, user: str, channel: str, text: str, *, thread_ts: str | None = None
    ) -> tuple[StoredMessage, Reply]:
        """A person mentions the bot: stored, then the ``app_mention`` event."""
        stored = self.slack.post_human_message(user, channel, text, thread_ts=thread_ts)
        event = self.message_event(stored)
        event["type"] = "app_mention"
        event.pop("channel_type", None)
        return stored, await self.event(event)

    async def edit_message(self, channel: str, ts: str, text: str) -> tuple[StoredMessage, Reply]:
        """The author edits a message: Slack's ``message_changed`` event."""
        stored, event = self.edit_event(channel, ts, text)
        return stored, await self.event(event)

    def edit_event(self, channel: str, ts: str, text: str) -> tuple[StoredMessage, dict[str, Any]]:
        """The author edits a message in the stand-in; the ``message_changed`` event (unsent)."""
        previous, stored = self.slack.edit_human_message(channel, ts, text)
        target = self._channel(channel)
        edited = self.message_event(stored)
        for key in ("channel", "event_ts", "channel_type", "user_profile"):
            edited.pop(key, None)
        edited["edited"] = {"user": stored.user, "ts": stored.edited_ts}
        event_ts = self.slack.next_ts()
        event = {
            "type": "message",
            "subtype": "message_changed",
            "message": edited,
            "previous_message": previous,
            "channel": channel,
            "hidden": True,
            "ts": event_ts,
            "event_ts": event_ts,
            "channel_type": target.channel_type,
        }
        return stored, event

    async def delete_message(self, channel: str, ts: str) -> tuple[StoredMessage, Reply]:
        """The author deletes a message: Slack's ``message_deleted`` event."""
        stored, event = self.delete_event(channel, ts)
        return stored, await self.event(event)

    def delete_event(self, channel: str, ts: str) -> tuple[StoredMessage, dict[str, Any]]:
        """The author deletes a message in the stand-in; the ``message_deleted`` event (unsent)."""
        previous = self._find_message(channel, ts).to_api()
        stored = self.slack.delete_human_message(channel, ts)
        target = self._channel(channel)
        event_ts = self.slack.next_ts()
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "previous_message": previous,
            "channel": channel,
            "hidden": True,
            "deleted_ts": ts,
            "event_ts": event_ts,
            "ts": event_ts,
            "channel_type": target.channel_type,
        }
        return stored, event

    async def home_opened(self, user: str) -> Reply:
        """The user opens the app's Home tab: ``app_home_opened``."""
        self._user(user)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": self.slack.workspace.dm_channel_id(user),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        home = self.slack.home_views.get(user)
        if home is not None:
            event["view"] = home
        return await self.event(event)

    # --- interactivity -----------------------------------------------------------------

    async def block_action(
        self,
        *,
        user: str,
        channel: str,
        message_ts: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
    ) -> Reply:
        """The user clicks a button (``action_id``) on a message the bot posted."""
        person = self._user(user)
        target = self._channel(channel)
        message = self._find_message(target.id, message_ts)
        element: dict[str, Any] = {}
        found_block_id: str | None = None
        for candidate_block, candidate in _find_elements(message.blocks):
            if candidate.get("action_id") == action_id and (
                block_id is None or candidate_block == block_id
            ):
                found_block_id, element = candidate_block, candidate
                break
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id or found_block_id or "actions",
            "type": element.get("type", "button"),
            "action_ts": f"{time.time():.6f}",
        }
        if action["type"] == "button":
            action["text"] = element.get(
                "text", {"type": "plain_text", "text": action_id, "emoji": True}
            )
            action["value"] = value if value is not None else element.get("value")
            if "style" in element:
                action["style"] = element["style"]
        else:
            action.update(state_value(element, value))
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_ref(person),
            "api_app_id": self.slack.workspace.app_id,
            "token": self.verification_token,
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": target.id,
                "is_ephemeral": message.is_ephemeral,
            },
            "trigger_id": self.slack.issue_trigger_id(person.id),
            "team": self._team_ref(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": target.id, "name": self._channel_name(target)},
            "state": {"values": {}},
            "response_url": self.slack.response_url(target.id, person.id, message.ts),
            "actions": [action],
        }
        if not message.is_ephemeral:
            payload["message"] = message.to_api()
        return await self._send_payload(payload)

    def _submitted_view(
        self,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]],
        private_metadata: str,
        callback_id: str | None,
    ) -> dict[str, Any]:
        ws = self.slack.workspace
        stored = self.slack.open_views.get(str(view.get("id", "")))
        base = dict(stored if stored is not None else view)
        view_id = str(base.get("id") or f"V0{secrets.token_hex(4).upper()}")
        elements = {
            (block_id, element.get("action_id")): element
            for block_id, element in _find_elements(base.get("blocks"))
        }
        state = {
            block_id: {
                action_id: state_value(elements.get((block_id, action_id)), given)
                for action_id, given in actions.items()
            }
            for block_id, actions in values.items()
        }
        title = base.get("title")
        if isinstance(title, str):
            title = {"type": "plain_text", "text": title, "emoji": True}
        return {
            "id": view_id,
            "team_id": ws.home.id,
            "type": base.get("type", "modal"),
            "blocks": base.get("blocks", []),
            "private_metadata": private_metadata or base.get("private_metadata", ""),
            "callback_id": callback_id or base.get("callback_id", ""),
            "state": {"values": state},
            "hash": base.get("hash", f"{int(time.time())}.{secrets.token_hex(4)}"),
            "title": title,
            "clear_on_close": base.get("clear_on_close", False),
            "notify_on_close": base.get("notify_on_close", False),
            "close": base.get("close"),
            "submit": base.get("submit"),
            "previous_view_id": base.get("previous_view_id"),
            "root_view_id": base.get("root_view_id", view_id),
            "app_id": ws.app_id,
            "external_id": base.get("external_id", ""),
            "app_installed_team_id": ws.home.id,
            "bot_id": ws.bot_id,
        }

    async def view_submission(
        self,
        *,
        user: str,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]],
        private_metadata: str = "",
        callback_id: str | None = None,
    ) -> Reply:
        """The user submits a modal.

        ``view`` is a view the stand-in opened (``slack.open_views[...]`` or the ``view`` of
        a ``views.open`` answer) or a bare definition.  ``values`` maps block_id -> action_id
        -> a plain value (string, or list for multi-selects) or a full Slack state entry.
        After the app answers, the stand-in's modal is closed, kept (``errors``), replaced
        (``update``), pushed onto (``push``) or all closed (``clear``), like Slack does.
        """
        person = self._user(user)
        submitted = self._submitted_view(view, values, private_metadata, callback_id)
        payload = {
            "type": "view_submission",
            "team": self._team_ref(),
            "user": self._user_ref(person),
            "api_app_id": self.slack.workspace.app_id,
            "token": self.verification_token,
            "trigger_id": self.slack.issue_trigger_id(person.id),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        reply = await self._send_payload(payload)
        self._apply_response_action(person.id, submitted["id"], reply)
        return reply

    def _apply_response_action(self, user: str, view_id: str, reply: Reply) -> None:
        if view_id not in self.slack.open_views or not reply.ok:
            return
        answer = reply.json if isinstance(reply.json, dict) else {}
        action = answer.get("response_action")
        if action == "errors":
            return
        if action == "clear":
            self.slack.clear_views(user)
            return
        if action == "update" and isinstance(answer.get("view"), dict):
            current = self.slack.open_views[view_id]
            self.slack.open_views[view_id] = {**current, **answer["view"], "id": view_id}
            return
        if action == "push" and isinstance(answer.get("view"), dict):
            pushed_id = f"V0{secrets.token_hex(4).upper()}"
            self.slack.open_views[pushed_id] = {
                **answer["view"],
                "id": pushed_id,
                "previous_view_id": view_id,
                "root_view_id": self.slack.open_views[view_id].get("root_view_id", view_id),
            }
            return
        self.slack.close_view(view_id)

    async def message_shortcut(
        self, *, callback_id: str, user: str, channel: str, message_ts: str
    ) -> Reply:
        """The user runs a message shortcut on a message: a ``message_action`` payload."""
        person = self._user(user)
        target = self._channel(channel)
        message = self._find_message(target.id, message_ts)
        payload = {
            "type": "message_action",
            "token": self.verification_token,
            "action_ts": f"{time.time():.6f}",
            "team": self._team_ref(),
            "user": self._user_ref(person),
            "channel": {"id": target.id, "name": self._channel_name(target)},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.slack.issue_trigger_id(person.id),
            "response_url": self.slack.response_url(target.id, person.id, message.ts),
            "message_ts": message.ts,
            "message": message.to_api(),
        }
        return await self._send_payload(payload)
