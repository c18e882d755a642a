"""SlackStandIn, exercised through slack_sdk's real AsyncWebClient."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.slack_api import SlackStandIn
from bot.sandbox.workspace import (
    ACME,
    ACME_SHARED,
    ALICE,
    BOB,
    CAROL,
    DESK,
    LEGAL,
    RAJ,
    RANDOM,
    Channel,
    User,
)

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*D-1* opened"}}
MODAL = {
    "type": "modal",
    "callback_id": "dispute_modal",
    "title": {"type": "plain_text", "text": "Open a dispute"},
    "submit": {"type": "plain_text", "text": "Open"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def ts_key(ts: str) -> tuple[int, int]:
    seconds, micros = ts.split(".")
    return int(seconds), int(micros)


async def slack_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        await call
    return str(info.value.response["error"])


async def test_post_message_gives_increasing_ts_and_records_decoded_blocks(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    first = await client.chat_postMessage(channel=DESK, text="D-1 opened", blocks=[SECTION])
    # The form-encoded way (blocks as a JSON string), as older code and Slack's docs send it.
    second = await client.api_call(
        "chat.postMessage",
        data={"channel": DESK, "text": "reply", "thread_ts": first["ts"], "blocks": "[]"},
    )
    assert ts_key(second["ts"]) > ts_key(first["ts"])
    assert first["channel"] == DESK
    assert first["message"]["bot_id"] == "B0PARLEY"
    assert first["message"]["blocks"] == [SECTION]

    calls = standin.calls_to("chat.postMessage")
    assert [c.args["blocks"] for c in calls] == [[SECTION], []]
    assert calls[0].response is not None and calls[0].response["ts"] == first["ts"]

    messages = standin.messages(DESK)
    assert [m.text for m in messages] == ["D-1 opened", "reply"]
    assert all(m.is_bot for m in messages)
    assert messages[1].thread_ts == first["ts"]
    parent = standin.message(DESK, first["ts"])
    assert parent is not None and parent.replies == [second["ts"]]
    assert standin.violations == []


async def test_users_info_internal_external_and_unknown(client: AsyncWebClient) -> None:
    alice = (await client.users_info(user=ALICE))["user"]
    assert alice["team_id"] == "T0PARLEY"
    assert alice["tz"] == "Asia/Shanghai"
    assert alice["tz_offset"] == 8 * 3600
    assert alice["profile"]["real_name"] == "Alice Chen"
    assert alice["is_bot"] is False

    raj = (await client.users_info(user=RAJ))["user"]
    assert raj["team_id"] == ACME
    assert raj["real_name"] == "Raj Patel"

    assert await slack_error(client.users_info(user="U0NOBODY")) == "user_not_found"

    acme = (await client.team_info(team=ACME))["team"]
    assert acme["name"] == "Acme Networks"
    assert (await client.team_info())["team"]["domain"] == "northwind"
    assert await slack_error(client.team_info(team="T0NOPE")) == "team_not_found"

    members = await client.users_list()
    assert {m["id"] for m in members["members"]} == {"U0PARLEY", ALICE, BOB, CAROL}
    assert members["response_metadata"]["next_cursor"] == ""


async def test_tests_can_add_people_and_channels(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    standin.workspace.add_user(User("U0DAN", ACME, "dan", "Dan Wu", tz="Asia/Kolkata"))
    standin.workspace.add_channel(Channel("C0NEW", "new-shared", members=["U0DAN", "U0PARLEY"]))
    assert (await client.users_info(user="U0DAN"))["user"]["team_id"] == ACME
    assert (await client.conversations_members(channel="C0NEW"))["members"] == [
        "U0DAN",
        "U0PARLEY",
    ]


async def test_a_wrong_or_missing_token_is_refused(standin: SlackStandIn) -> None:
    wrong = AsyncWebClient(token="xoxb-not-ours", base_url=standin.api_url)
    assert await slack_error(wrong.auth_test()) == "invalid_auth"
    missing = AsyncWebClient(base_url=standin.api_url)
    assert await slack_error(missing.auth_test()) == "not_authed"
    assert [c.error for c in standin.calls] == ["invalid_auth", "not_authed"]


async def test_unknown_method_and_missing_argument_are_violations(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    assert await slack_error(client.api_call("chat.teleport")) == "unknown_method"
    assert await slack_error(client.api_call("chat.postMessage", json={"text": "x"})) == (
        "invalid_arguments"
    )
    assert standin.violations == [
        "chat.teleport: unknown method (not in Slack's Web API spec)",
        "chat.postMessage: missing required argument 'channel'",
    ]
    assert [c.method for c in standin.calls] == ["chat.teleport", "chat.postMessage"]


async def test_known_but_unimplemented_methods_answer_ok_and_are_listed(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    assert (await client.api_call("pins.add", json={"channel": DESK}))["ok"] is True
    assert standin.unimplemented == {"pins.add"}


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
        [SECTION] * 51,
        [{"type": "hologram"}],
        [{"type": "section"}],
        [
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "y" * 80}}],
            }
        ],
    ],
    ids=["section-text-3001", "51-blocks", "unknown-type", "empty-section", "long-button"],
)
async def test_invalid_blocks_are_rejected(
    standin: SlackStandIn, client: AsyncWebClient, blocks: list[dict[str, Any]]
) -> None:
    error = await slack_error(client.chat_postMessage(channel=DESK, text="x", blocks=blocks))
    assert error == "invalid_blocks"
    assert len(standin.violations) == 1
    assert "invalid blocks" in standin.violations[0]
    assert standin.messages(DESK) == []


async def test_blocks_without_fallback_text_are_a_violation(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    # slack_sdk itself warns (and filterwarnings=error would make that fail a test) ...
    with pytest.warns(UserWarning, match="`text` argument is missing"):
        await client.chat_postMessage(channel=DESK, blocks=[SECTION])
    # ... and the stand-in records it, also for calls that bypass the helper.
    await client.api_call("chat.postMessage", json={"channel": DESK, "blocks": [SECTION]})
    assert len(standin.violations) == 2
    assert "no fallback text" in standin.violations[0]


async def test_channel_rules(standin: SlackStandIn, client: AsyncWebClient) -> None:
    assert await slack_error(client.chat_postMessage(channel=RANDOM, text="x")) == (
        "not_in_channel"
    )
    assert await slack_error(client.chat_postMessage(channel="C0NOPE", text="x")) == (
        "channel_not_found"
    )
    assert await slack_error(client.api_call("chat.postMessage", json={"channel": DESK})) == (
        "no_text"
    )
    await client.chat_postMessage(channel=LEGAL, text="private, but the bot is a member")
    await client.chat_postMessage(channel="#service-desk", text="by name")
    assert standin.messages(DESK)[0].text == "by name"

    joined = await client.conversations_join(channel=RANDOM)
    assert joined["channel"]["is_member"] is True
    await client.chat_postMessage(channel=RANDOM, text="now it works")
    again = await client.conversations_join(channel=RANDOM)
    assert again["warning"] == "already_in_channel"
    assert await slack_error(client.conversations_join(channel=LEGAL)) == (
        "method_not_supported_for_channel_type"
    )

    info = (await client.conversations_info(channel=ACME_SHARED))["channel"]
    assert info["is_ext_shared"] is True
    assert info["shared_team_ids"] == ["T0PARLEY", ACME]
    assert await slack_error(client.conversations_info(channel="C0NOPE")) == ("channel_not_found")
    standin.workspace.channels[DESK].is_archived = True
    assert await slack_error(client.chat_postMessage(channel=DESK, text="x")) == "is_archived"


async def test_update_delete_ephemeral_permalink_and_dms(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel=DESK, text="v1")
    updated = await client.chat_update(channel=DESK, ts=posted["ts"], text="v2", blocks=[SECTION])
    assert updated["text"] == "v2"
    message = standin.message(DESK, posted["ts"])
    assert message is not None
    assert (message.text, message.blocks) == ("v2", [SECTION])
    assert [v.text for v in message.history] == ["v1"]
    assert message.to_api()["edited"]["user"] == "U0PARLEY"

    human = standin.post_human_message(ALICE, DESK, "hello <@U0PARLEY>")
    assert await slack_error(client.chat_update(channel=DESK, ts=human.ts, text="x")) == (
        "cant_update_message"
    )
    assert await slack_error(client.chat_update(channel=DESK, ts="1.000001", text="x")) == (
        "message_not_found"
    )

    reply = await client.chat_postMessage(channel=DESK, text="in thread", thread_ts=human.ts)
    link = await client.chat_getPermalink(channel=DESK, message_ts=reply["ts"])
    assert link["permalink"] == (
        f"https://northwind.slack.com/archives/{DESK}/p{reply['ts'].replace('.', '')}"
        f"?thread_ts={human.ts}&cid={DESK}"
    )
    top = await client.chat_getPermalink(channel=DESK, message_ts=human.ts)
    assert top["permalink"].endswith(f"/p{human.ts.replace('.', '')}")

    await client.chat_delete(channel=DESK, ts=posted["ts"])
    assert [m.ts for m in standin.messages(DESK)] == [human.ts, reply["ts"]]

    ephemeral = await client.chat_postEphemeral(channel=DESK, user=BOB, text="only you")
    assert standin.ephemeral_messages(DESK, BOB)[0].ts == ephemeral["message_ts"]
    assert await slack_error(client.chat_postEphemeral(channel=DESK, user=RAJ, text="x")) == (
        "user_not_in_channel"
    )

    dm = await client.conversations_open(users=ALICE)
    assert dm["channel"]["id"] == "D0ALICE"
    await client.chat_postMessage(channel=dm["channel"]["id"], text="psst")
    assert [m.text for m in standin.messages("D0ALICE")] == ["psst"]
    assert standin.violations == []


async def test_views_open_needs_a_fresh_trigger(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    trigger = standin.issue_trigger_id(ALICE)
    opened = await client.views_open(trigger_id=trigger, view=MODAL)
    view = opened["view"]
    assert view["id"].startswith("V")
    assert view["hash"]
    assert standin.open_views[view["id"]]["callback_id"] == "dispute_modal"
    assert await slack_error(client.views_open(trigger_id=trigger, view=MODAL)) == (
        "expired_trigger_id"
    )
    assert await slack_error(client.views_open(trigger_id="123.456.abc", view=MODAL)) == (
        "invalid_trigger_id"
    )

    changed = {**MODAL, "title": {"type": "plain_text", "text": "Dispute opened"}}
    updated = await client.views_update(view_id=view["id"], view=changed, hash=view["hash"])
    assert updated["view"]["title"]["text"] == "Dispute opened"
    assert await slack_error(client.views_update(view_id=view["id"], view=changed, hash="1.x")) == (
        "hash_conflict"
    )
    assert standin.violations == []

    too_long = {**MODAL, "title": {"type": "plain_text", "text": "A title that is far too long"}}
    error = await slack_error(
        client.views_open(trigger_id=standin.issue_trigger_id(ALICE), view=too_long)
    )
    assert error == "invalid_arguments"
    assert "title" in standin.violations[0]


async def test_views_publish_keeps_the_latest_home_per_user(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    home = {"type": "home", "external_id": "home-alice", "blocks": [SECTION]}
    first = await client.views_publish(user_id=ALICE, view=home)
    second = await client.views_publish(user_id=ALICE, view={**home, "blocks": [SECTION] * 2})
    assert first["view"]["id"] == second["view"]["id"]
    assert len(standin.home_views[ALICE]["blocks"]) == 2
    by_external = await client.views_update(external_id="home-alice", view=home)
    assert len(by_external["view"]["blocks"]) == 1
    assert standin.home_views[ALICE]["blocks"] == [SECTION]


async def test_response_url_can_be_used_five_times(standin: SlackStandIn) -> None:
    posted = standin.post_human_message(ALICE, DESK, "hi")
    url = standin.response_url(DESK, ALICE, message_ts=posted.ts)
    statuses = []
    async with aiohttp.ClientSession() as session:
        for n in range(6):
            async with session.post(url, json={"text": f"answer {n}"}) as response:
                statuses.append(response.status)
                body = await response.json()
    assert statuses == [200] * 5 + [404]
    assert body == {"ok": False, "error": "used_url"}
    calls = standin.calls_to("response_url")
    assert len(calls) == 6
    assert calls[0].args == {"text": "answer 0", "_channel": DESK, "_user": ALICE}
    assert [m.text for m in standin.ephemeral_messages(DESK, ALICE)] == [
        f"answer {n}" for n in range(5)
    ]


async def test_response_url_in_channel_and_replace_original(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    card = await client.chat_postMessage(channel=DESK, text="card", blocks=[SECTION])
    url = standin.response_url(DESK, ALICE, message_ts=card["ts"])
    async with aiohttp.ClientSession() as session:
        payload: dict[str, Any] = {"response_type": "in_channel", "text": "for everyone"}
        async with session.post(url, json=payload) as response:
            assert response.status == 200
        payload = {"replace_original": True, "text": "card v2", "blocks": [SECTION]}
        async with session.post(url, json=payload) as response:
            assert response.status == 200
        async with session.post(url, json={"blocks": [{"type": "nope"}]}) as response:
            assert response.status == 400
    texts = [m.text for m in standin.messages(DESK)]
    assert texts == ["card v2", "for everyone"]
    assert len(standin.violations) == 1


async def test_rate_limit_then_retry_succeeds(
    standin: SlackStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler sleeps Retry-After plus up to a second of jitter; drop the jitter.
    monkeypatch.setattr("random.random", lambda: 0.0)
    standin.fail_next(1, status=429, retry_after=0)
    client = AsyncWebClient(
        token=standin.bot_token,
        base_url=standin.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    posted = await client.chat_postMessage(channel=DESK, text="eventually")
    assert posted["ok"] is True
    calls = standin.calls_to("chat.postMessage")
    assert [c.faulted for c in calls] == [True, False]
    assert calls[0].status == 429
    assert len(standin.messages(DESK)) == 1


async def test_faults_without_retry_reach_the_caller(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    standin.fail_next(1, status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel=DESK, text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"

    standin.fail_next(1, status=503, method="users.info")
    await client.auth_test()  # not targeted
    with pytest.raises(SlackApiError) as info:
        await client.users_info(user=ALICE)
    assert info.value.response.status_code == 503
    assert [c.faulted for c in standin.calls] == [True, False, True]


async def test_delay_and_wait_for(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.delay_seconds = 0.05
    await client.auth_test()
    assert len(await standin.wait_for("auth.test")) == 1
    with pytest.raises(TimeoutError, match="chat.postMessage"):
        await standin.wait_for("chat.postMessage", timeout=0.05)


async def test_json_string_args_are_decoded_in_form_posts(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    await client.api_call(
        "views.open",
        data={"trigger_id": standin.issue_trigger_id(), "view": json.dumps(MODAL)},
    )
    assert standin.calls[-1].args["view"] == MODAL
    assert standin.calls[-1].ok
