"""Fuzzing the front door: whatever arrives at /slack/events, never a 500, never a change."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.envelopes import is_ssl_check
from bot.sandbox.harness import Running
from tests.conftest import snapshot

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)

SLASH_FIELDS = [
    "command",
    "text",
    "user_id",
    "channel_id",
    "team_id",
    "response_url",
    "trigger_id",
    "user_name",
]


@st.composite
def slash_forms(draw: st.DrawFn) -> bytes:
    fields = {
        key: draw(
            st.one_of(
                st.text(max_size=60),
                st.sampled_from(
                    ["/dispute", "/party", "U0ALICE", "C0DESK", "T0PARLEY", "open x", "show D-1"]
                ),
            )
        )
        for key in draw(
            st.lists(st.sampled_from(SLASH_FIELDS), unique=True, max_size=len(SLASH_FIELDS))
        )
    }
    return urllib.parse.urlencode(fields).encode()


@st.composite
def interactive_forms(draw: st.DrawFn) -> bytes:
    payload: Any = draw(
        st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(
                        [
                            "block_actions",
                            "view_submission",
                            "message_action",
                            "shortcut",
                            "view_closed",
                            "nonsense",
                        ]
                    )
                },
                optional={
                    "user": st.one_of(
                        json_values,
                        st.fixed_dictionaries(
                            {
                                "id": st.sampled_from(["U0ALICE", "U0RAJ", "UNOPE"]),
                                "team_id": st.sampled_from(["T0PARLEY", "T0ACME"]),
                            }
                        ),
                    ),
                    "actions": json_values,
                    "view": json_values,
                    "channel": json_values,
                    "message": json_values,
                    "trigger_id": st.text(max_size=10),
                    "callback_id": st.sampled_from(
                        ["open_dispute_from_message", "dispute_reason", "dispute_open", "x"]
                    ),
                    "team": json_values,
                    "api_app_id": st.sampled_from(["A0PARLEY", "A0OTHER"]),
                    "state": st.one_of(json_values, st.just({"values": {"b": {"a": {}}}})),
                },
            ),
        )
    )
    raw = json.dumps(payload) if draw(st.booleans()) else draw(st.text(max_size=200))
    return urllib.parse.urlencode({"payload": raw}).encode()


@st.composite
def event_bodies(draw: st.DrawFn) -> bytes:
    event = draw(
        st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(
                        [
                            "message",
                            "app_home_opened",
                            "channel_shared",
                            "member_joined_channel",
                            "x",
                        ]
                    )
                },
                optional={
                    "subtype": st.sampled_from(
                        [
                            "message_changed",
                            "message_deleted",
                            "bot_message",
                            "thread_broadcast",
                            None,
                        ]
                    ),
                    "channel": st.one_of(st.sampled_from(["C0DESK", "C0ACME"]), json_values),
                    "user": st.one_of(st.sampled_from(["U0ALICE", "U0RAJ"]), json_values),
                    "ts": st.one_of(st.sampled_from(["1.1", "1700000000.000100"]), json_values),
                    "thread_ts": st.one_of(
                        st.sampled_from(["1.1", "1700000000.000100"]), json_values
                    ),
                    "text": json_values,
                    "message": json_values,
                    "previous_message": json_values,
                },
            ),
        )
    )
    envelope: dict[str, Any] = {
        "type": draw(
            st.sampled_from(["event_callback", "url_verification", "app_rate_limited", "x"])
        ),
        "event": event,
        "event_id": draw(st.one_of(st.text(max_size=20), st.just("Ev0FUZZ"))),
        "team_id": draw(st.sampled_from(["T0PARLEY", "T0ACME"])),
        "api_app_id": draw(st.sampled_from(["A0PARLEY", "A0OTHER"])),
        "challenge": "c",
    }
    if draw(st.booleans()):
        envelope["authorizations"] = draw(
            st.one_of(
                json_values,
                st.just([{"team_id": "T0PARLEY", "user_id": "U0PARLEY", "is_bot": True}]),
            )
        )
    return json.dumps(envelope).encode()


def bodies() -> st.SearchStrategy[tuple[bytes, str]]:
    return st.one_of(
        slash_forms().map(lambda b: (b, "application/x-www-form-urlencoded")),
        st.just((b"ssl_check=1&token=t", "application/x-www-form-urlencoded")),
        interactive_forms().map(lambda b: (b, "application/x-www-form-urlencoded")),
        event_bodies().map(lambda b: (b, "application/json")),
        st.text(max_size=300).map(lambda t: (t.encode(), "application/octet-stream")),
    )


async def test_signed_nonsense_never_breaks_anything(app: Running) -> None:
    await app.driver.command(
        "/dispute", "open Existing with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    before = await snapshot(app.store)
    # hypothesis drives a sync function: run each example on this loop from a worker thread
    import asyncio

    loop = asyncio.get_running_loop()

    def run_one(raw: bytes, content_type: str) -> Any:
        return asyncio.run_coroutine_threadsafe(
            app.driver.raw(raw, {**app.driver.signed_headers(raw), "Content-Type": content_type}),
            loop,
        ).result(timeout=30)

    @SETTINGS
    @given(body=bodies())
    def check_threaded(body: tuple[bytes, str]) -> None:
        raw, content_type = body
        reply = run_one(raw, content_type)
        assert reply.status < 500, (reply.status, raw[:200])
        assert "Traceback" not in reply.text

    await asyncio.to_thread(check_threaded)
    await app.settle()
    after = await snapshot(app.store)
    # Random events may not add replies (no thread matches), commands from fuzz users change nothing
    # that the real ones would not: compare what matters, the disputes and their timeline.
    assert after["disputes"] == before["disputes"]
    assert after["timeline"] == before["timeline"]


async def test_unsigned_nonsense_is_always_401(app: Running) -> None:
    import asyncio

    loop = asyncio.get_running_loop()

    @SETTINGS
    @given(
        body=bodies(),
        headers=st.dictionaries(
            st.sampled_from(
                [
                    "X-Slack-Signature",
                    "X-Slack-Request-Timestamp",
                    "Content-Type",
                    "X-Slack-Retry-Num",
                ]
            ),
            st.text(max_size=40),
            max_size=4,
        ),
    )
    def check(body: tuple[bytes, str], headers: dict[str, str]) -> None:
        headers = {k: v for k, v in headers.items() if v.isascii() and v.isprintable()}
        reply = asyncio.run_coroutine_threadsafe(app.driver.raw(body[0], headers), loop).result(
            timeout=30
        )
        # Slack's certificate check is answered unsigned (and nothing else of it is read).
        assert reply.status == (200 if is_ssl_check(body[0]) else 401)

    before = await snapshot(app.store)
    await asyncio.to_thread(check)
    assert await snapshot(app.store) == before
