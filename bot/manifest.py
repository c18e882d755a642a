"""The Slack app manifest: every command, event and scope Parley needs, in one place."""

from __future__ import annotations

import json
from typing import Any

REQUEST_URL = "https://parley.example.com/slack/events"

COMMANDS = [
    ("/dispute", "Disputes that climb the agreed escalation ladder", "open|list|show|help …"),
    ("/review", "Periodic service reviews, minutes and action items", "schedule|list|show …"),
    ("/agreement", "5W1H information-sharing agreements", "new|list|show|edit|revoke …"),
    ("/digest", "Daily digest for this channel or for you", "subscribe|unsubscribe|now|me …"),
    ("/party", "Customers, suppliers and third parties", "list|show|set|rename …"),
    ("/praise", "Praise for our people, on the record", "@person … what they did [from @user]"),
    ("/valueadd", "Value-added services for customers", "log|list …"),
    (
        "/complaint",
        "Customers' complaints, their clocks and confirmation",
        "open|list|show|resolve …",
    ),
    ("/contract", "Suppliers' support contracts held to the customer SLAs", "list|show|check …"),
    (
        "/audit",
        "Supplier scorecards computed from the record",
        "open|rate|list|show|publish|schedule …",
    ),
    (
        "/report",
        "Satisfaction figures and chart, sent to you by DM",
        "satisfaction [party] [last quarter|this year|<from> to <to>]",
    ),
    ("/survey", "Satisfaction surveys for a party's people", "send|schedule|list|show|close …"),
]

BOT_EVENTS = [
    "app_home_opened",
    "message.channels",
    "message.groups",
    "channel_shared",
    "channel_unshared",
    "member_joined_channel",
    "member_left_channel",
    "app_uninstalled",
    "tokens_revoked",
]

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:read",
    "channels:join",
    "channels:history",
    "groups:read",
    "groups:history",
    "im:write",
    "im:history",
    "users:read",
    "team:read",
    "files:write",  # a dispute's dossier, uploaded to a DM or the legal channel
    "files:read",  # files.info: whether a retried upload was shared already
]


def build_manifest(request_url: str = REQUEST_URL) -> dict[str, Any]:
    """The manifest to paste into https://api.slack.com/apps → Create New App → From a manifest."""
    return {
        "display_information": {
            "name": "Parley",
            "description": "Disputes, service reviews and agreements with suppliers, in Slack.",
            "background_color": "#2c3e50",
            "long_description": (
                "Parley runs an IT-service team's relationships with suppliers, third parties "
                "and customers: disputes that climb an agreed escalation ladder with clocks in "
                "working days, periodic service reviews with minutes and action items, 5W1H "
                "information-sharing agreements acknowledged by the counterparty, and a daily "
                "digest. Supplier reps answer in Slack Connect shared channels, and Parley "
                "keeps every reply on the record without leaking one party's business to another."
            ),
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "Parley", "always_online": True},
            "shortcuts": [
                {
                    "name": "Open dispute from message",
                    "type": "message",
                    "callback_id": "open_dispute_from_message",
                    "description": "Open a dispute with this message as its starting point",
                },
                {
                    "name": "Record as praise",
                    "type": "message",
                    "callback_id": "record_praise",
                    "description": "Record this message as praise for the people it names",
                },
                {
                    "name": "Log as complaint",
                    "type": "message",
                    "callback_id": "log_as_complaint",
                    "description": "Open a customer's complaint from this message",
                },
            ],
            "slash_commands": [
                {
                    "command": command,
                    "url": request_url,
                    "description": description,
                    "usage_hint": hint,
                    "should_escape": True,
                }
                for command, description, hint in COMMANDS
            ],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": {"request_url": request_url, "bot_events": BOT_EVENTS},
            "interactivity": {"is_enabled": True, "request_url": request_url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def manifest_json(request_url: str = REQUEST_URL) -> str:
    return json.dumps(build_manifest(request_url), indent=2, ensure_ascii=False) + "\n"
