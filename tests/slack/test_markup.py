"""Typed text is never markup: what a person typed or a form returned is posted as text.

A title like `<!channel> urgent: pay via <https://evil.example|the Acme portal>` must never
ping a channel or show a link under a disguise, on any surface Parley posts to, while a
person picked from Slack's list (`<@U0RAJ|raj>`) stays a mention of that person. Each test
asserts the exact text of what was posted: the top-level `text` and every text of the blocks.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.commands.blocks import section, sections
from bot.commands.mrkdwn import Mrkdwn, errors_of, escape, link, md, mention, plain, truncate
from bot.commands.parsing import names_text, plain_text
from bot.domain.errors import InvalidInput
from bot.domain.text import clean_line, person
from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from bot.workflows.export import export_document
from tests import saying
from tests.saying import texts_of, words
from tests.slack.test_agreements import filled

# As Slack sends it in a slash command or a message: `@channel` typed became `<!channel>`, the
# pasted link `<url|label>`.
HOSTILE = "<!channel> urgent: pay via <https://evil.example|the Acme portal>"
# What Parley stores and shows for it: plain words, and the link's real address.
SHOWN = "@channel urgent: pay via the Acme portal (https://evil.example)"
# The same characters typed into a form arrive raw and are shown exactly as typed.
RAW_SHOWN = "&lt;!channel&gt; urgent: pay via &lt;https://evil.example|the Acme portal&gt;"


def texts(obj: Any) -> list[str]:
    """Every text of a Block Kit structure, in order (mrkdwn and plain_text alike)."""
    out: list[str] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in ("text", "initial_value") and isinstance(value, str):
                out.append(value)
            else:
                out += texts(value)
    elif isinstance(obj, list):
        for value in obj:
            out += texts(value)
    return out


def message(call: Any) -> list[str]:
    """A post as [channel, top-level text, every block text]."""
    return [call.args["channel"], call.args["text"], *texts(call.args.get("blocks") or [])]


def posts(app: Running, since: int = 0) -> list[list[str]]:
    return [message(c) for c in app.slack.calls_to("chat.postMessage")[since:]]


async def answer(app: Running, command: str, text: str, channel: str = "C0DESK") -> list[str]:
    return texts_of(await saying.asked(app, command, text, channel=channel))


def no_markup_but_ours(text: str) -> None:
    """No `<` in mrkdwn but Parley's own mentions, channels and permalinks."""
    for found in re.finditer(r"<([^>]*)>", text):
        assert re.fullmatch(r"[@#][A-Z0-9]+|https://northwind\.slack\.com/[^|]+\|.*", found[1]), (
            found[0]
        )


# --- the rule, directly -------------------------------------------------------------------


def test_escape_leaves_nothing_slack_reads_as_markup() -> None:
    assert escape("<!channel> & <https://x|y>") == "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
    assert escape(person("U0RAJ", "raj") + " <@U0BOB>") == "<@U0RAJ> &lt;@U0BOB&gt;"
    assert escape(escape("a < b")) == "a &lt; b"  # escaping twice is harmless
    assert escape("quotes ' and \" stay") == "quotes ' and \" stay"  # Slack decodes no &#39;


def test_format_and_join_escape_every_argument_that_is_not_mrkdwn() -> None:
    line = md("*{}* by {}: {:,}", "<!here>", mention("U0ALICE"), 1234)
    assert isinstance(line, Mrkdwn) and line == "*&lt;!here&gt;* by <@U0ALICE>: 1,234"
    assert Mrkdwn(", ").join(["<a>", Mrkdwn("<@U1>")]) == "&lt;a&gt;, <@U1>"
    assert "• " + Mrkdwn("<@U1>") == "• <@U1>" and Mrkdwn("<@U1>") + " <b>" == "<@U1> &lt;b&gt;"
    assert mention("U1> <!channel") == "U1&gt; &lt;!channel"  # not an id: text


def test_the_builders_escape_plain_str_and_keep_mrkdwn() -> None:
    assert section("<!channel>")["text"]["text"] == "&lt;!channel&gt;"
    assert section(md("{} said", mention("U0RAJ")))["text"]["text"] == "<@U0RAJ> said"
    (block,) = sections(["<!here>", Mrkdwn("*ok*")])
    assert block["text"]["text"] == "&lt;!here&gt;\n*ok*"


