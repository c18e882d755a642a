"""Socket Mode for ``SlackStandIn``: a websocket that behaves like Slack's ``wss://`` link.

``apps.connections.open`` (answered by the stand-in) issues a URL
``ws://HOST:PORT/socket/<id>``; a client that connects gets Slack's ``hello`` and then the
envelopes a test pushes with :meth:`SocketModeServer.send`, which waits for the client's ack
``{"envelope_id": ..., "payload": {...}}`` and returns it.  Like Slack:

* the server answers websocket pings (slack_sdk pings every ``ping_interval`` seconds and
  reconnects when the pongs stop);
* :meth:`SocketModeServer.disconnect` sends ``{"type": "disconnect", "reason": ...}``, after
  which slack_sdk asks ``apps.connections.open`` for a new URL and reconnects;
* ``events_api`` envelopes do not accept a response payload; the others do.

Anything Slack would not accept from the app (a message that is not JSON, an ack for an
envelope that was never sent or arrived after the deadline) goes to ``report``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

SOCKET_PATH = "/socket/{sid}"
ENVELOPE_TYPES = frozenset({"slash_commands", "interactive", "events_api"})
ACK_TIMEOUT_SECONDS = 3.0  # Slack: acknowledge an envelope within three seconds
CLOSE_TIMEOUT_SECONDS = 1.0


@dataclass
class SocketConnection:
    """One websocket a client opened."""

    sid: str
    ws: web.WebSocketResponse
    opened_at: float
    closed_at: float | None = None
    close_code: int | None = None
    closed_by: str | None = None  # "client" or "server"
    received: list[Any] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and not self.ws.closed


@dataclass
class _Pending:
    connection: SocketConnection
    future: asyncio.Future[dict[str, Any]]


class SocketModeServer:
    """The websocket half of Socket Mode; ``SlackStandIn`` issues the URLs and routes to it."""

    def __init__(
        self,
        *,
        app_id: str,
        notify: Callable[[], None],
        report: Callable[[str], None],
    ) -> None:
        self.app_id = app_id
        self._notify = notify
        self._report = report
        self.issued: dict[str, float] = {}  # connection id -> when apps.connections.open issued it
        self.connections: list[SocketConnection] = []
        self.envelopes: list[dict[str, Any]] = []
        self.acks: list[dict[str, Any]] = []
        self._pending: dict[str, _Pending] = {}
        self._sent_ids: set[str] = set()

    # --- setup -------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(SOCKET_PATH, self._handle)

    def issue_url(self, base_url: str) -> str:
        """A new websocket URL on the server at ``base_url`` (``http://host:port``)."""
        sid = secrets.token_hex(12)
        self.issued[sid] = time.time()
        return base_url.replace("http://", "ws://", 1) + SOCKET_PATH.format(sid=sid)

    # --- state -------------------------------------------------------------------------

    @property
    def open_connections(self) -> list[SocketConnection]:
        return [c for c in self.connections if c.is_open]

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self.open_connections),
            "debug_info": {
                "host": "applink-sandbox",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    # --- the websocket -----------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        sid = request.match_info["sid"]
        if sid not in self.issued:
            # Slack refuses the handshake for a link it did not hand out.
            return web.Response(status=404, text="unknown socket link")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = SocketConnection(sid=sid, ws=ws, opened_at=time.time())
        self.connections.append(connection)
        self._notify()
        try:
            await ws.send_json(self._hello())
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_text(connection, message.data)
                elif message.type == WSMsgType.BINARY:
                    self._report("socket mode: the app sent a binary frame (Slack expects JSON)")
                elif message.type == WSMsgType.ERROR:
                    break
        except ConnectionError:
            pass  # the client went away mid-send: Slack shrugs too
        finally:
            connection.closed_at = time.time()
            connection.close_code = ws.close_code
            if connection.closed_by is None:
                connection.closed_by = "client"
            self._fail_pending(connection)
            self._notify()
        return ws

    def _on_text(self, connection: SocketConnection, data: str) -> None:
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            self._report(f"socket mode: the app sent a message that is not JSON: {data[:80]!r}")
            return
        connection.received.append(message)
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        if not isinstance(envelope_id, str):
            self._report(f"socket mode: the app sent a message without envelope_id: {data[:80]!r}")
            return
        pending = self._pending.pop(envelope_id, None)
        if pending is None:
            if envelope_id in self._sent_ids:
                self._report(f"socket mode: ack for envelope {envelope_id} came after the deadline")
            else:
                self._report(f"socket mode: ack for unknown envelope {envelope_id}")
            return
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            self._report(f"socket mode: ack payload for {envelope_id} is not a JSON object")
        self.acks.append(message)
        if not pending.future.done():
            pending.future.set_result(message)
        self._notify()

    def _fail_pending(self, connection: SocketConnection) -> None:
        for envelope_id, pending in list(self._pending.items()):
            if pending.connection is connection:
                del self._pending[envelope_id]
                if not pending.future.done():
                    pending.future.set_exception(
                        ConnectionError(
                            f"the Socket Mode connection closed before envelope {envelope_id} "
                            "was acknowledged"
                        )
                    )

    # --- pushing -----------------------------------------------------------------------

    def _current(self) -> SocketConnection:
        connections = self.open_connections
        if not connections:
            raise RuntimeError("no Socket Mode client is connected")
        return connections[-1]

    async def send(
        self,
        payload_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = ACK_TIMEOUT_SECONDS,  # noqa: ASYNC109 - Slack's ack deadline
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> dict[str, Any]:
        """Send an envelope to the newest open connection; return the client's ack.

        Raises ``TimeoutError`` when no ack arrives within ``timeout`` seconds and
        ``ConnectionError`` when the connection closes first.
        """
        if payload_type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {payload_type!r}")
        connection = self._current()
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": payload_type,
            "accepts_response_payload": payload_type != "events_api",
        }
        if payload_type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = _Pending(connection, future)
        self._sent_ids.add(envelope_id)
        self.envelopes.append(envelope)
        try:
            await connection.ws.send_json(envelope)
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no ack for the {payload_type} envelope {envelope_id} within {timeout}s"
            ) from None
        finally:
            self._pending.pop(envelope_id, None)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Tell every open connection to reconnect, as Slack does before it rotates links."""
        message = {
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": "applink-sandbox"},
        }
        for connection in self.open_connections:
            with contextlib.suppress(ConnectionError):
                await connection.ws.send_json(message)

    async def close_all(self) -> None:
        """Close every open connection (the stand-in is stopping)."""
        for connection in self.open_connections:
            connection.closed_by = "server"
            with contextlib.suppress(ConnectionError, asyncio.TimeoutError):
                await asyncio.wait_for(
                    connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping"),
                    CLOSE_TIMEOUT_SECONDS,
                )
