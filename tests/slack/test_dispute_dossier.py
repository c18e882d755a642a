"""/dispute dossier D-n: the whole record as one HTML file, in the asker's DM; and the legal
channel's copy when the dispute enters legal. Internal only, sent once, never to a party."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.config import ParleyConfig, parse_config
from bot.domain import agreement_terms
from bot.domain.parties import Person
from bot.sandbox.files import UploadedFile
from bot.sandbox.harness import Running
from bot.store.schema import disputes as disputes_table
from bot.store.schema import outbox, uploads
from bot.workflows import agreements
from tests import saying
from tests.conftest import COMPANY_CONFIG
from tests.conftest import snapshot as snapshot_of

ALICE = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")
ANSWER = "I'm preparing the dossier of D-1; it will arrive in your DM."


async def run(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/dispute", text, user=user, channel=channel)


async def opened(app: Running, channel: str = "C0ACME") -> str:
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel=channel
    )
    await app.settle()
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


def dossiers_in(app: Running, channel: str) -> list[UploadedFile]:
    """The HTML dossiers shared in a channel."""
    return [f for f in app.slack.files_in(channel) if f.filename.endswith(".html")]


def pdfs_in(app: Running, channel: str) -> list[UploadedFile]:
    return [f for f in app.slack.files_in(channel) if f.filename.endswith(".pdf")]


def pdf_text(data: bytes) -> str:
    """The text an uncompressed PDF of Parley's draws: each string shown (`(…) Tj`), in the
    CID font's UTF-16BE, one per line."""
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    shown: list[str] = []
    i = 0
    while (start := data.find(b"(", i)) != -1:
        raw, j, depth = bytearray(), start + 1, 1
        while j < len(data):
            c = data[j : j + 1]
            if c == b"\\":
                nxt = data[j + 1 : j + 2]
                if nxt.isdigit():
                    end = j + 1
                    while end < j + 4 and data[end : end + 1].isdigit():
                        end += 1
                    raw.append(int(data[j + 1 : end], 8))
                    j = end
                    continue
                raw += escapes.get(nxt, nxt)
                j += 2
                continue
            if c == b"(":
                depth += 1
            elif c == b")":
                depth -= 1
                if depth == 0:
                    break
            raw += c
            j += 1
        if data[j + 1 : j + 4] == b" Tj":
            shown.append(bytes(raw).decode("utf-16-be", errors="replace"))
        i = j + 1
    return "\n".join(shown)


async def acme_agreement(app: Running) -> None:
    draft = agreement_terms.Draft(
        what="Incident reports <b>weekly</b>",
        why="Service credits",
        who="Acme's NOC",
        who_people=[RAJ],
        when="Every Monday",
        where="The shared channel",
        where_channel=None,
        how="A PDF in the thread",
        authorization="Head of IT",
        valid_until="2027-06-30",  # type: ignore[arg-type]
    )
    await agreements.draft_agreement(
        app.store,
        workspace_id="T0PARLEY",
        owner=ALICE,
        pick=agreement_terms.PartyPick(team_id="T0ACME", team_name="Acme Networks"),
        draft=draft,
        channel_id="C0DESK",
        config=app.parley.deps.config,  # type: ignore[union-attr]
        now=app.clock.now(),
        tz=ZoneInfo("Asia/Shanghai"),
    )


