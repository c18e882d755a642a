"""Sending files to Slack through the door, once: Slack's external upload (the file's URL
asked for, the bytes posted to it, the files shared in a channel or a DM with a comment).

slack_sdk's `files_upload_v2` does the same calls in one go; they are made one by one here
so that the file ids are on record (the `uploads` table, by outbox row) between uploading
and sharing: a retried delivery after a share whose answer was lost asks Slack
(`files.info`) whether the files are in the channel, instead of sending them twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import mrkdwn, outgoing
from bot.commands.sending import Sender, Undeliverable
from bot.workflows import dossiers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class File:
    """One file to send: its bytes, its name, the title Slack shows, and its alt text."""

    content: bytes
    filename: str
    title: str
    alt_txt: str | None = None


async def already_sent(send: Sender, *, channel: str) -> bool:
    """Whether an earlier try of this notice shared its files in `channel` already (then
    the delivery is done: nothing is built or sent again)."""
    earlier = await dossiers.upload_of(send.deps.store, outbox_id=send.item.id)
    if earlier is None or earlier.channel_id != channel:
        return False
    if not earlier.shared and not await _shared_in(send.client, earlier.file_ids, channel):
        return False
    if not earlier.shared:
        await dossiers.shared(send.deps.store, outbox_id=send.item.id, now=send.deps.clock.now())
    log.info("outbox %d: its files were shared before; not sending again", send.item.id)
    send.channel = channel
    return True


async def _shared_in(client: AsyncWebClient, file_ids: Sequence[str], channel: str) -> bool:
    try:
        for file_id in file_ids:
            found = (await client.files_info(file=file_id))["file"]
            where = [*found.get("channels", []), *found.get("groups", []), *found.get("ims", [])]
            if channel not in where:
                return False
    except SlackApiError as exc:
        if exc.response.get("error") == "file_not_found":  # uploaded, never shared
            return False
        raise
    return True


async def check_door(
    send: Sender, *, channel: str, about: outgoing.About, comment: str = ""
) -> None:
    """Undeliverable("isolation") if the door would refuse files of this business here."""
    if not await outgoing.may_upload(
        send.deps,
        channel=channel,
        workspace_id=send.item.workspace_id,
        comment=comment,
        about=about,
    ):
        raise Undeliverable("isolation")


async def send_files(
    send: Sender,
    *,
    channel: str,
    files: Sequence[File],
    comment: str,
    about: outgoing.About,
    thread_ts: str | None = None,
) -> list[str]:
    """The files, shared in `channel` with `comment`, through the door; their ids.
    Undeliverable if the door refuses them."""
    deps, client = send.deps, send.client
    await check_door(send, channel=channel, about=about, comment=comment)
    ids: list[str] = []
    for one in files:
        issued = await client.files_getUploadURLExternal(
            filename=one.filename, length=len(one.content), alt_txt=one.alt_txt
        )
        await _post(client, str(issued["upload_url"]), one.content)
        ids.append(str(issued["file_id"]))
    await dossiers.uploaded(
        deps.store, outbox_id=send.item.id, channel_id=channel, file_ids=ids, now=deps.clock.now()
    )
    await client.files_completeUploadExternal(
        files=[{"id": i, "title": f.title} for i, f in zip(ids, files, strict=True)],
        channel_id=channel,
        initial_comment=mrkdwn.text_of(comment),
        thread_ts=thread_ts,
    )
    await dossiers.shared(deps.store, outbox_id=send.item.id, now=deps.clock.now())
    send.channel = channel
    return ids


async def _post(client: AsyncWebClient, url: str, content: bytes) -> None:
    """The bytes to the upload URL, as slack_sdk sends them (the raw body); a refusal is an
    HTTP error (the outbox tries again later)."""
    timeout = aiohttp.ClientTimeout(total=client.timeout)
    ssl = client.ssl if client.ssl is not None else True
    if client.session is not None:
        async with client.session.post(
            url, data=content, timeout=timeout, proxy=client.proxy, ssl=ssl
        ) as reply:
            reply.raise_for_status()
        return
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(url, data=content, proxy=client.proxy, ssl=ssl) as reply,
    ):
        reply.raise_for_status()
