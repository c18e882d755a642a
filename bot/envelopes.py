"""What Slack sends Parley, read once at the HTTP edge: its shapes, its signature, its audience.

Slack posts three kinds of body to /slack/events: an Events API JSON envelope, an interactive
payload (a form field `payload` holding JSON) and a slash command's form. The models below
declare the fields Bolt or Parley's handlers read, with the types Slack gives them; every
other field passes through untouched (`extra="allow"`). A body that does not fit is a shape
Slack never sends, so the edge answers it 400 and Bolt never sees it: no handler has to
defend itself against a `user` that is an object, a `ts` of "nan", a `state.values` that is
a list or an action without `action_id`.

The models are deliberately loose where Slack is (most fields may be missing) and strict on
the types of what is there. Field *values* a person chooses (what a form holds) are the
handlers' business: they refuse them on the form, with a message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

# Slack's signatures are good for five minutes either side of now.
SIGNATURE_WINDOW_SECONDS = 5 * 60
# Block Kit nests a dozen levels at most (rich text in an edited message's attachment);
# anything far deeper is built to make a parser or a handler recurse until it fails.
MAX_DEPTH = 100

Id = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_]{0,39}$")]
Ts = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}\.[0-9]{1,9}$")]
Text = Annotated[str, StringConstraints(max_length=100_000)]


class Malformed(ValueError):
    """A body of a shape Slack never sends; `str()` says what, never what it held."""


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, frozen=True)


# --- Events API ---------------------------------------------------------------------------


class MessageFields(_Shape):
    """A message as Slack puts it in events: the event itself, or an edit's old and new."""

    type: str | None = None
    subtype: str | None = None
    user: Id | None = None
    text: Text | None = None
    ts: Ts | None = None
    thread_ts: Ts | None = None
    bot_id: str | None = None
    user_team: Id | None = None
    source_team: Id | None = None
    team: Id | None = None


class MessageEvent(MessageFields):
    type: Literal["message", "app_mention"]
    channel: Id | None = None
    message: MessageFields | None = None
    previous_message: MessageFields | None = None
    deleted_ts: Ts | None = None


class HomeOpenedEvent(_Shape):
    type: Literal["app_home_opened"]
    user: Id
    channel: Id | None = None
    tab: str | None = None
    view: dict[str, Any] | None = None


class ChannelRef(_Shape):
    id: Id


class ChannelEvent(_Shape):
    """channel_shared, channel_unshared, member_joined_channel, member_left_channel: the
    channel is an id (some channel events give an object)."""

    type: str
    channel: Id | ChannelRef | None = None


class AnyEvent(_Shape):
    """Any other event: what Bolt itself reads of it."""

    type: str
    user: str | dict[str, Any] | None = None
    user_team: str | None = None
    team: str | dict[str, Any] | None = None
    channel: str | dict[str, Any] | None = None
    item: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    previous_message: dict[str, Any] | None = None
    assistant_thread: dict[str, Any] | None = None


EVENT_SHAPES: dict[str, type[_Shape]] = {
    "message": MessageEvent,
    "app_mention": MessageEvent,
    "app_home_opened": HomeOpenedEvent,
    "channel_shared": ChannelEvent,
    "channel_unshared": ChannelEvent,
    "member_joined_channel": ChannelEvent,
    "member_left_channel": ChannelEvent,
}


class Authorization(_Shape):
    team_id: Id | None = None
    user_id: Id | None = None
    is_bot: bool | None = None


class _Envelope(_Shape):
    """What Bolt reads of any JSON body before a listener sees it."""

    enterprise: str | dict[str, Any] | None = None
    enterprise_id: str | None = None
    team: str | dict[str, Any] | None = None
    user: str | dict[str, Any] | None = None
    view: dict[str, Any] | None = None
    authorizations: list[Authorization] | None = None
    is_ext_shared_channel: bool | None = None
    context_team_id: str | None = None
    context_enterprise_id: str | None = None


