"""The company config and the seeded quarter for `/audit`'s tests (tests/audit_history.py)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.config import ParleyConfig, parse_config
from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running
from tests.conftest import COMPANY_CONFIG

AUDITS_CONFIG = (
    COMPANY_CONFIG
    + """
[parties."Acme Networks".contract]
reference = "ACME-2026-07"
owner = "U0CAROL"
response_hours = 2
resolution_hours = 12
availability = 99.9
support_hours = "24x7"
valid_until = 2027-06-30

[parties."DBCo Database Services"]
kind = "supplier"
slack_team = "T0DBCO"

[parties."Contoso Retail"]
kind = "customer"
slack_team = "T0CONTOSO"
"""
)


def audits_config() -> ParleyConfig:
    return parse_config(AUDITS_CONFIG, Path("tests/company.toml"))


def said(reply: Reply) -> str:
    body = reply.json
    assert isinstance(body, dict) and body["response_type"] == "ephemeral", reply.text
    return json.dumps(body, ensure_ascii=False)


async def audit(
    app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK"
) -> tuple[str, str]:
    """`/audit <text>`: the answer's text and what its blocks show."""
    reply = await app.driver.command("/audit", text, user=user, channel=channel)
    await app.settle()
    if not reply.text:  # acked empty: a form was opened
        return "", ""
    said(reply)
    assert isinstance(reply.json, dict)
    return str(reply.json.get("text")), shown(list(reply.json.get("blocks") or []))


def shown(blocks: list[dict[str, object]]) -> str:
    """The text of every block, joined, as Slack would show it."""
    parts: list[str] = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text")))
        for element in block.get("elements") or []:  # type: ignore[attr-defined]
            parts.append(str(element.get("text")))
    return "\n".join(parts)
