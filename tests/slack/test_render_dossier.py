"""The dossier's HTML on its own: whatever the record holds is text in it, never markup, and
the file holds nothing that runs or loads from elsewhere."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.commands import render_dossiers
from bot.commands.render_dossiers import Reader
from bot.commands.render_dossiers_pdf import PdfDossier
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.ladder import Stage, Status
from bot.domain.parties import Party, PartyKind
from bot.domain.text import person
from bot.domain.timeline import TimelineKind
from bot.workflows.dossiers import DossierSource
from tests.saying import CHINESE, ENGLISH
from tests.slack.test_dispute_dossier import pdf_text

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ACME = Party(id=1, name="Acme <Networks>", kind=PartyKind.SUPPLIER, slack_team="T0ACME")
NASTY = "<script>alert(1)</script> <!channel> <https://x.example|label> & “引号” 争议"


def source(title: str = NASTY, events: int = 0) -> DossierSource:
    dispute = Dispute(
        id=1,
        workspace_id="T0PARLEY",
        number=7,
        title=title,
        status=Status.RESOLVED,
        stage=Stage.LEGAL,
        channel_id="C0DESK",
        root_ts="1.1",
        owner_id="U0ALICE",
        opened_at=AT,
        stage_started_at=AT,
        stage_due_at=None,
        resolution=NASTY,
        legal_hold=True,
        parties=(ACME,),
    )
    return DossierSource(
        dispute=dispute,
        threads=[("C0DESK", "1.1", "home")],
        agreements=[],
        first_replies=[],
        last_event_id=events,
        event_count=events,
    )


def whole(src: DossierSource, page: list[TimelineEvent], reader: Reader) -> str:
    links = [("home", "C0DESK", 'https://northwind.slack.com/archives/C0DESK/p11?"x=<y>')]
    parts = render_dossiers.begin(
        src, reader, asker_id="U0BOB", generated_at=AT + timedelta(days=1), links=links
    )
    parts += render_dossiers.events(page, reader, first_number=1)
    parts += render_dossiers.end(reader)
    return "".join(parts)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs |= {name for name, _ in attrs}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    tags.close()
    return tags


def reader(language=ENGLISH) -> Reader:  # type: ignore[no-untyped-def]
    return Reader(language=language, tz=ZoneInfo("Asia/Shanghai"), names={"U0ALICE": "<b>Al"})


def test_typed_text_is_text_everywhere_and_nothing_runs() -> None:
    events = [
        TimelineEvent(
            kind=TimelineKind.REPLY, at=AT, actor_id="U0RAJ", party=ACME.name, text=NASTY
        ),
        TimelineEvent(
            kind=TimelineKind.EDITED,
            at=AT,
            actor_id="U0RAJ",
            party=ACME.name,
            text="now " + person("U0BOB", "bob"),
            previous_text=NASTY,
        ),
        TimelineEvent(kind=TimelineKind.DELETED, at=AT, actor_id="U0RAJ", text=NASTY),
        TimelineEvent(kind=TimelineKind.NOTE, at=AT, actor_id="U0ALICE", text=NASTY),
    ]
    page = whole(source(), events, reader())
    tags = parsed(page)
    allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "dl"}
    allowed |= {"dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "br", "span", "div"}
    allowed |= {"ul", "li", "a"}
    assert tags.tags <= allowed, tags.tags - allowed
    assert tags.attrs <= {"lang", "charset", "class", "href"}
    assert "<script" not in page and "<!channel>" not in page and "<https://" not in page
    # Read back as text, each typed text is exactly what was typed.
    text = "".join(tags.text)
    assert text.count(NASTY) == 8  # title ×3, resolution, reply, replaced, deleted, note
    assert "Acme <Networks>" in text and "<b>Al (U0ALICE)" in text and "now @bob" in text
    assert 'href="https://northwind.slack.com/archives/C0DESK/p11?&quot;x=&lt;y&gt;"' in page
    assert re.search(r"<tr class=internal><td>4</td>", page)


def test_headings_are_in_the_readers_language_and_the_record_as_typed() -> None:
    page = whole(source("核心故障 outage"), [], reader(CHINESE))
    assert '<html lang="zh-CN">' in page
    for heading in ("相关方", "响应时限", "现行协议", "消息串", "时间线", "法律保全"):
        assert heading in page, heading
    assert "D-7 的证据档案：核心故障 outage" in page
    assert "阶段 4/4" in page or "4/4" in page


def test_the_header_is_one_list_of_facts() -> None:
    facts = dict(
        render_dossiers.header_facts(
            source(), reader(), asker_id="U0BOB", generated_at=AT + timedelta(days=1)
        )
    )
    assert facts["Dispute"] == "D-7"
    assert facts["Legal hold"] == "yes"
    assert facts["Owner"] == "<b>Al (U0ALICE)"
    assert facts["Asked by"] == "U0BOB"
    assert facts["Generated"].startswith("2026-11-24 02:00:00 UTC")
    assert facts["Due"] == "none"


@given(st.text(max_size=200))
def test_any_text_comes_back_as_itself(typed: str) -> None:
    events = [TimelineEvent(kind=TimelineKind.REPLY, at=AT, actor_id="U0RAJ", text=typed)]
    rows = "".join(render_dossiers.events(events, reader(), first_number=1))
    tags = parsed(f"<table>{rows}</table>")
    assert tags.tags <= {"table", "tr", "td", "br"}


def test_the_pdf_draws_every_text_as_typed_and_wraps_what_has_no_spaces() -> None:
    long = "我们正在处理这个争议，" * 400  # one line without a space, pages long
    events = [
        TimelineEvent(kind=TimelineKind.REPLY, at=AT, actor_id="U0RAJ", text=long),
        TimelineEvent(
            kind=TimelineKind.EDITED, at=AT, actor_id="U0RAJ", text="b", previous_text=NASTY
        ),
        TimelineEvent(kind=TimelineKind.NOTE, at=AT, actor_id="U0ALICE", text="line 1\nline 2"),
    ]
    pdf = PdfDossier(source(), reader())
    pdf.begin(asker_id="U0BOB", generated_at=AT, links=[("home", "C0DESK", "https://x/y")])
    pdf.events(events, first_number=1)
    data = pdf.finish()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") >= 2
    drawn = pdf_text(data)
    assert "line 1\nline 2" in drawn and "INTERNAL" in drawn  # a line break is kept

    def squashed(text: str) -> str:  # the layout breaks lines and splits runs of text
        return re.sub(r"\s+", "", text)

    for typed in (long, f"Replaced: {NASTY}", "Acme <Networks>", f"Dossier of D-7: {NASTY}"):
        assert squashed(typed) in squashed(drawn), typed
