"""Transitional: owing a notice by its kind's name and a payload, as the workflows did before
notices were typed.

Only the agreements, reviews and digests workflows still owe this way, until they are split
at their seams (another branch moves that code); then each owes its model through
`bot.workflows.notices.owe` and this module goes. Every call here builds the typed notice
(bot/domain/notices.py), so what is stored is what the models say.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.agreements import Agreement
from bot.domain.notices import (
    KINDS,
    ActionPosted,
    ActionRefresh,
    AgreementCard,
    AgreementExpiredDm,
    AgreementRefresh,
    AgreementVersionLine,
    DigestDue,
    ReviewNotice,
)
from bot.workflows import notices

ACTION_POSTED = ActionPosted.kind
ACTION_REFRESH = ActionRefresh.kind
AGREEMENT_CARD = AgreementCard.kind
AGREEMENT_REFRESH = AgreementRefresh.kind
AGREEMENT_VERSION_LINE = AgreementVersionLine.kind
AGREEMENT_EXPIRED_DM = AgreementExpiredDm.kind
DIGEST = DigestDue.kind


def review_lane(review_id: int) -> str:
    return f"review:{review_id}"


async def owe(
    conn: AsyncConnection,
    *,
    kind: str,
    workspace_id: str,
    lane: str,
    now: datetime,
    dedupe: str | None = None,
    **payload: Any,
) -> bool:
    """The notice of `kind` with these fields, owed in its lane (the ids a model reads its
    lane from are taken from `lane`)."""
    model = KINDS[kind]
    fields = dict(payload)
    if issubclass(model, ReviewNotice):
        fields.setdefault("review_id", int(lane.removeprefix("review:")))
    elif model is DigestDue:
        _, target_kind, target = lane.split(":", 2)
        fields.setdefault("target_kind", target_kind)
        fields.setdefault("target", target)
    notice = model.model_validate({**fields, "workspace_id": workspace_id})
    if notice.lane != lane:
        raise ValueError(f"{kind} belongs in {notice.lane}, not {lane}")
    return await notices.owe(conn, notice, now=now, dedupe=dedupe)


async def owe_agreement(
    conn: AsyncConnection,
    kind: str,
    *,
    workspace_id: str,
    agreement_id: int,
    number: int,
    now: datetime,
    dedupe: str | None = None,
    **payload: Any,
) -> None:
    """A notice about one agreement (A-`number`), in that agreement's lane."""
    notice = KINDS[kind].model_validate(
        {
            **payload,
            "workspace_id": workspace_id,
            "agreement_id": agreement_id,
            "agreement_number": number,
        }
    )
    await notices.owe(conn, notice, now=now, dedupe=dedupe)


async def owe_agreement_edit(conn: AsyncConnection, agreement: Agreement, *, now: datetime) -> None:
    """The agreement's card edited to show it as it is now."""
    await notices.owe(conn, AgreementRefresh.of(agreement), now=now)
