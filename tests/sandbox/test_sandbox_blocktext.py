"""Block Kit rendered as plain text for transcripts."""

from __future__ import annotations

from typing import Any

from bot.sandbox.blocktext import DIVIDER, mrkdwn, render_message, render_view
from bot.sandbox.slack_api import SlackStandIn, human_message_blocks
from bot.sandbox.workspace import default_workspace


def test_mrkdwn_mentions_links_and_escapes() -> None:
    ws = default_workspace()
    text = "<@U0ALICE> see <#C0DESK> and <https://x.test/d/1|the card> &amp; <!here> &lt;3"
    assert mrkdwn(text, ws) == "@alice see #service-desk and the card & @here <3"
    # Without a lookup, labels are used when Slack gave them, else the raw ids.
    assert mrkdwn("<@U0RAJ|raj> <@U0ZED> <#C0X|ops> <mailto:a@b.c>") == "@raj @U0ZED #ops a@b.c"


def test_render_message_card() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "D-1 · Outage"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Owner <@U0ALICE>\nStage 1/4"},
            "accessory": {
                "type": "button",
                "action_id": "open",
                "text": {"type": "plain_text", "text": "Open"},
            },
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Party*\nAcme"},
                {"type": "mrkdwn", "text": "*Due*\nWed 25 Nov"},
            ],
        },
        {"type": "divider"},
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "in <#C0ACME>"},
                {"type": "plain_text", "text": "2 days left"},
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "e",
                    "text": {"type": "plain_text", "text": "Escalate"},
                },
                {
                    "type": "static_select",
                    "action_id": "s",
                    "placeholder": {"type": "plain_text", "text": "Stage"},
                    "options": [],
                },
            ],
        },
    ]
    rendered = render_message("fallback", blocks, default_workspace())
    assert rendered.split("\n") == [
        "D-1 · Outage",
        "============",
        "Owner @alice",
        "Stage 1/4  [ Open ]",
        "*Party* Acme",
        "*Due* Wed 25 Nov",
        DIVIDER,
        "in #acme-shared · 2 days left",
        "[ Escalate ]  [ Stage v ]",
    ]


def test_render_message_falls_back_to_text_and_reads_rich_text() -> None:
    assert render_message("hi <@U0BOB>", None, default_workspace()) == "hi @bob"
    assert render_message(None, []) == ""
    rich = human_message_blocks("ping <@U0CAROL> please")
    assert render_message("ignored", rich, default_workspace()) == "ping @carol please"


async def test_render_view_with_inputs(standin: SlackStandIn) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Open a dispute"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "submit": {"type": "plain_text", "text": "Open"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "t"},
            },
            {
                "type": "input",
                "optional": True,
                "label": {"type": "plain_text", "text": "Notes"},
                "element": {"type": "plain_text_input", "action_id": "n", "initial_value": "-"},
            },
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Party"},
                "element": {
                    "type": "users_select",
                    "action_id": "u",
                    "placeholder": {"type": "plain_text", "text": "Pick someone"},
                },
            },
        ],
    }
    # A SlackStandIn works as the name lookup too.
    assert render_view(view, standin).split("\n") == [
        "[Open a dispute]",
        "",
        "Title: ____",
        "Notes (optional): -",
        "Party: [ Pick someone v ]",
        "",
        "[ Cancel ]  [ Open ]",
    ]
    assert render_view({"type": "home", "blocks": [{"type": "divider"}]}) == DIVIDER