async def test_the_dossier_arrives_in_the_askers_dm_with_the_whole_record(app: Running) -> None:
    root = await opened(app)
    await acme_agreement(app)
    app.clock.advance(timedelta(hours=3))
    raj, _ = await app.driver.message(
        "U0RAJ", "C0ACME", "Fix by <!channel> Friday <script>alert(1)</script>", thread_ts=root
    )
    await app.driver.edit_message("C0ACME", raj.ts, "Fix by Monday <https://x.example|label>")
    await app.driver.delete_message("C0ACME", raj.ts)
    await app.driver.message("U0RAJ", "C0ACME", "我们正在处理这个争议", thread_ts=root)
    await run(app, "note D-1 Our clause 7 & <b>penalty</b>")
    await run(app, "escalate D-1 No fix by Friday")

    answer = await run(app, "dossier D-1")
    assert ANSWER in answer
    files = dossiers_in(app, "D0ALICE")
    assert len(files) == 1
    dossier = files[0]
    assert re.fullmatch(r"D-1-dossier-\d{8}-\d{4}Z\.html", dossier.filename)
    assert dossier.title == "Dossier of D-1: Core outage"
    assert dossier.initial_comment == "The dossier of D-1, as you asked."
    page = dossier.text
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    # Self-contained: no script, nothing loaded from elsewhere.
    assert "<script" not in page and "src=" not in page and "<link" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # What people typed is on record as plain text (`@channel`, a link's label and URL).
    assert "Fix by @channel Friday" in page and "label (https://x.example)" in page
    assert "我们正在处理这个争议" in page
    # The facts, the parties, the clocks, the agreement in force, the threads.
    for fact in (
        "Core outage",
        "Stage 2/4 · Multi-party",
        "alice (U0ALICE)",
        "Acme Networks",
        "T0ACME",
        "supplier",
        "Legal hold</dt><dd>no",
        "A-1 version 1 with Acme Networks",
        "Incident reports &lt;b&gt;weekly&lt;/b&gt;",
        "Asked by</dt><dd>alice (U0ALICE)",
        "3 h",  # Raj's first reply, three hours after he was brought in
        f"archives/C0ACME/p{root.replace('.', '')}",
    ):
        assert fact in page, fact
    # The record chain's last hash, as `parley verify` checks it (issue 19).
    async with app.store.read() as conn:
        head = await conn.scalar(
            sa.select(disputes_table.c.chain_head).where(disputes_table.c.number == 1)
        )
    assert head and f"Record chain (last hash)</dt><dd>{head}" in page
    assert "parley verify --dispute D-1" in page
    # Every event, with its time in UTC and in the reader's zone, author and party.
    assert len(re.findall(r"<tr(?: class=internal)?><td>\d+</td>", page)) == 8
    assert "<td>2026-11-23 05:00:00</td><td>2026-11-23 13:00:00 +0800</td>" in page
    assert "Time (Asia/Shanghai)" in page
    assert "raj (U0RAJ)" in page
    # The edit with the text it replaced; the deletion with what was deleted.
    assert "Replaced:</span>" not in page
    assert re.search(r"Fix by Monday.*Replaced: Fix by @channel Friday", page)
    assert re.search(r"Deleted:</span> Fix by Monday", page)
    # The internal note, marked internal.
    assert re.search(r"<tr class=internal>.*INTERNAL.*Our clause 7 &amp; &lt;b&gt;penalty", page)
    # The PDF beside it: the same record, Chinese included, in one upload with the HTML.
    (pdf,) = pdfs_in(app, "D0ALICE")
    assert pdf.content is not None and pdf.content.startswith(b"%PDF")
    assert pdf.filename == dossier.filename.replace(".html", ".pdf")
    assert pdf.shared_ts == dossier.shared_ts
    drawn = pdf_text(pdf.content)
    for fact in (
        "Dossier of D-1: Core outage",
        "我们正在处理这个争议",
        "Replaced: Fix by @channel Friday <script>alert(1)</script>",
        "INTERNAL",
        "Our clause 7 & <b>penalty</b>",
        "A-1 version 1 with Acme Networks",
    ):
        assert fact in drawn, fact
    # Nothing was posted: the files are the only thing the DM got.
    dm_posts = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "D0ALICE"]
    assert dm_posts == []
    assert app.slack.violations == []