def test_truncation_never_splits_an_escape_a_mention_or_a_token() -> None:
    long = escape("x" * 2990 + " &&&&&&&&&&")
    cut = section(long)["text"]["text"]
    assert len(cut) <= 3000 and cut.endswith("&amp;…") and "&am…" not in cut
    assert truncate(Mrkdwn("abc <@U0RAJ> tail"), 9) == "abc …"
    linked = Mrkdwn("<https://x/p?a=1&b=2|*D-1*> ") + "y" * 50
    assert truncate(linked, 40) == linked[:39] + "…"  # a URL's `&` is no escape to protect
    stored = "ask " + person("U0RAJ", "raj") + " now"
    assert truncate(stored, 8) == "ask …"
    assert section("<" * 2000)["text"]["text"] == "&lt;" * 749 + "…"


def test_slack_escaped_text_is_stored_as_plain_words() -> None:
    assert plain_text(HOSTILE) == SHOWN
    assert plain_text("<!here> <!everyone> <!subteam^S1|@oncall> <!subteam^S2>") == (
        "@here @everyone @oncall @subteam"
    )
    assert plain_text("see <https://x.io|x.io> and <https://y.io> and <mailto:a@b.c|a@b.c>") == (
        "see https://x.io and https://y.io and a@b.c"
    )
    assert plain_text("typed &lt;!channel&gt; &amp;lt; in <#C1|desk>") == (
        "typed <!channel> &lt; in #desk"
    )
    assert plain_text("hi <@U0RAJ|raj> and <@U0BOB>") == (
        "hi " + person("U0RAJ", "raj") + " and " + person("U0BOB")
    )
    # Nothing typed can pass for a token: its delimiters are stripped before tokens are made.
    assert plain_text("\ue000@U0BOB|bob\ue001") == "@U0BOB|bob"
    assert names_text("rename x to <@U0RAJ|raj>") == "rename x to @raj"
    assert plain_text("by <!date^1392734382^{date_short}|Feb 18, 2014>") == "by Feb 18, 2014"
    assert plain_text("<@U1|" + "n" * 200 + ">") == person("U1", "n" * 80)


def test_plain_contexts_show_a_mention_by_name() -> None:
    stored = plain_text("ask <@U0RAJ|raj> and <@U0BOB>")
    assert plain(stored) == "ask @raj and @U0BOB"
    assert plain(md("{} &", mention("U0RAJ"))) == "@U0RAJ &"


def test_form_errors_and_permalinks_carry_no_token_and_no_markup() -> None:
    assert errors_of({"title": "ask " + person("U0RAJ", "raj"), "n": 1}) == {
        "title": "ask @raj",
        "n": 1,
    }
    assert link("https://x.slack.com/p1?thread_ts=1&cid=C1", "<D-1>") == (
        "<https://x.slack.com/p1?thread_ts=1&cid=C1|&lt;D-1&gt;>"
    )
    assert link("https://x/a|b>c", "l") == "<https://x/a%7Cb%3Ec|l>"


TITLE_CODES = {"empty": "dispute.title_empty", "too_long": "dispute.title_too_long"}


def test_length_limits_count_a_mention_as_people_see_it() -> None:
    title = "x" * 145 + " " + person("U0RAJ", "raj")
    assert clean_line(title, limit=150, **TITLE_CODES) == title
    try:
        clean_line(title + "!", limit=150, **TITLE_CODES)
    except InvalidInput as exc:
        assert "151 characters" in words(exc)
    else:  # pragma: no cover - the assertion above is the test
        raise AssertionError("too long a title was accepted")
    # A stray delimiter (a token cut in half) never survives cleaning.
    assert clean_line("a \ue000@U1 b", limit=10, **TITLE_CODES) == "a @U1 b"


PIECES = [
    "<",
    ">",
    "&",
    "!",
    "|",
    "@",
    "#",
    "<!channel>",
    "<!here|x>",
    "<@U0RAJ|raj>",
    "<@U1>",
    "<#C1|desk>",
    "<https://evil.example|label>",
    "<mailto:a@b.c>",
    "&lt;",
    "&gt;",
    "&amp;",
    "<!subteam^S1|@team>",
    "\ue000",
    "\ue001",
    "\ue000@U1|x\ue001",
    " ",
]
# Text a hostile person would type: Slack's control sequences, whole and broken, and anything.
TYPED = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=12).map("".join)