class EventCallback(_Envelope):
    type: Literal["event_callback"]
    team_id: Id
    api_app_id: Id
    event_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    event: dict[str, Any]


class UrlVerification(_Envelope):
    type: Literal["url_verification"]
    challenge: Annotated[str, StringConstraints(max_length=200)]


class AppRateLimited(_Envelope):
    """Slack has begun dropping this app's events for the rest of the minute."""

    type: Literal["app_rate_limited"]
    team_id: Id
    api_app_id: Id
    minute_rate_limited: int


ENVELOPES: dict[str, type[_Shape]] = {
    "event_callback": EventCallback,
    "url_verification": UrlVerification,
    "app_rate_limited": AppRateLimited,
}


# --- interactivity ------------------------------------------------------------------------


class UserRef(_Shape):
    id: Id
    team_id: Id | None = None


class TeamRef(_Shape):
    id: Id


class Action(_Shape):
    action_id: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    block_id: Annotated[str, StringConstraints(max_length=255)] | None = None
    type: str | None = None
    value: Text | None = None


class ViewState(_Shape):
    # block_id -> action_id -> the element's state; what an element's state holds is the
    # form's business (a handler refuses a value it cannot use on the field).
    values: dict[str, dict[str, dict[str, Any]]]


class View(_Shape):
    id: str | None = None
    type: str | None = None
    callback_id: str = ""
    private_metadata: Annotated[str, StringConstraints(max_length=3000)] = ""
    state: ViewState | None = None
    team_id: Id | None = None
    app_id: Id | None = None
    app_installed_team_id: Id | None = None


class Container(_Shape):
    type: str | None = None
    channel_id: Id | None = None
    message_ts: Ts | None = None
    is_ephemeral: bool | None = None
    view_id: str | None = None


class PayloadMessage(_Shape):
    ts: Ts | None = None
    thread_ts: Ts | None = None
    user: Id | None = None
    text: Text | None = None
    blocks: list[dict[str, Any]] | None = None


class _Interaction(_Shape):
    """What every interactive payload may carry, as Bolt and Parley read it."""

    user: UserRef
    team: TeamRef | None = None
    enterprise: str | dict[str, Any] | None = None
    api_app_id: Id | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    channel: ChannelRef | None = None
    container: Container | None = None
    message: PayloadMessage | None = None
    view: View | None = None
    function_data: dict[str, Any] | None = None


class BlockActions(_Interaction):
    type: Literal["block_actions"]
    actions: Annotated[list[Action], Field(min_length=1, max_length=25)]
    state: ViewState | None = None


class ViewSubmission(_Interaction):
    type: Literal["view_submission"]
    view: View


class ViewClosed(_Interaction):
    type: Literal["view_closed"]
    view: View
    is_cleared: bool | None = None


class MessageShortcut(_Interaction):
    type: Literal["message_action"]
    callback_id: str
    message: PayloadMessage
    message_ts: Ts | None = None


class GlobalShortcut(_Interaction):
    type: Literal["shortcut"]
    callback_id: str


class BlockSuggestion(_Interaction):
    type: Literal["block_suggestion"]
    action_id: str
    value: Text | None = None


PAYLOADS: dict[str, type[_Interaction]] = {
    "block_actions": BlockActions,
    "view_submission": ViewSubmission,
    "view_closed": ViewClosed,
    "message_action": MessageShortcut,
    "shortcut": GlobalShortcut,
    "block_suggestion": BlockSuggestion,
}


# --- slash commands -----------------------------------------------------------------------


class SlashCommand(_Shape):
    command: Annotated[str, StringConstraints(pattern=r"^/[^\s/]{1,31}$")]
    text: Text = ""
    user_id: Id
    channel_id: Id
    team_id: Id
    api_app_id: Id | None = None
    response_url: str | None = None
    trigger_id: str | None = None


