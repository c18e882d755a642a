"""Agreement Block Kit at its limits: Slack's own checks pass for the longest terms, many
parties and many versions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.commands import render_agreement_form, render_agreements
from bot.domain.agreement_terms import FIELDS
from bot.domain.agreements import Agreement, AgreementStatus, AgreementVersion, Terms
from bot.domain.parties import Party, PartyKind
from bot.sandbox.blockcheck import check_message_blocks, check_view
from bot.workflows.agreements import AgreementRecord
from tests.saying import ENGLISH

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
LONG_NAME = "Globex Audit & Certification <International> " + "x" * 74


def longest_terms() -> Terms:
    text = {key: ("&<>" + "w" * limit)[:limit] for key, (_, limit, _) in FIELDS.items()}
    return Terms(
        **text,
        who_people=tuple(f"U0P{n:04d}" for n in range(30)),
        where_channel="C0GLOBEX",
        valid_until=date(2027, 6, 30),
    )


def agreement(versions: int = 1, status: AgreementStatus = AgreementStatus.ACTIVE) -> Agreement:
    party = Party(id=2, name=LONG_NAME, kind=PartyKind.THIRD_PARTY, slack_team="T0GLOBEX")
    current = AgreementVersion(
        version=versions, terms=longest_terms(), created_by="U0ALICE", created_at=NOW
    )
    return Agreement(
        id=1,
        workspace_id="T0PARLEY",
        number=123_456_789,
        party=party,
        owner_id="U0ALICE",
        channel_id="C0GLOBEX",
        card_ts="1.2",
        status=status,
        created_at=NOW,
        current=current,
        revoke_reason="r" * 2000 if status is AgreementStatus.REVOKED else None,
        revoked_by="U0ALICE" if status is AgreementStatus.REVOKED else None,
        revoked_at=NOW if status is AgreementStatus.REVOKED else None,
    )


def test_the_longest_card_is_valid_block_kit_and_escapes_what_people_typed() -> None:
    for status in AgreementStatus:
        text, blocks = render_agreements.agreement_card(
            agreement(status=status), today=date(2026, 11, 23), tz=TZ, language=ENGLISH
        )
        assert check_message_blocks(blocks) == [], status
        assert text and len(blocks) <= 50
        mrkdwn = json.dumps([b for b in blocks if b["type"] != "header"])
        assert "&amp;&lt;&gt;" in mrkdwn and "<International>" not in mrkdwn


def test_many_versions_fit_one_message() -> None:
    a = agreement(versions=80)
    every = [
        a.current.model_copy(update={"version": n, "acknowledged_by": "U0GRETA" if n % 2 else None})
        for n in range(1, 81)
    ]
    record = AgreementRecord(agreement=a, shown=every[0], versions=every)
    _, blocks = render_agreements.agreement_record(
        record, today=date(2026, 11, 23), tz=TZ, language=ENGLISH
    )
    assert check_message_blocks(blocks) == []


def test_the_form_holds_many_parties_and_long_names() -> None:
    parties = [(f"p:{n}", f"{LONG_NAME} {n}") for n in range(150)]
    view = render_agreement_form.modal(
        '{"channel": "C0DESK"}', language=ENGLISH, parties=parties, selected="p:0"
    )
    assert check_view(view) == []
    select = view["blocks"][0]["element"]
    assert len(select["options"]) == 100 and select["initial_option"]["value"] == "p:0"
    edit = render_agreement_form.modal(
        '{"channel": "C0DESK"}', language=ENGLISH, agreement=agreement(versions=9)
    )
    assert check_view(edit) == []
    assert edit["title"]["text"] == "Edit A-123456789"


def test_list_and_dispute_links() -> None:
    from bot.workflows.agreements import AgreementPage

    soon = agreement()
    soon = soon.model_copy(
        update={"current": soon.current.model_copy(update={"terms": longest_terms()})}
    )
    page = AgreementPage(agreements=[soon] * 25, total=40)
    title, blocks = render_agreements.agreement_list(
        page, today=date(2027, 6, 20), internal=True, language=ENGLISH
    )
    assert check_message_blocks(blocks) == [] and "(40)" in title
    assert "10 days left" in json.dumps(blocks)
    expired_day = date(2027, 7, 1)
    _, blocks = render_agreements.agreement_list(
        page, today=expired_day, internal=True, language=ENGLISH
    )
    assert "expired" in json.dumps(blocks)
    links = render_agreements.dispute_links([soon] * 20, language=ENGLISH)
    assert len(links) == 1 and check_message_blocks(links) == []