@given(TYPED)
def test_no_typed_text_becomes_markup(typed: str) -> None:
    for stored in (typed, plain_text(typed)):
        shown = section(md("*{}* {}", stored, mention("U0ALICE")))["text"]["text"]
        assert "<!" not in shown and "<http" not in shown
        no_markup_but_ours(shown)
        assert "\ue000" not in shown and "\ue001" not in shown
        assert "&" not in shown.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


@given(TYPED, st.integers(2, 70))
def test_truncated_mrkdwn_is_a_whole_prefix(typed: str, limit: int) -> None:
    full = escape(plain_text(typed) + " " + person("U0RAJ"))
    cut = truncate(full, limit)
    assert len(cut) <= max(limit, len(full))
    kept = cut.removesuffix("…") if len(full) > limit else cut
    assert full.startswith(kept)
    # The cut falls between two whole pieces: never inside `&amp;` or `<@U0RAJ>`.
    assert not re.search(r"&[a-z]*$|<[^>]*$", kept)


# --- every surface, over HTTP ------------------------------------------------------------


async def test_a_hostile_title_and_reason_are_text_on_every_dispute_surface(
    app: Running,
) -> None:
    await answer(app, "/dispute", f"open {HOSTILE}, ask <@U0RAJ|raj> with <@U0RAJ|raj>")
    title = f"{SHOWN}, ask <@U0RAJ>"
    (card,) = posts(app)
    assert card == [
        "C0DESK",
        f"D-1 · {title} — Stage 1/4 · Coordination",
        f"D-1 · {SHOWN}, ask @raj",  # the header is plain_text
        ":large_blue_circle: Stage 1/4 · Coordination — due Wed 25 Nov, 2 working days left\n"
        "*Owner:* <@U0ALICE>\n*Parties:* Acme Networks (supplier)",
        "Opened by <@U0ALICE> Mon 23 Nov 2026 10:00 (Asia/Shanghai) · "
        "Reply in this thread: every reply goes on the record",
        "Escalate",
        "Resolve",
        "Add note",
    ]

    await answer(app, "/dispute", f"escalate D-1 {HOSTILE}")
    await answer(app, "/dispute", "escalate D-1 typed &lt;!here&gt; &amp; <!everyone>")
    thread_1, thread_2, notice = posts(app, 1)
    assert thread_1 == ["C0DESK"] + 2 * [
        f":arrow_up: Escalated to *Stage 2/4 · Multi-party* by <@U0ALICE>: {SHOWN}"
    ]
    typed = "typed &lt;!here&gt; &amp; @everyone"
    assert thread_2 == ["C0DESK"] + 2 * [
        f":arrow_up: Escalated to *Stage 3/4 · Company process* by <@U0ALICE>: {typed}"
    ]
    assert notice == [
        "C0PROCESS",
        f"D-1 · {title} entered company process",
        f"*D-1 · {title}* entered *Stage 3/4 · Company process*\n"
        f"Escalated by <@U0ALICE>: {typed}\n"
        "*Owner:* <@U0ALICE> · *Parties:* Acme Networks (supplier)\n"
        "Opened Mon 23 Nov 2026 10:00 in <#C0DESK>",
    ]
    edited = message(app.slack.calls_to("chat.update")[-1])
    assert edited[:3] == [
        "C0DESK",
        f"D-1 · {title} — Stage 3/4 · Company process",
        f"D-1 · {SHOWN}, ask @raj",
    ]

    shown = await answer(app, "/dispute", "show D-1")
    assert shown[-1] == (
        "*Latest on the record* (4 of 4)\n"
        "Mon 23 Nov 2026 10:00 · <@U0ALICE> opened the dispute\n"
        "Mon 23 Nov 2026 10:00 · <@U0ALICE> brought in Acme Networks\n"
        f"Mon 23 Nov 2026 10:00 · <@U0ALICE> escalated: {SHOWN}\n"
        f"Mon 23 Nov 2026 10:00 · <@U0ALICE> escalated: {typed}"
    )
    assert shown[0] == f"D-1 · {title} — Stage 3/4 · Company process"
    listed = await answer(app, "/dispute", "list")
    assert listed == [
        "Open disputes (1)",
        "*Open disputes (1)*",
        f"• *D-1* {SHOWN}, ask … — Stage 3/4 · Company process, due Mon 7 Dec, "
        "10 working days left — Acme Networks — <@U0ALICE>",
    ]

    await answer(app, "/digest", "now")
    digest = posts(app)[-1]
    assert digest[-1] == (
        ":large_blue_circle: *Open disputes* (1)\n"
        "• <https://northwind.slack.com/archives/C0DESK/p1795399200000000|*D-1*> "
        f"{SHOWN}, ask … — Stage 3/4 · Company process, due Mon 7 Dec, 10 working days left"
        " — Acme Networks — <@U0ALICE>"
    )
    for post in [*posts(app), *(message(c) for c in app.slack.calls_to("chat.update"))]:
        for text in post[1:]:
            assert "<!" not in text and "<http" not in text.replace("<https://northwind", "")

    # The record keeps what was typed, readable; the export shows the mention by name.
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None and d1.title == f"{SHOWN}, ask " + person("U0RAJ", "raj")
    (exported,) = (await export_document(app.store))["disputes"]
    assert exported["title"] == f"{SHOWN}, ask @raj"


