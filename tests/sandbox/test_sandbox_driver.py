"""SlackDriver: what it sends, and that a real Bolt app accepts and handles it."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn
from bot.sandbox.workspace import ACME, ACME_SHARED, ALICE, DESK, RAJ

SECRET = "test-signing-secret"
CARD: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*D-1* Core switch outage"}},
    {
        "type": "actions",
        "block_id": "card_actions",
        "elements": [
            {
                "type": "button",
                "action_id": "escalate",
                "value": "D-1",
                "text": {"type": "plain_text", "text": "Escalate"},
            }
        ],
    },
]
MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "dispute_modal",
    "private_metadata": "D-1",
    "title": {"type": "plain_text", "text": "Open a dispute"},
    "submit": {"type": "plain_text", "text": "Open"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "party",
            "label": {"type": "plain_text", "text": "Party"},
            "element": {
                "type": "static_select",
                "action_id": "choice",
                "options": [
                    {"text": {"type": "plain_text", "text": "Acme Networks"}, "value": "acme"}
                ],
            },
        },
    ],
}


@dataclass
class Received:
    """What a plain receiver got: for checking the raw shapes the driver sends."""

    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def form(self, index: int = -1) -> dict[str, str]:
        return dict(parse_qsl(self.requests[index][1].decode(), keep_blank_values=True))

    def payload(self, index: int = -1) -> dict[str, Any]:
        return dict(json.loads(self.form(index)["payload"]))

    def json(self, index: int = -1) -> dict[str, Any]:
        return dict(json.loads(self.requests[index][1]))

    def headers(self, index: int = -1) -> dict[str, str]:
        return self.requests[index][0]


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/slack/events"


@pytest.fixture
async def receiver(standin: SlackStandIn) -> AsyncIterator[tuple[Received, SlackDriver]]:
    received = Received()

    async def handle(request: web.Request) -> web.Response:
        received.requests.append((dict(request.headers), await request.read()))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    runner, url = await serve(app)
    try:
        async with SlackDriver(url, SECRET, standin) as driver:
            yield received, driver
    finally:
        await runner.cleanup()


@dataclass
class BoltRig:
    driver: SlackDriver
    seen: list[tuple[str, dict[str, Any], AsyncBoltContext]] = field(default_factory=list)

    def bodies(self, kind: str) -> list[dict[str, Any]]:
        return [body for name, body, _ in self.seen if name == kind]


@pytest.fixture
async def bolt(standin: SlackStandIn) -> AsyncIterator[BoltRig]:
    """A small real Bolt app, served over HTTP, talking to the stand-in."""
    client = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)
    app = AsyncApp(client=client, signing_secret=SECRET)
    rig_seen: list[tuple[str, dict[str, Any], AsyncBoltContext]] = []

    @app.command("/dispute")
    async def on_command(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        await ack()
        rig_seen.append(("command", body, context))
        await respond(text=f"got: {body['text']}")

    @app.event("message")
    async def on_message(body: dict[str, Any], say: AsyncSay, context: AsyncBoltContext) -> None:
        rig_seen.append(("message", body, context))
        event = body["event"]
        subtype = event.get("subtype")
        if subtype is None:
            await say(text=f"echo {event['text']}", thread_ts=event["ts"])

    @app.action("escalate")
    async def on_escalate(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        await ack()
        rig_seen.append(("action", body, context))
        await respond(replace_original=True, text="D-1 escalated")

    @app.shortcut("file_dispute")
    async def on_shortcut(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        rig_seen.append(("shortcut", body, context))
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("dispute_modal")
    async def on_submit(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        rig_seen.append(("submission", body, context))
        if not body["view"]["state"]["values"]["title"]["value"]["value"]:
            await ack(response_action="errors", errors={"title": "A title, please"})
            return
        await ack()

    @app.event("app_home_opened")
    async def on_home(body: dict[str, Any], client: AsyncWebClient) -> None:
        user = body["event"]["user"]
        home = {"type": "home", "blocks": CARD[:1]}
        await client.views_publish(user_id=user, view=home)

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", handle)
    runner, url = await serve(web_app)
    try:
        async with SlackDriver(url, SECRET, standin) as driver:
            rig = BoltRig(driver=driver, seen=rig_seen)
            yield rig
    finally:
        await runner.cleanup()
    assert standin.violations == []


def test_signed_headers_verify_with_slack_sdk(standin: SlackStandIn) -> None:
    driver = SlackDriver("http://127.0.0.1:9/slack/events", SECRET, standin)
    body = b"token=x&command=%2Fdispute"
    headers = driver.signed_headers(body)
    verifier = SignatureVerifier(SECRET)
    timestamp = headers["X-Slack-Request-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 5
    assert verifier.is_valid(body, timestamp, headers["X-Slack-Signature"])
    forged = driver.signed_headers(body, secret="not-the-secret")
    assert not verifier.is_valid(
        body, forged["X-Slack-Request-Timestamp"], forged["X-Slack-Signature"]
    )
    stale = driver.signed_headers(body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid(
        body, stale["X-Slack-Request-Timestamp"], stale["X-Slack-Signature"]
    )


async def test_command_fields(
    standin: SlackStandIn, receiver: tuple[Received, SlackDriver]
) -> None:
    received, driver = receiver
    reply = await driver.command("/dispute", "open Outage", user=RAJ, channel=ACME_SHARED)
    assert reply.status == 200
    form = received.form()
    # Like Slack: the receiving workspace, not the invoker's own team
    assert form["team_id"] == "T0PARLEY"
    assert form["channel_name"] == "acme-shared"
    assert form["user_name"] == "raj"
    assert form["api_app_id"] == "A0PARLEY"
    assert form["is_enterprise_install"] == "false"
    assert form["response_url"].startswith(standin.base_url + "/response/")
    assert form["trigger_id"]
    assert set(form) >= {"token", "channel_id", "user_id", "command", "text"}
    await driver.command("/dispute", "list", user=RAJ, channel=ACME_SHARED, hold_back_team=False)
    hinted = received.form()
    assert hinted["team_id"] == ACME and hinted["team_domain"] == "acme"
    headers = received.headers()
    assert SignatureVerifier(SECRET).is_valid(
        received.requests[-1][1],
        headers["X-Slack-Request-Timestamp"],
        headers["X-Slack-Signature"],
    )


async def test_event_envelope_and_retry_headers(
    standin: SlackStandIn, receiver: tuple[Received, SlackDriver]
) -> None:
    received, driver = receiver
    stored, _ = await driver.message(RAJ, ACME_SHARED, "hello <@U0ALICE>")
    envelope = received.json()
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"].startswith("Ev")
    assert envelope["is_ext_shared_channel"] is True
    assert envelope["authorizations"][0]["user_id"] == "U0PARLEY"
    event = envelope["event"]
    assert (event["user"], event["ts"], event["channel"]) == (RAJ, stored.ts, ACME_SHARED)
    assert (event["team"], event["user_team"], event["source_team"]) == (ACME, ACME, ACME)
    assert event["channel_type"] == "channel"
    assert event["blocks"][0]["type"] == "rich_text"

    await driver.event(event, event_id="Ev0SAME", retry_num=1, retry_reason="http_timeout")
    assert received.json()["event_id"] == "Ev0SAME"
    assert received.headers()["X-Slack-Retry-Num"] == "1"
    assert received.headers()["X-Slack-Retry-Reason"] == "http_timeout"

    await driver.edit_message(ACME_SHARED, stored.ts, "hello again")
    changed = received.json()["event"]
    assert changed["subtype"] == "message_changed"
    assert changed["message"]["text"] == "hello again"
    assert changed["message"]["edited"]["user"] == RAJ
    assert changed["previous_message"]["text"] == "hello <@U0ALICE>"

    await driver.delete_message(ACME_SHARED, stored.ts)
    deleted = received.json()["event"]
    assert (deleted["subtype"], deleted["deleted_ts"]) == ("message_deleted", stored.ts)
    assert deleted["previous_message"]["text"] == "hello again"
    assert standin.messages(ACME_SHARED) == []


async def test_forged_and_stale_requests_are_refused_by_bolt(bolt: BoltRig) -> None:
    body = b"command=%2Fdispute&text=open"
    forged = bolt.driver.signed_headers(body, secret="wrong")
    assert (await bolt.driver.raw(body, forged)).status == 401
    stale = bolt.driver.signed_headers(body, timestamp=int(time.time()) - 600)
    assert (await bolt.driver.raw(body, stale)).status == 401
    assert bolt.seen == []


async def test_bolt_handles_a_command_and_responds(standin: SlackStandIn, bolt: BoltRig) -> None:
    reply = await bolt.driver.command("/dispute", "open Outage", user=ALICE, channel=DESK)
    assert reply.status == 200
    (call,) = await standin.wait_for("response_url")
    assert call.args["text"] == "got: open Outage"
    assert (call.args["_channel"], call.args["_user"]) == (DESK, ALICE)


async def test_bolt_sees_slack_connect_actors(standin: SlackStandIn, bolt: BoltRig) -> None:
    stored, reply = await bolt.driver.message(RAJ, ACME_SHARED, "the switch is down")
    assert reply.status == 200
    (call,) = await standin.wait_for("chat.postMessage")
    assert call.args["thread_ts"] == stored.ts
    _, _, context = bolt.seen[0]
    assert context.team_id == "T0PARLEY"
    assert context.actor_team_id == ACME
    assert context.actor_user_id == RAJ
    assert [m.text for m in standin.thread(ACME_SHARED, stored.ts)] == [
        "the switch is down",
        "echo the switch is down",
    ]


async def test_button_click_replaces_the_card(
    standin: SlackStandIn, bolt: BoltRig, client: AsyncWebClient
) -> None:
    card = await client.chat_postMessage(channel=DESK, text="D-1", blocks=CARD)
    reply = await bolt.driver.block_action(
        user=ALICE, channel=DESK, message_ts=card["ts"], action_id="escalate"
    )
    assert reply.status == 200
    await standin.wait_for("response_url")
    (body,) = bolt.bodies("action")
    action = body["actions"][0]
    assert (action["block_id"], action["value"], action["text"]["text"]) == (
        "card_actions",
        "D-1",
        "Escalate",
    )
    assert body["message"]["blocks"] == CARD
    message = standin.message(DESK, card["ts"])
    assert message is not None
    assert message.text == "D-1 escalated"
    assert [v.text for v in message.history] == ["D-1"]


async def test_shortcut_opens_a_modal_and_submission_closes_it(
    standin: SlackStandIn, bolt: BoltRig
) -> None:
    posted = standin.post_human_message(ALICE, DESK, "printer is on fire")
    reply = await bolt.driver.message_shortcut(
        callback_id="file_dispute", user=ALICE, channel=DESK, message_ts=posted.ts
    )
    assert reply.status == 200
    (opened,) = await standin.wait_for("views.open")
    assert opened.ok
    (view,) = standin.open_views.values()

    refused = await bolt.driver.view_submission(
        user=ALICE, view=view, values={"title": {"value": ""}, "party": {"choice": "acme"}}
    )
    assert refused.json == {"response_action": "errors", "errors": {"title": "A title, please"}}
    assert view["id"] in standin.open_views

    accepted = await bolt.driver.view_submission(
        user=ALICE, view=view, values={"title": {"value": "Fire"}, "party": {"choice": "acme"}}
    )
    assert accepted.status == 200
    assert standin.open_views == {}
    submitted = bolt.bodies("submission")[-1]["view"]
    assert submitted["private_metadata"] == "D-1"
    assert submitted["app_installed_team_id"] == "T0PARLEY"
    assert submitted["state"]["values"]["party"]["choice"]["selected_option"]["text"]["text"] == (
        "Acme Networks"
    )


async def test_home_opened_publishes(standin: SlackStandIn, bolt: BoltRig) -> None:
    assert (await bolt.driver.home_opened(ALICE)).status == 200
    await standin.wait_for("views.publish")
    assert standin.home_views[ALICE]["blocks"] == CARD[:1]
