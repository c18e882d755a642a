"""Opening a dispute from a modal: `/dispute open` with no text, and the message shortcut."""

from __future__ import annotations

from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from tests.conftest import snapshot as snapshot_of


async def snapshot(app: Running) -> dict[str, list[tuple[object, ...]]]:
    return await snapshot_of(app.store)


async def test_open_without_text_opens_the_modal_and_submitting_opens_the_dispute(
    app: Running,
) -> None:
    reply = await app.driver.command("/dispute", "open", user="U0ALICE", channel="C0DESK")
    assert reply.status == 200 and reply.text in ("", "null")
    view = (await app.slack.wait_for("views.open"))[0].args["view"]
    assert view["title"]["text"] == "Open a dispute"
    submitted = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={"title": {"text": "Backup SLA missed"}, "people": {"users": ["U0RAJ"]}},
    )
    assert submitted.status == 200 and submitted.text in ("", "null", "{}")
    await app.settle()
    card = app.slack.calls_to("chat.postMessage")[-1]
    assert card.args["channel"] == "C0DESK" and "D-1 · Backup SLA missed" in card.args["text"]
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert (
        d1 is not None
        and [p.name for p in d1.parties] == ["Acme Networks"]
        and d1.root_ts == card.response["ts"]
    )


async def test_modal_refusals_stay_on_the_form(app: Running) -> None:
    await app.driver.command("/dispute", "open", user="U0ALICE", channel="C0DESK")
    view = (await app.slack.wait_for("views.open"))[0].args["view"]
    before = await snapshot(app)
    cases = [
        ({"title": {"text": " "}}, "", "title", "The title is empty"),
        ({"title": {"text": "x" * 200}}, "", "title", "keep it to 150"),
        ({"title": {"text": "Fine"}, "people": {"users": ["U0PARLEY"]}}, "", "people", "is a bot"),
        (
            {"title": {"text": "Fine"}, "people": {"users": ["U0NOBODY"]}},
            "",
            "people",
            "can't find",
        ),
        ({"title": {"text": "Fine"}}, '{"channel": "not a channel"}', "title", "out of date"),
        ({"title": {"text": "Fine"}}, "garbage", "title", "out of date"),
    ]
    for values, metadata, block, expected in cases:
        reply = await app.driver.view_submission(
            user="U0ALICE", view=view, values=values, private_metadata=metadata
        )
        assert reply.json["response_action"] == "errors", reply.text
        assert expected in reply.json["errors"][block]
    await app.settle()
    assert await snapshot(app) == before
    assert app.slack.calls_to("chat.postMessage") == []


async def test_the_message_shortcut_prefills_title_and_author(app: Running) -> None:
    message, _ = await app.driver.message(
        "U0RAJ", "C0ACME", "Invoice 4471 double-charges the March fees\nDetails follow"
    )
    reply = await app.driver.message_shortcut(
        callback_id="open_dispute_from_message",
        user="U0ALICE",
        channel="C0ACME",
        message_ts=message.ts,
    )
    assert reply.status == 200
    view = (await app.slack.wait_for("views.open"))[0].args["view"]
    title_input = view["blocks"][1]["element"]
    assert title_input["initial_value"] == "Invoice 4471 double-charges the March fees"
    assert view["blocks"][2]["element"]["initial_users"] == ["U0RAJ"]
    # Slack submits the pre-filled values as they stand.
    values = {"title": {"text": title_input["initial_value"]}, "people": {"users": ["U0RAJ"]}}
    await app.driver.view_submission(user="U0ALICE", view=view, values=values)
    await app.settle()
    card = app.slack.calls_to("chat.postMessage")[-1]
    assert card.args["channel"] == "C0ACME" and "Acme Networks" in str(card.args["blocks"])


async def test_external_users_cannot_use_the_shortcut(app: Running) -> None:
    message, _ = await app.driver.message("U0ALICE", "C0ACME", "Your fix is late")
    await app.driver.message_shortcut(
        callback_id="open_dispute_from_message",
        user="U0RAJ",
        channel="C0ACME",
        message_ts=message.ts,
    )
    await app.settle()
    assert app.slack.calls_to("views.open") == []
    assert "Only members of the workspace" in app.slack.calls_to("response_url")[-1].args["text"]