async def test_the_overdue_dm_and_the_home_show_a_hostile_title_as_text(app: Running) -> None:
    await answer(app, "/dispute", f"open {HOSTILE} with <@U0RAJ|raj>")
    app.clock.advance(timedelta(days=2, minutes=1))  # Acme's 2 working days have run out
    await app.parley.tick()
    await app.settle()
    dm = posts(app)[-1]
    assert dm[1] == "D-1 is overdue"
    assert dm[2].startswith(
        ":alarm_clock: <https://northwind.slack.com/archives/C0DESK/p1795399200000000"
        f"|D-1 · {SHOWN}> is overdue at *Stage 1/4 · Coordination* by 1 working day."
    )
    await app.driver.home_opened("U0ALICE")
    await app.settle()
    home = texts(app.slack.calls_to("views.publish")[-1].args["view"]["blocks"])
    assert f":red_circle: *D-1* {SHOWN} — Stage 1/4 · Coordination, " in "\n".join(home)
    for text in [*dm[1:], *home]:
        no_markup_but_ours(text)


async def test_the_open_form_title_is_posted_exactly_as_typed(app: Running) -> None:
    await answer(app, "/dispute", "open")
    view = (await app.slack.wait_for("views.open"))[0].args["view"]
    forged = "\ue000@U0BOB|bob\ue001"  # a token's delimiters typed into the form
    await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={"title": {"text": f"{HOSTILE} {forged} <@U0CAROL>"}, "people": {"users": []}},
    )
    await app.settle()
    (card,) = posts(app)
    assert card[:3] == [
        "C0DESK",
        f"D-1 · {RAW_SHOWN} @U0BOB|bob &lt;@U0CAROL&gt; — Stage 1/4 · Coordination",
        f"D-1 · {HOSTILE} @U0BOB|bob <@U0CAROL>",  # plain_text: shown as typed, read as text
    ]


async def test_a_thread_reply_with_markup_is_text_on_the_record(app: Running) -> None:
    await answer(app, "/dispute", "open Outage with <@U0RAJ|raj>", channel="C0ACME")
    root = str(app.slack.calls_to("chat.postMessage")[0].response["ts"])
    await app.driver.message("U0RAJ", "C0ACME", f"{HOSTILE} cc <@U0ALICE>", thread_ts=root)
    await app.settle()
    shown = await answer(app, "/dispute", "show D-1")
    assert shown[-1].endswith(f"<@U0RAJ> (Acme Networks) replied: {SHOWN} cc <@U0ALICE>")


