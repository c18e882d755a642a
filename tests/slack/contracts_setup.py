"""The company config with contracts for `/contract`'s tests: Acme's contract beats the Contoso
SLA, DBCo's draft does not."""

from __future__ import annotations

import json
from datetime import date

from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running
from tests.conftest import COMPANY_CONFIG

ACME_ENDS = date(2027, 3, 31)  # 128 days after START (Mon 23 Nov 2026)


def contracts_config(*, acme_hours: str = "24x7", acme_ends: date = ACME_ENDS) -> str:
    return (
        COMPANY_CONFIG
        + f"""
[parties."Acme Networks".contract]
reference = "ACME-2026-07"
owner = "U0CAROL"
response_hours = 2
resolution_hours = 12
availability = 99.9
support_hours = "{acme_hours}"
valid_until = {acme_ends.isoformat()}

[parties."DBCo Database Services"]
kind = "supplier"
[parties."DBCo Database Services".contract]
reference = "DBCO-DRAFT-1"
owner = "U0BOB"
response_hours = 4
resolution_hours = 24
availability = 99.5
support_hours = "5x8"
valid_until = 2028-12-31

[parties."Contoso Retail"]
kind = "customer"

[services."ERP for Contoso"]
customer = "Contoso Retail"
sla = {{ response_hours = 4, resolution_hours = 24, availability = 99.5, support_hours = "5x8" }}
underpinned_by = ["Acme Networks", "DBCo Database Services"]
"""
    )


def said(reply: Reply) -> str:
    body = reply.json
    assert isinstance(body, dict) and body["response_type"] == "ephemeral", reply.text
    return json.dumps(body, ensure_ascii=False)


async def contract(
    app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK"
) -> tuple[str, list[dict[str, object]]]:
    """`/contract <text>`: the answer's text and blocks."""
    reply = await app.driver.command("/contract", text, user=user, channel=channel)
    await app.settle()
    said(reply)
    assert isinstance(reply.json, dict)
    return str(reply.json.get("text")), list(reply.json.get("blocks") or [])


def shown(blocks: list[dict[str, object]]) -> str:
    """The mrkdwn of every block, joined, as Slack would show it."""
    parts: list[str] = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text")))
        for element in block.get("elements") or []:  # type: ignore[attr-defined]
            parts.append(str(element.get("text")))
    return "\n".join(parts)