async def test_the_dossier_is_in_the_askers_language(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    await opened(app)
    answer = await run(app, "dossier D-1")
    assert "D-1" in answer and "私信" in answer
    page = dossiers_in(app, "D0ALICE")[0].text
    assert '<html lang="zh-CN">' in page
    assert "相关方" in page and "Core outage" in page
    assert "相关方" in pdf_text(pdfs_in(app, "D0ALICE")[0].content or b"")


async def test_entering_legal_posts_the_dossier_in_the_legal_channel_once(app: Running) -> None:
    await opened(app, "C0DESK")
    for reason in ("No fix", "Beyond the manager"):
        await run(app, f"escalate D-1 {reason}")
    assert dossiers_in(app, "C0LEGAL") == []
    await run(app, "escalate D-1 Approved for court", user="U0CAROL")
    legal = dossiers_in(app, "C0LEGAL")
    assert len(legal) == 1
    assert legal[0].initial_comment == "D-1 entered legal: here is its dossier."
    assert "Legal hold</dt><dd>yes" in legal[0].text
    assert "Stage 4/4 · Legal" in legal[0].text
    # Resolved and reopened at legal: it does not enter legal again, nothing more is sent.
    await run(app, "resolve D-1 Settled", user="U0CAROL")
    await run(app, "reopen D-1 Settlement unpaid", user="U0CAROL")
    await app.parley.tick()
    await app.settle()
    assert len(dossiers_in(app, "C0LEGAL")) == 1
    assert len(app.slack.calls_to("files.completeUploadExternal")) == 1


async def test_a_retry_after_a_lost_answer_does_not_send_the_file_twice(app: Running) -> None:
    await opened(app, "C0DESK")
    # Slack shares the file, but its answer never arrives.
    app.slack.fail_next(1, status=500, method="files.completeUploadExternal", after_doing=True)
    await run(app, "dossier D-1")
    assert len(dossiers_in(app, "D0ALICE")) == 1
    async with app.store.read() as conn:
        pending = (await conn.execute(sa.select(uploads))).one()
    assert pending.shared_at is None
    app.clock.advance(timedelta(minutes=1))
    await app.parley.tick()
    await app.settle()
    assert len(dossiers_in(app, "D0ALICE")) == 1
    assert len(app.slack.calls_to("files.getUploadURLExternal")) == 2  # the HTML and the PDF
    assert [c.ok for c in app.slack.calls_to("files.info")] == [True, True]
    async with app.store.read() as conn:
        done = (await conn.execute(sa.select(uploads))).one()
        row = (
            await conn.execute(sa.select(outbox).where(outbox.c.kind == "dispute.dossier"))
        ).one()
    assert done.shared_at is not None and row.status == "delivered"


async def test_a_retry_after_a_failed_upload_sends_it_then(app: Running) -> None:
    await opened(app, "C0DESK")
    app.slack.fail_next(1, status=500, method="files.completeUploadExternal")
    await run(app, "dossier D-1")
    assert dossiers_in(app, "D0ALICE") == []
    app.clock.advance(timedelta(minutes=1))
    await app.parley.tick()
    await app.settle()
    assert len(dossiers_in(app, "D0ALICE")) == 1


class TestALegalChannelThatIsShared:
    """A legal channel misconfigured as a shared one: the file is refused at the door."""

    @pytest.fixture
    def config(self) -> ParleyConfig:
        text = COMPANY_CONFIG.replace('legal = "C0LEGAL"', 'legal = "C0ACME"')
        return parse_config(text, Path("tests/company.toml"))

    async def test_the_door_never_lets_a_dossier_into_it(self, app: Running) -> None:
        await opened(app, "C0DESK")
        for reason in ("No fix", "Beyond the manager"):
            await run(app, f"escalate D-1 {reason}")
        await run(app, "escalate D-1 Approved for court", user="U0CAROL")
        assert dossiers_in(app, "C0ACME") == []
        assert app.slack.calls_to("files.getUploadURLExternal") == []
        async with app.store.read() as conn:
            row = (
                await conn.execute(sa.select(outbox).where(outbox.c.kind == "dispute.dossier"))
            ).one()
        assert (row.status, row.error) == ("failed", "isolation")


@pytest.mark.parametrize(
    ("text", "user", "channel", "expected"),
    [
        ("dossier", "U0ALICE", "C0DESK", "Which dispute? Write it like `/dispute dossier D-3`."),
        ("dossier Z-1", "U0ALICE", "C0DESK", "is not a dispute id"),
        ("dossier D-9", "U0ALICE", "C0DESK", "There is no dispute D-9"),
        ("dossier D-5", "U0ALICE", "C0DESK", "There is no dispute D-5"),  # another workspace's
        ("dossier D-1 " + "x" * 5000, "U0ALICE", "C0DESK", "takes the dispute's id and nothing"),
        ("dossier D-1", "U0ALICE", "C0ACME", "I don't send it from a shared channel"),
        ("dossier D-1", "U0RAJ", "U0RAJ", "Only members of the workspace"),  # their DM
        ("dossier D-1", "U0RAJ", "C0ACME", "Only members of the workspace"),
        (
            "dossier D-1 <!channel> <https://evil.example|click>",
            "U0ALICE",
            "C0DESK",
            "nothing else",
        ),
    ],
)
async def test_bad_requests_are_refused_and_nothing_is_owed(
    app: Running, text: str, user: str, channel: str, expected: str
) -> None:
    await opened(app, "C0ACME")
    async with app.store.write() as conn:  # D-5 of another workspace
        await conn.execute(
            sa.insert(disputes_table).values(
                workspace_id="T0OTHER",
                number=5,
                title="Not ours",
                status="open",
                stage="coordination",
                channel_id="C0ELSE",
                owner_id="U0ELSE",
                opened_at=app.clock.now(),
                stage_started_at=app.clock.now(),
            )
        )
    before = await snapshot_of(app.store)
    calls = len(app.slack.calls)
    answer = await run(app, text, user=user, channel=channel)
    assert expected in answer
    assert "<!channel>" not in answer and "<https://evil" not in answer
    assert await snapshot_of(app.store) == before
    assert app.slack.files == {}
    assert not [c for c in app.slack.calls[calls:] if c.method.startswith("files.")]


async def test_asked_in_the_askers_own_dm_it_arrives_there(app: Running) -> None:
    await opened(app, "C0DESK")
    assert ANSWER in await run(app, "dossier d1", channel="U0ALICE")
    assert len(dossiers_in(app, "D0ALICE")) == 1 and len(pdfs_in(app, "D0ALICE")) == 1
    assert len(app.slack.calls_to("files.completeUploadExternal")) == 1  # both in one share
