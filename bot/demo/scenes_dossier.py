"""The demo's scene of the evidence dossier: asked for, arriving in the DM (HTML and PDF),
refused in a shared channel, and posted in the legal channel when a dispute enters legal."""

from __future__ import annotations

from bot.demo.session import Session, reply_text
from bot.domain.marks import N_
from bot.sandbox.files import UploadedFile


def _show_file(s: Session, where: str, shared: UploadedFile) -> None:
    s.say(
        s.t(
            N_("{where}  Parley shares a file › {name} ({size} KB) · {comment}"),
            where=where,
            name=shared.filename,
            size=max(1, round(shared.length / 1024)),
            comment=shared.initial_comment or "",
        )
    )


async def scene_dossier(s: Session) -> None:
    slack = s.running.slack
    answered = await s.command("U0ALICE", "C0DESK", "/dispute", "dossier D-1")
    s.check(
        s.t("I'm preparing the dossier of {ref}; it will arrive in your DM.", ref="D-1")
        in reply_text(answered),
        N_("Alice is told the dossier of D-1 is on its way to her DM"),
    )
    in_dm = slack.files_in("D0ALICE")
    for shared in in_dm:
        _show_file(s, s.t(N_("DM")), shared)
    html = [f for f in in_dm if f.filename.endswith(".html")]
    pdf = [f for f in in_dm if f.filename.endswith(".pdf")]
    page = html[0].text if html else ""
    s.check(
        len(html) == 1
        and html[0].filename.startswith("D-1-dossier-")
        and page.startswith("<!DOCTYPE html>")
        and "<script" not in page,
        N_("one self-contained HTML file arrives in her DM"),
    )
    s.check(
        len(pdf) == 1 and (pdf[0].content or b"").startswith(b"%PDF"),
        N_("and the same record as a PDF beside it"),
    )
    s.check(
        "Our contract&#x27;s clause 7 is weak" in page
        and s.t("INTERNAL") in page
        and s.t("Response clocks") in page
        and "archives/C0DESK" in page,
        N_("it holds the internal note (marked internal), the response clocks and the thread"),
    )
    sent = len(slack.files)
    refused = await s.command("U0ALICE", "C0ACME", "/dispute", "dossier D-1")
    s.check(
        s.says(
            reply_text(refused),
            "The dossier of D-{number} holds every party's business and the internal notes, so "
            "I don't send it from a shared channel. Ask me in an internal channel or in my DM.",
        )
        and len(slack.files) == sent,
        N_("asked in Acme's shared channel, it is refused and nothing is sent"),
    )
    await s.command("U0CAROL", "C0DESK", "/dispute", "reopen D-1 Acme will not pay the credit")
    await s.command("U0CAROL", "C0DESK", "/dispute", "escalate D-1 Acme refuses to pay: to court")
    shared_in_legal = slack.files_in("C0LEGAL")
    for shared in shared_in_legal:
        _show_file(s, "#legal", shared)
    in_legal = [f for f in shared_in_legal if f.filename.endswith(".html")]
    told = s.t("{ref} entered legal: here is its dossier.", ref="D-1")
    s.check(
        len(in_legal) == 1
        and in_legal[0].initial_comment == told
        and s.t("Stage {number}/{total} · {stage}", number=4, total=4, stage=s.t("Legal"))
        in in_legal[0].text,
        N_("entering legal posts the dossier in #legal, once"),
    )