async def test_review_title_action_item_reminder_and_minutes_are_text(app: Running) -> None:
    schedule = f"schedule {HOSTILE} with <@U0RAJ|raj> every month on the 10th working day at 10:00"
    scheduled = await answer(app, "/review", schedule, channel="C0ACME")
    assert scheduled[1] == (
        f":calendar: *R-1 · {SHOWN}* · next: Mon 14 Dec 2026 10:00 (Asia/Shanghai) · "
        "every month on the 10th working day at 10:00\n"
        "*In:* <#C0ACME> · *With:* <@U0ALICE>, <@U0RAJ>"
    )
    said = await answer(
        app, "/review", f"action R-1 <@U0RAJ|raj> Dec 18 {HOSTILE} for <@U0RAJ|raj>"
    )
    item = f"{SHOWN} for <@U0RAJ>"
    assert said[0] == (
        f"T-1 from R-1: {item} — <@U0RAJ>, due Fri 18 Dec 2026 10:00 (Asia/Shanghai). "
        "It is posted in <#C0ACME> with a Done button, and its owner is reminded on the due date."
    )
    assert posts(app) == [
        [
            "C0ACME",
            f"T-1 · {item} — due Fri 18 Dec 2026 10:00 (Asia/Shanghai)",
            f":pushpin: *T-1* from R-1: {item}\n"
            "*Owner:* <@U0RAJ> · *Due:* Fri 18 Dec 2026 10:00 (Asia/Shanghai)",
            "Done",
        ]
    ]

    app.clock.set(datetime(2026, 12, 11, 2, 0, tzinfo=UTC))  # the working day before
    await app.parley.tick()
    await app.settle()
    assert posts(app, 1) == [
        [
            "C0ACME",
            f"R-1 · {SHOWN}: next meeting Mon 14 Dec 2026 10:00 (Asia/Shanghai)",
            f":calendar: *R-1 · {SHOWN}* — next meeting\n"
            "*When:* Mon 14 Dec 2026 10:00 (Asia/Shanghai)\n*With:* <@U0ALICE>, <@U0RAJ>",
            "*Agenda*\n1. Review of service delivery against the agreement\n"
            "2. Key problems to negotiate\n3. Improvement plan for the next period\n\n"
            f"*Open action items* (1)\n• *T-1* (R-1) {item} — <@U0RAJ>, due Fri 18 Dec 10:00",
            "Reply in this thread to record the minutes of this meeting",
        ]
    ]

    app.clock.set(datetime(2026, 12, 14, 3, 0, tzinfo=UTC))  # after the meeting
    await app.parley.tick()
    await app.settle()
    prompt = posts(app)[-1]
    assert prompt[1:3] == [
        f"Minutes of R-1 · {SHOWN} (Mon 14 Dec 2026 10:00 (Asia/Shanghai))",
        f":memo: *R-1 · {SHOWN}* met at Mon 14 Dec 2026 10:00 (Asia/Shanghai). Reply in this "
        "thread with the minutes: what was agreed on service delivery, the problems, the "
        "improvement plan.",
    ]
    await answer(app, "/review", "minutes R-1 typed &lt;!here&gt; and <!channel>", "C0DESK")
    shown = await answer(app, "/review", "show R-1")
    assert shown[-1] == (
        "*Minutes* (latest 1 of 1)\nMon 14 Dec 11:00 · <@U0ALICE>: typed &lt;!here&gt; and @channel"
    )
    for post in posts(app):
        for text in post[1:]:
            no_markup_but_ours(text)


async def test_a_party_renamed_to_markup_is_text_on_agreement_cards(app: Running) -> None:
    await answer(app, "/dispute", "open Printer fleet invoices with <@U0IVAN|ivan>")
    # Typed literally, Slack sends `&lt;!channel&gt;`; the name is stored as typed.
    said = await answer(app, "/party", "rename initech to &lt;!channel&gt; Acme")
    assert said[0] == "Renamed Initech to *&lt;!channel&gt; Acme*. Updating the card of D-1."
    name = "&lt;!channel&gt; Acme"
    assert message(app.slack.calls_to("chat.update")[-1])[3].endswith(
        f"*Parties:* {name} (supplier)"
    )

    await answer(app, "/agreement", "new with <@U0IVAN|ivan>")
    view = app.slack.calls_to("views.open")[-1].args["view"]
    party = next(b for b in view["blocks"] if b["block_id"] == "party")
    options = {o["text"]["text"]: o["value"] for o in party["element"]["options"]}
    assert "<!channel> Acme" in options  # plain_text: shown as typed
    values = filled(options["<!channel> Acme"], who_people=["U0IVAN"], what=HOSTILE)
    await app.driver.view_submission(user="U0ALICE", view=view, values=values)
    await app.settle()
    card = posts(app)[-1]
    assert card[:5] == [
        card[0],
        f"A-1 · Agreement with {name} — version 1, awaiting acknowledgment",
        "A-1 · Agreement with <!channel> Acme",
        ":large_blue_circle: *Active* — valid until Wed 30 Jun 2027\n"
        "*Version* 1 · *Owner* <@U0ALICE>",
        f"*What*\n{RAW_SHOWN}",
    ]
    assert (
        f":hourglass_flowing_sand: *Awaiting acknowledgment* by {name}'s people: "
        "one of them presses Acknowledge."
    ) in card
    listed = await answer(app, "/agreement", "list")
    assert listed[-1] == (
        f"• *A-1* · {name} · v1 · active · valid until Wed 30 Jun 2027 · "
        f"awaiting acknowledgment — {RAW_SHOWN}"
    )


