"""Slack's file upload, as the stand-in serves it: the two Web API calls and the upload URL.

Slack's current upload is three steps (`files.upload` is retired and answers
`method_deprecated`):

1. ``files.getUploadURLExternal`` (``filename``, ``length``) hands out a ``file_id`` and an
   ``upload_url`` (here, on the stand-in's own server: ``/upload/<file_id>/<secret>``);
2. the bytes are POSTed to that URL (slack_sdk sends the raw body; a multipart form with
   one file part is taken too), and must be exactly ``length`` bytes long;
3. ``files.completeUploadExternal`` (``files`` = JSON list of ``{id, title}``, ``channel_id``,
   ``thread_ts``, ``initial_comment``) shares them: unknown ids, ids whose bytes never
   arrived, ids completed before and a channel the bot is not in are refused, all or none.

Every uploaded file is kept (``SandboxFiles.files``: bytes, name, title, channel, thread) for
tests and the demo to read; ``files.info`` answers where a file was shared.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox.workspace import Channel

# Slack: "length" is the file's size in bytes; a file is at most 1 GB.
MAX_FILE_BYTES = 1024 * 1024 * 1024
MAX_FILENAME = 255


class FileError(Exception):
    """A call the stand-in answers ``{"ok": false, "error": ...}`` (see slack_api.SlackError)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class UploadedFile:
    """One file as Slack holds it: issued, then its bytes, then shared (completed)."""

    id: str
    filename: str
    length: int
    alt_txt: str | None
    secret: str
    content: bytes | None = None
    title: str | None = None
    completed: bool = False
    channel: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    shared_ts: str | None = None

    @property
    def uploaded(self) -> bool:
        return self.content is not None

    @property
    def text(self) -> str:
        """The bytes as text (tests read the HTML)."""
        return (self.content or b"").decode("utf-8")

    def to_api(self, channel: Channel | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "size": self.length,
        }
        if channel is not None:
            where = "ims" if channel.is_im else "groups" if not channel.is_public else "channels"
            data.update({"channels": [], "groups": [], "ims": []})
            data[where] = [channel.id]
        return data


@dataclass
class SandboxFiles:
    """The files part of the stand-in; `channel_of` resolves a channel the bot may post in
    (raising the stand-in's own error for one it may not) and `next_ts` stamps the share."""

    base_url: Callable[[], str]
    writable_channel: Callable[[dict[str, Any]], Channel]
    next_ts: Callable[[], str]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    uploads: list[tuple[str, int]] = field(default_factory=list)  # (file id, bytes) posted
    _counter: int = 0

    def in_channel(self, channel: str) -> list[UploadedFile]:
        """The files shared in a channel, in the order they were shared."""
        return [f for f in self.files.values() if f.completed and f.channel == channel]

    # --- Web API methods ------------------------------------------------------------------

    def get_upload_url(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        filename = args.get("filename")
        if not isinstance(filename, str) or not filename.strip():
            raise FileError("invalid_arguments")
        if len(filename) > MAX_FILENAME:
            raise FileError("invalid_arguments")
        try:
            length = int(str(args.get("length")))
        except ValueError:
            raise FileError("invalid_arguments") from None
        if length <= 0 or length > MAX_FILE_BYTES:
            raise FileError("invalid_arguments")
        self._counter += 1
        file_id = f"F0{self._counter:08d}"
        secret = secrets.token_hex(12)
        alt = args.get("alt_txt")
        self.files[file_id] = UploadedFile(
            id=file_id,
            filename=filename,
            length=length,
            alt_txt=alt if isinstance(alt, str) and alt else None,
            secret=secret,
        )
        return {
            "ok": True,
            "upload_url": f"{self.base_url()}/upload/{file_id}/{secret}",
            "file_id": file_id,
        }

    def complete_upload(self, args: dict[str, Any], arrived: float) -> dict[str, Any]:
        listed = args.get("files")
        if not isinstance(listed, list) or not listed:
            raise FileError("invalid_arguments")
        chosen: list[tuple[UploadedFile, str | None]] = []
        for item in listed:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise FileError("invalid_arguments")
            found = self.files.get(item["id"])
            if found is None:
                raise FileError("file_not_found")
            if not found.uploaded:
                raise FileError("file_not_uploaded")
            if found.completed:
                raise FileError("file_already_completed")
            title = item.get("title")
            chosen.append((found, title if isinstance(title, str) and title else None))
        if len({f.id for f, _ in chosen}) != len(chosen):
            raise FileError("invalid_arguments")
        channel: Channel | None = None
        if args.get("channel_id") not in (None, ""):
            channel = self.writable_channel({"channel": args["channel_id"]})
        elif args.get("thread_ts") not in (None, ""):
            raise FileError("invalid_arguments")  # a thread is in a channel
        shared_ts = self.next_ts() if channel is not None else None
        comment = args.get("initial_comment")
        thread = args.get("thread_ts")
        for found, title in chosen:
            found.completed = True
            found.title = title or found.filename
            if channel is not None:
                found.channel = channel.id
                found.shared_ts = shared_ts
                found.thread_ts = thread if isinstance(thread, str) and thread else None
                found.initial_comment = comment if isinstance(comment, str) else None
        return {"ok": True, "files": [f.to_api(channel) for f, _ in chosen]}

    def info(
        self, args: dict[str, Any], arrived: float, channel_of: Callable[[str], Channel | None]
    ) -> dict[str, Any]:
        found = self.files.get(str(args.get("file") or ""))
        if found is None or not found.completed:
            raise FileError("file_not_found")
        channel = channel_of(found.channel) if found.channel else None
        return {"ok": True, "file": found.to_api(channel)}

    # --- the upload URL -------------------------------------------------------------------

    async def receive(self, request: web.Request) -> tuple[web.Response, dict[str, Any]]:
        """A POST of the bytes to an upload URL: (the HTTP answer, what to record)."""
        file_id = request.match_info["file_id"]
        found = self.files.get(file_id)
        if found is None or not secrets.compare_digest(found.secret, request.match_info["secret"]):
            return web.Response(status=404, text="not found"), {"file_id": file_id}
        if found.uploaded:
            return web.Response(status=400, text="already uploaded"), {"file_id": file_id}
        if request.content_type.startswith("multipart/"):
            content = b""
            reader = await request.multipart()
            async for part in reader:
                if isinstance(part, BodyPartReader) and part.filename is not None:
                    content = bytes(await part.read())
                    break
        else:
            content = await request.read()
        recorded = {"file_id": file_id, "length": len(content)}
        if len(content) != found.length:
            return web.Response(status=400, text="length mismatch"), recorded
        found.content = content
        self.uploads.append((file_id, len(content)))
        return web.Response(status=200, text=f"OK - {len(content)}"), recorded