# --- the whole body -----------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """A request body as read once: an Events API JSON body, an interactive payload, or a
    slash command's form; checked against the models above."""

    json: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    form: dict[str, str] = field(default_factory=dict)
    # The envelope, payload or command as its model read it (for the edge's own checks).
    model: _Shape | None = None

    @property
    def body(self) -> dict[str, Any]:
        """The body as Bolt reads it: the JSON, the payload, or the form's fields."""
        if self.json is not None:
            return self.json
        if self.payload is not None:
            return self.payload
        return dict(self.form)

    @property
    def kind(self) -> str:
        """`event_callback`, `url_verification`, `app_rate_limited`, a payload's type
        (`block_actions`, …) or `command`."""
        if self.json is not None:
            return str(self.json["type"])
        if self.payload is not None:
            return str(self.payload["type"])
        return "command"

    @property
    def is_event(self) -> bool:
        """An Events API delivery, which Slack retries when it is not answered 2xx."""
        return self.json is not None

    def audience(self) -> tuple[set[str], str | None]:
        """(the workspaces the request is for, the app it is for): what Bolt would read.

        An event in a shared channel carries the channel's host workspace in `team_id` and
        ours in `authorizations`; a form opened in another organisation's channel carries
        ours in `view.app_installed_team_id`; a button in a shared channel carries ours in
        `team.id`. Fields Slack leaves out give nothing (a shortcut carries no app id)."""
        model = self.model
        if isinstance(model, EventCallback):
            teams = {a.team_id for a in model.authorizations or [] if a.team_id}
            return teams or {model.team_id}, model.api_app_id
        if isinstance(model, AppRateLimited):
            return {model.team_id}, model.api_app_id
        if isinstance(model, SlashCommand):
            # Its team_id is the receiving workspace, or a hint of the invoker's own team
            # (the stand-in's hold_back_team=False), which cannot be told from another
            # installation's: a command is checked by its app, and who typed it is placed
            # by Slack's record of them (bot/commands/identity.py).
            return set(), model.api_app_id
        if isinstance(model, _Interaction):
            view = model.view
            team = (
                (view.app_installed_team_id if view is not None else None)
                or (model.team.id if model.team is not None else None)
                or model.user.team_id
            )
            app = model.api_app_id or (view.app_id if view is not None else None)
            return ({team} if team else set()), app
        return set(), None


_FIELD = re.compile(r"^(?!\w{1,40}$).*$", re.DOTALL)


def _check(model: type[_Shape], value: object, what: str) -> _Shape:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        # Keys of a dict are the sender's text: only names that look like field names.
        where = ".".join(_FIELD.sub("?", str(part)) for part in first["loc"]) or "the body"
        raise Malformed(f"{what}: {where}: {first['msg']}") from None