async def test_names_from_slack_are_text_a_person_typed(app: Running) -> None:
    """A Slack team's name becomes a party's name, a display name appears in answers: both
    were typed by somebody, and are shown as text."""
    workspace = app.slack.workspace
    workspace.teams["T0INITECH"].name = "<!here> Initech"
    workspace.users["U0BOB"].display_name = "<!channel>"
    await answer(app, "/dispute", "open Printer fleet invoices with <@U0IVAN|ivan>")
    (card,) = posts(app)
    assert card[3].endswith("*Parties:* &lt;!here&gt; Initech (supplier)")
    said = await answer(app, "/agreement", "new with <@U0BOB|bob>")
    assert said[-1] == (
        ":warning: @&lt;!channel&gt; is a member of this workspace. Mention somebody of the "
        "other organisation: `/agreement new with @their-rep`."
    )


async def test_the_door_escapes_what_a_renderer_forgot(app: Running) -> None:
    """A hand-built block of plain `str` is escaped on the way out, never posted as markup."""
    from bot.commands import outgoing

    assert app.parley.deps is not None and app.parley.client is not None
    ts = await outgoing.post(
        app.parley.deps,
        app.parley.client,
        channel="C0DESK",
        workspace_id="T0PARLEY",
        text="<!channel> hi",
        blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": "<!here> " + person("U0RAJ")}},
            {"type": "header", "text": {"type": "plain_text", "text": person("U0RAJ", "raj")}},
        ],
        about=outgoing.NOTHING,
    )
    assert ts is not None
    assert posts(app)[-1] == ["C0DESK", "&lt;!channel&gt; hi", "&lt;!here&gt; <@U0RAJ>", "@raj"]


def test_mrkdwn_survives_the_window_between_renderer_and_door() -> None:
    block = section(md("{}", mention("U0RAJ")))
    assert isinstance(block["text"]["text"], Mrkdwn)  # else the door would escape it again


def test_escape_of_text_without_special_characters_is_the_text_and_the_rest_unchanged() -> None:
    import random

    from bot.commands.mrkdwn import _escape_chars, _token_markup
    from bot.domain.text import TOKEN

    def slow(text: str) -> str:  # the escape without its shortcut for plain text
        out, pos = [], 0
        for m in TOKEN.finditer(text):
            out += [_escape_chars(text[pos : m.start()]), _token_markup(m)]
            pos = m.end()
        return "".join([*out, _escape_chars(text[pos:])])

    alphabet = "ab 中文<>&|@#!U1\ue000\ue001*_~`\u202e"
    chooser = random.Random(21)
    for _ in range(3000):
        text = "".join(chooser.choice(alphabet) for _ in range(chooser.randrange(0, 12)))
        assert escape(text) == slow(text), repr(text)
    for text in ("<!channel>", "<https://evil.example|the Acme portal>", "Acme 网络 & co"):
        assert escape(text) == slow(text)
    assert escape("Acme Networks 故障") == "Acme Networks 故障"


def test_format_escapes_each_argument_exactly_as_the_formatter_does() -> None:
    from collections import namedtuple

    from bot.commands.mrkdwn import _FORMATTER

    Party = namedtuple("Party", "name count")
    nasty = ["<!channel>", "<https://evil.example|the Acme portal>", "a & b", "中文<>", ""]
    templates = [
        "*{}* by {}",
        "{0} {1} {0}",
        "{title} ({n:,}) {title}",
        "{p.name}: {p.count:,}",
        "{0[0]} and {0[1]}",
        "{x:>12}|{x:<3}",
        "{share:.0%} {{literal}}",
        "{:{width}}",
        "{kind}",
    ]
    for text in nasty:
        trusted = Mrkdwn(f"<@U0RAJ> {text}")
        cases: list[tuple[tuple[object, ...], dict[str, object]]] = [
            ((text, trusted), {}),
            ((text, 12345), {}),
            ((), {"title": text, "n": 1234567}),
            ((), {"p": Party(text, 9876)}),
            (([text, trusted],), {}),
            ((), {"x": text}),
            ((), {"share": 0.375}),
            ((text,), {"width": 9}),
            ((), {"kind": trusted}),
        ]
        for template, (args, kwargs) in zip(templates, cases, strict=True):
            slow = _FORMATTER.vformat(template, args, kwargs)
            assert Mrkdwn(template).format(*args, **kwargs) == slow, (template, args, kwargs)
    assert md("{} {!r}", "<b>", "<b>") == "&lt;b&gt; '&lt;b&gt;'"
