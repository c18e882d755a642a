"""The stand-in's file upload, driven by slack_sdk's own client (files_upload_v2 and the
two calls one by one): what Slack takes, what it refuses, and what it keeps."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.slack_api import SlackStandIn
from bot.sandbox.workspace import ALICE, DESK, LEGAL, RANDOM

HTML = "<html><body>D-1 · 争议 &amp; <b>bold</b></body></html>".encode()


async def slack_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        await call
    return str(info.value.response["error"])


async def issued(client: AsyncWebClient, data: bytes, name: str = "d-1.html") -> tuple[str, str]:
    got = await client.files_getUploadURLExternal(filename=name, length=len(data))
    return str(got["file_id"]), str(got["upload_url"])


async def post_bytes(url: str, data: bytes) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, data=data) as reply:
        return reply.status


async def test_files_upload_v2_does_the_three_steps_and_the_file_is_kept(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    done = await client.files_upload_v2(
        channel=DESK,
        file_uploads=[
            {"content": HTML, "filename": "d-1.html", "title": "Dossier of D-1"},
            {"content": b"%PDF-1.4 x", "filename": "d-1.pdf", "title": "Dossier of D-1 (PDF)"},
        ],
        initial_comment="The dossier",
        thread_ts="1700000000.000100",
    )
    assert [f["title"] for f in done["files"]] == ["Dossier of D-1", "Dossier of D-1 (PDF)"]
    assert done["files"][0]["channels"] == [DESK]
    methods = [c.method for c in standin.calls]
    assert methods == [
        "files.getUploadURLExternal",
        "files.getUploadURLExternal",
        "upload_url",
        "upload_url",
        "files.completeUploadExternal",
    ]
    complete = standin.calls_to("files.completeUploadExternal")[0].args
    assert [f["id"] for f in complete["files"]] == list(standin.files)
    shared = standin.files_in(DESK)
    assert [f.content for f in shared] == [HTML, b"%PDF-1.4 x"]
    assert shared[0].filename == "d-1.html" and shared[0].text.startswith("<html>")
    assert shared[0].thread_ts == "1700000000.000100"
    assert shared[0].initial_comment == "The dossier"
    assert standin.violations == []


async def test_the_upload_url_takes_exactly_the_announced_length_once(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    file_id, url = await issued(client, HTML)
    assert await post_bytes(url, HTML[:-1]) == 400
    assert not standin.files[file_id].uploaded
    assert await post_bytes(url + "x", HTML) == 404  # the URL's secret is part of it
    assert await post_bytes(url, HTML) == 200
    assert await post_bytes(url, HTML) == 400  # a second upload to the same URL
    assert standin.files[file_id].content == HTML


async def test_a_multipart_post_is_taken_like_the_raw_body(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    file_id, url = await issued(client, HTML)
    form = aiohttp.FormData()
    form.add_field("file", HTML, filename="d-1.html", content_type="text/html")
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as reply:
        assert reply.status == 200
    assert standin.files[file_id].content == HTML


async def test_completing_refuses_what_slack_refuses_and_changes_nothing(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    file_id, url = await issued(client, HTML)
    unknown = [{"id": "F0NOPE", "title": "x"}]
    assert await slack_error(client.files_completeUploadExternal(files=unknown)) == (
        "file_not_found"
    )
    mine = [{"id": file_id, "title": "Dossier"}]
    assert await slack_error(client.files_completeUploadExternal(files=mine, channel_id=DESK)) == (
        "file_not_uploaded"
    )
    assert await post_bytes(url, HTML) == 200
    # Parley is not in #random, and an unknown channel is not found: nothing is shared.
    assert await slack_error(
        client.files_completeUploadExternal(files=mine, channel_id=RANDOM)
    ) == ("not_in_channel")
    assert await slack_error(
        client.files_completeUploadExternal(files=mine, channel_id="C0NOWHERE")
    ) == ("channel_not_found")
    assert not standin.files[file_id].completed
    both = [*mine, {"id": "F0NOPE", "title": "y"}]
    assert await slack_error(client.files_completeUploadExternal(files=both, channel_id=DESK)) == (
        "file_not_found"
    )
    assert not standin.files[file_id].completed  # all or none

    await client.files_completeUploadExternal(files=mine, channel_id=LEGAL)
    assert [f.id for f in standin.files_in(LEGAL)] == [file_id]
    assert await slack_error(client.files_completeUploadExternal(files=mine, channel_id=DESK)) == (
        "file_already_completed"
    )
    assert standin.files_in(DESK) == []
    info = await client.files_info(file=file_id)
    assert info["file"]["groups"] == [LEGAL] and info["file"]["channels"] == []


async def test_a_dm_is_a_channel_to_share_in(standin: SlackStandIn, client: AsyncWebClient) -> None:
    opened = await client.conversations_open(users=ALICE)
    dm = str(opened["channel"]["id"])
    file_id, url = await issued(client, HTML)
    assert await post_bytes(url, HTML) == 200
    await client.files_completeUploadExternal(
        files=[{"id": file_id, "title": "Dossier"}], channel_id=dm
    )
    assert [f.title for f in standin.files_in(dm)] == ["Dossier"]
    assert (await client.files_info(file=file_id))["file"]["ims"] == [dm]


@pytest.mark.parametrize(
    "args",
    [{"filename": "", "length": 3}, {"filename": "a.html", "length": 0}, {"filename": "a.html"}],
)
async def test_an_upload_url_needs_a_name_and_a_length(
    standin: SlackStandIn, client: AsyncWebClient, args: dict[str, Any]
) -> None:
    error = await slack_error(client.api_call("files.getUploadURLExternal", params=args))
    assert error == "invalid_arguments"
    assert standin.files == {}


async def test_the_retired_files_upload_answers_method_deprecated(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    error = await slack_error(
        client.api_call("files.upload", data={"channels": DESK, "content": "hello"})
    )
    assert error == "method_deprecated"
    assert standin.files == {}
    assert standin.violations and "files.upload" in standin.violations[0]
