"""The demo's scene of support contracts: before signing, the service manager sees that
DBCo's draft contract is weaker than the Contoso SLA it would underpin, term by term."""

from __future__ import annotations

from bot.demo.session import Session, reply_text
from bot.domain.marks import N_


async def scene_contracts(s: Session) -> None:
    checked = await s.command("U0BOB", "C0DESK", "/contract", "check")
    body = reply_text(checked)
    where = s.t(
        "*{supplier}* (`{reference}`) under *{service}*",
        supplier="DBCo Database Services",
        reference="DBCO-DRAFT-1",
        service="ERP for Contoso",
    )
    response = s.t(
        "response {contract} h against the SLA's {sla} h: at most {needed} h needed",
        contract="4",
        sla="4",
        needed="3.2",
    )
    availability = s.t(
        "availability {contract} % against the SLA's {sla} %: at least {needed} % needed",
        contract="99.5",
        sla="99.5",
        needed="99.6",
    )
    s.check(
        where in body and response in body and availability in body,
        N_("/contract check names DBCo's short terms with both figures: response, availability"),
    )
    s.check(
        s.says_n(
            body,
            ":warning: {n} contract term falls short of its SLA by the {margin} % margin",
            ":warning: {n} contract terms fall short of their SLA by the {margin} % margin",
            3,
        )
        and "ACME-2026-07" not in body,
        N_("three of DBCo's terms fall short; Acme's contract beats the SLA on every term"),
    )
    shown = await s.command("U0BOB", "C0DESK", "/contract", "show Acme Networks")
    s.check(
        s.t("Contract {reference}", reference="ACME-2026-07") in reply_text(shown),
        N_("/contract show gives Acme's contract and the service it underpins"),
    )
