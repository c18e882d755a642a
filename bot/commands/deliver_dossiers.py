"""Delivering a dispute's dossier: the record read page by page as it is now, written out as
one HTML file and one PDF in the reader's language, and sent once (to the asker's DM, or to
the legal channel when the dispute entered legal) through the door, as internal material."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError

from bot.commands import render_dossiers, uploads
from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.outgoing import About
from bot.commands.readers import channel_language, person_language
from bot.commands.render_dossiers import Reader
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.commands.words.language import Language
from bot.domain import dossiers as rules
from bot.domain.notices import DossierDue
from bot.store import Store
from bot.workflows import dossiers
from bot.workflows.dossiers import DossierSource

log = logging.getLogger(__name__)

DELIVERERS = Deliverers()


@DELIVERERS.of(DossierDue)
async def dossier(send: Sender, notice: DossierDue) -> None:
    """The dossier as a file, in the asker's DM or the legal channel."""
    deps = send.deps
    if notice.channel_id is None:
        channel = await send.dm(notice.asker_id)
    else:
        channel = notice.channel_id
    if await uploads.already_sent(send, channel=channel):
        return
    now = deps.clock.now()
    source = await dossiers.dossier_source(
        deps.store, dispute_id=notice.dispute_id, now=now, tz=deps.config.calendar.zone
    )
    if source is None:
        raise NothingToSend("the dispute is gone")
    about = About(disputes=[source.dispute], internal=True)
    # Asked of the door before the record is written out (and again as the files go).
    await uploads.check_door(send, channel=channel, about=about)
    reader = await _reader(deps, notice, channel)
    links = [
        (kind, channel_id, await deps.directory.permalink(channel_id, ts))
        for channel_id, ts, kind in source.threads
    ]
    made = await dossier_files(
        deps.store,
        source,
        reader,
        asker_id=notice.asker_id,
        generated_at=now,
        links=links,
        deps=deps,
    )
    ref = source.dispute.ref
    language = reader.language
    if notice.channel_id is None:
        comment = language._("The dossier of {ref}, as you asked.").format(ref=ref)
    else:
        comment = language._("{ref} entered legal: here is its dossier.").format(ref=ref)
    title = render_dossiers.title_of(source, language)
    await uploads.send_files(
        send,
        channel=channel,
        files=[
            uploads.File(
                content=made.html,
                filename=rules.filename(ref, now, "html"),
                title=title,
                alt_txt=title,
            ),
            uploads.File(
                content=made.pdf,
                filename=rules.filename(ref, now, "pdf"),
                title=f"{title} (PDF)",
                alt_txt=title,
            ),
        ],
        comment=comment,
        about=about,
    )


async def _reader(deps: Deps, notice: DossierDue, channel: str) -> Reader:
    """The asker's language and zone for their DM; the legal channel's language and the
    company's zone for the legal channel."""
    zone = deps.config.calendar.zone
    language: Language
    if notice.channel_id is None:
        try:
            asker = await deps.directory.person(notice.asker_id)
        except UnknownUser:
            language = deps.languages.default
        else:
            language = person_language(deps, asker)
            zone = _zone(asker.tz, zone)
    else:
        language = await channel_language(deps, channel, notice.workspace_id)
    return Reader(language=language, tz=zone, names={})


def _zone(name: str | None, default: ZoneInfo) -> ZoneInfo:
    if not name:
        return default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return default


async def _learn_names(deps: Deps, reader: Reader, user_ids: Iterable[str | None]) -> None:
    """The names of the people a page shows (users.info, cached); an id Slack cannot
    describe is shown as the id."""
    names = reader.names
    for user_id in {u for u in user_ids if u and u not in names}:
        try:
            names[user_id] = (await deps.directory.person(user_id)).name
        except (UnknownUser, SlackApiError):
            names[user_id] = ""


@dataclass(frozen=True)
class DossierFiles:
    html: bytes
    pdf: bytes


async def dossier_files(
    store: Store,
    source: DossierSource,
    reader: Reader,
    *,
    asker_id: str,
    generated_at: datetime,
    links: list[tuple[str, str, str | None]],
    deps: Deps | None = None,
) -> DossierFiles:
    """The HTML and the PDF, from one reading of the timeline page by page (names learnt as
    pages come, when `deps` can ask Slack for them). The PDF is laid out in a thread: a long
    record takes seconds, which the event loop must not wait for."""
    if deps is not None:
        await _learn_names(deps, reader, [source.dispute.owner_id, asker_id])
    parts = render_dossiers.begin(
        source, reader, asker_id=asker_id, generated_at=generated_at, links=links
    )
    # reportlab (~15 MB resident) is imported with the first dossier, not at start-up.
    from bot.commands.render_dossiers_pdf import PdfDossier

    pdf = PdfDossier(source, reader)
    pdf.begin(asker_id=asker_id, generated_at=generated_at, links=links)
    number = 1
    async for page in dossiers.timeline_pages(store, source=source):
        if deps is not None:
            await _learn_names(deps, reader, (e.actor_id for e in page))
        parts += render_dossiers.events(page, reader, first_number=number)
        pdf.events(page, first_number=number)
        number += len(page)
    parts += render_dossiers.end(reader)
    html = "".join(parts).encode("utf-8")
    del parts
    return DossierFiles(html=html, pdf=await asyncio.to_thread(pdf.finish))
