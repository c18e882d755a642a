"""The demo's scene of the satisfaction report: Contoso Retail's answers to two quarterly
surveys, and the service manager asking for the year's figures, which arrive in her DM as
text and as a chart (a PNG, uploaded with Slack's two file calls)."""

from __future__ import annotations

from datetime import timedelta

from bot.demo.session import Session, reply_text
from bot.domain.marks import N_
from bot.domain.surveys import SurveyKind
from bot.store import counters
from bot.store import parties as parties_repo
from bot.store import surveys as surveys_repo

QUESTIONS = ("Quality of service", "Responsiveness", "Overall")
# Two surveys of Contoso's people: the answers each gave, question by question.
ANSWERS = (
    (100, {"U0CLAIRE": (4, 3, 4), "U0CT2": (3, 2, 3), "U0CT3": (5, 4, 4)}),
    (12, {"U0CLAIRE": (5, 4, 5), "U0CT2": (4, 4, 4)}),
)
ASKED = ("U0CLAIRE", "U0CT2", "U0CT3", "U0CT4")


async def _answers(s: Session) -> int:
    """Contoso's surveys and answers, written through the surveys' store (the periodic
    survey's own flow is `/survey send`); how many answers there are."""
    now = s.running.clock.now()
    async with s.running.store.write() as conn:
        party = await parties_repo.by_name(conn, workspace_id="T0PARLEY", name="Contoso Retail")
        assert party is not None
        for days_ago, given in ANSWERS:
            at = now - timedelta(days=days_ago)
            number = await counters.next_number(conn, workspace_id="T0PARLEY", kind="survey")
            survey_id = await surveys_repo.insert(
                conn,
                workspace_id="T0PARLEY",
                number=number,
                kind=SurveyKind.PERIODIC,
                party_id=party.id,
                title=None,
                questions=QUESTIONS,
                channel_id="C0CONTOSO",
                now=at,
                closes_at=at + timedelta(days=7),
            )
            await surveys_repo.invite(
                conn, survey_id=survey_id, workspace_id="T0PARLEY", user_ids=ASKED, now=at
            )
            for user, ratings in given.items():
                await surveys_repo.record_answer(
                    conn,
                    survey_id=survey_id,
                    respondent_id=user,
                    party_id=party.id,
                    ratings=dict(enumerate(ratings)),
                    comment=None,
                    now=at + timedelta(hours=2),
                )
    return sum(len(given) for _, given in ANSWERS)


async def scene_report(s: Session) -> None:
    slack = s.running.slack
    answers = await _answers(s)
    s.say(s.t(N_("Contoso's people answered two quarterly surveys ({n} answers)."), n=answers))
    uploads = len(slack.calls_to("files.getUploadURLExternal"))
    shares = len(slack.calls_to("files.completeUploadExternal"))
    answered = await s.command(
        "U0ALICE", "C0DESK", "/report", "satisfaction Contoso Retail this year"
    )
    s.check(
        s.t("I'm preparing the satisfaction report; it will arrive in your DM.")
        in reply_text(answered),
        N_("the service manager is told the report is on its way to her DM"),
    )
    posted = [
        c.args
        for c in slack.calls_to("chat.postMessage")
        if c.args["channel"] == "D0ALICE" and "Contoso Retail" in str(c.args.get("text"))
    ]
    text = str(posted[-1]["text"]) if posted else ""
    s.check(
        s.t("Answers: {n}", n=answers) in text
        and s.t(
            "Response rate: {rate} ({answered} of {asked} people asked)",
            rate="62%",
            answered=5,
            asked=8,
        )
        in text,
        N_("the figures arrive in her DM: the answers and the response rate"),
    )
    charts = [f for f in slack.files_in("D0ALICE") if f.filename.endswith(".png")]
    for chart in charts:
        s.say(
            s.t(
                N_("{where}  Parley shares a file › {name} ({size} KB) · {comment}"),
                where=s.t(N_("DM")),
                name=chart.filename,
                size=max(1, round(chart.length / 1024)),
                comment=chart.initial_comment or "",
            )
        )
    s.check(
        len(charts) == 1
        and (charts[0].content or b"").startswith(b"\x89PNG\r\n\x1a\n")
        and len(slack.calls_to("files.getUploadURLExternal")) == uploads + 1
        and len(slack.calls_to("files.completeUploadExternal")) == shares + 1,
        N_("and the chart by quarter, a PNG uploaded with both of Slack's file calls"),
    )