def _load(text: str, what: str) -> Any:
    # A cheap upper bound first: a body with few brackets cannot be nested deeply.
    if text.count("{") + text.count("[") > MAX_DEPTH and _depth(text) > MAX_DEPTH:
        raise Malformed(f"{what} is nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed(f"{what} is not JSON") from None


def _depth(text: str) -> int:
    """How deeply the JSON text nests, counting brackets outside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def read_body(text: str) -> Shape:
    """The shape of a Slack request body; Malformed for any shape Slack never sends."""
    if text.lstrip().startswith("{"):
        body = _load(text, "the JSON body")
        if not isinstance(body, dict):
            raise Malformed("the JSON body is not an object")
        if "event" in body and not isinstance(body["event"], dict):
            raise Malformed("event: not an object")  # Bolt reads `body.get("event", {})`
        kind = body.get("type")
        envelope = ENVELOPES.get(kind) if isinstance(kind, str) else None
        if envelope is None:
            raise Malformed("the JSON body is not an Events API envelope")
        model = _check(envelope, body, str(kind))
        if isinstance(model, EventCallback):
            event = model.event
            event_type = event.get("type")
            if not isinstance(event_type, str):
                raise Malformed("event: type: missing")
            _check(EVENT_SHAPES.get(event_type, AnyEvent), event, f"event {event_type}")
        return Shape(json=body, model=model)
    form = _form(text)
    if "payload" in form:
        if len(form) != 1:
            raise Malformed("an interactive payload comes alone")
        payload = _load(form["payload"], "the payload")
        if not isinstance(payload, dict):
            raise Malformed("the payload is not an object")
        kind = payload.get("type")
        shape = PAYLOADS.get(kind) if isinstance(kind, str) else None
        if shape is None:
            raise Malformed("the payload's type is not one Parley is sent")
        return Shape(payload=payload, model=_check(shape, payload, str(kind)))
    if "command" in form:
        return Shape(form=form, model=_check(SlashCommand, form, "command"))
    raise Malformed("neither an event, a payload nor a command")


def _form(text: str) -> dict[str, str]:
    try:
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=False)
    except ValueError:
        raise Malformed("not a form") from None
    if any(len(values) > 1 for values in fields.values()):
        # Bolt would read the last, Parley the first: Slack never repeats a field.
        raise Malformed("a form field is repeated")
    return {key: values[0] for key, values in fields.items()}


def is_ssl_check(body: bytes) -> bool:
    """Slack checking a slash command's URL (`ssl_check=1`): answered 200 before anything,
    as Bolt does, and nothing else in the body is ever read."""
    if b"ssl_check" not in body[:4096]:
        return False
    try:
        fields = parse_qs(body.decode("ascii"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return False
    return fields.get("ssl_check") == ["1"]


def signature_valid(
    secret: bytes, body: bytes, timestamp: str, signature: str, *, now: float
) -> bool:
    """Slack's v0 signature over the body's bytes, within five minutes of `now`.

    slack_sdk's verifier decodes the body first, so a forged body that is not UTF-8 raised
    instead of being refused."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogateescape"))


def foreign(shape: Shape, *, team_id: str, app_id: str | None) -> str | None:
    """Why the request is for another workspace or app than this installation; None if it
    is ours (or carries nothing to tell)."""
    teams, app = shape.audience()
    if teams and team_id not in teams:
        return "another workspace"
    if app_id is not None and app is not None and app != app_id:
        return "another app"
    return None


def replay_key(signature: str) -> str:
    """The key a request is remembered by: its (verified) signature, the HMAC of its
    timestamp and body, so the same body signed at another moment is another key."""
    return signature.removeprefix("v0=")


@dataclass(frozen=True)
class Installation:
    """The one workspace and app this Parley serves (auth.test and Parley's bot user, at
    start); `app_id` is None when Slack did not say."""

    team_id: str
    app_id: str | None


def is_chatter(shape: Shape) -> bool:
    """A `message` event in no thread at all: neither the message, the one an edit changed,
    nor the one a deletion removed has a `thread_ts`. Nothing Parley keeps is at the top
    level of a channel (it records replies in dispute threads and review reminders' threads,
    `bot/commands/messages.py`), so the edge answers it without handing it to Bolt: in a busy
    channel almost every event Slack sends is one."""
    body = shape.json
    if body is None or body.get("type") != "event_callback":
        return False
    event = body.get("event")
    if not isinstance(event, dict) or event.get("type") != "message":
        return False
    for message in (event, event.get("message"), event.get("previous_message")):
        if isinstance(message, dict) and message.get("thread_ts"):
            return False
    return True


def is_message(shape: Shape) -> bool:
    """A `message` event (of any subtype; `app_mention` is not one): taken at the edge
    (`bot/commands/events.py: take_message`), never handed to Bolt."""
    body = shape.json
    if body is None or body.get("type") != "event_callback":
        return False
    event = body.get("event")
    return isinstance(event, dict) and event.get("type") == "message"
