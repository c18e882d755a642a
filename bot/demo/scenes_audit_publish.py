"""The demo's scene of a published scorecard: Acme's third-quarter scorecard, rated by the
auditor, published to #service-desk and to Acme's own shared channel (the table as text and
the radar chart in each post's thread); Acme's rep appeals, and the owner is told by DM; the
band-D dimension's improvement action is made, and its owner marks it done with `/review done`
though it has no review."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.demo.session import Session, reply_text
from bot.domain.audits import Band, Dimension, DimensionScore, band, total
from bot.domain.marks import N_
from bot.store import audits as audits_repo
from bot.store import counters
from bot.store import parties as parties_repo
from bot.store import reviews as reviews_repo

WS = "T0PARLEY"
OWNER = "U0BOB"  # Acme's contract owner
FIGURES: tuple[tuple[Dimension, int | None, dict[str, int | float | str | None]], ...] = (
    (
        Dimension.RESPONSIVENESS,
        78,
        {
            "within": 7,
            "replies": 9,
            "median_hours": 1.5,
            "contract_hours": 2,
            "support_hours": "24x7",
        },
    ),
    (Dimension.PROBLEM_SOLVING, 40, {"early": 2, "closed": 5}),
    (
        Dimension.EFFICIENCY,
        90,
        {"resolved": 4, "median_hours": 13.5, "median_working_days": 2.0, "contract_hours": 12},
    ),
    (Dimension.STAFF_STABILITY, None, {"no_data": "record"}),
    (Dimension.CUSTOMER_FEEDBACK, 60, {"answers": 4, "mean_rating": 3.5, "complaints": 1}),
    (Dimension.COOPERATION, 75, {"rating": 4}),
)


async def _rated_scorecard(s: Session) -> int:
    """Acme's scorecard of the third quarter, rated 4 by the auditor, written through the
    audits' store (its own flow is `/audit open` and `/audit rate`); its number."""
    config = s.running.parley.config.audits
    weights, bands = config.weights.by_dimension, config.bands.by_band
    scores = [
        DimensionScore(dimension=d, score=score, facts=facts, weight=weights[d])
        for d, score, facts in FIGURES
    ]
    value = total(scores, weights)
    now = s.running.clock.now()
    async with s.running.store.write() as conn:
        party = await parties_repo.by_name(conn, workspace_id=WS, name="Acme Networks")
        assert party is not None
        number = await counters.next_number(conn, workspace_id=WS, kind=audits_repo.COUNTER_KIND)
        scorecard_id = await audits_repo.insert(
            conn,
            workspace_id=WS,
            number=number,
            party_id=party.id,
            period_start=datetime(2026, 7, 1, tzinfo=UTC),
            period_end=datetime(2026, 10, 1, tzinfo=UTC),
            owner_id=OWNER,
            now=now,
            created_by="U0ALICE",
            dimensions=scores,
            total=value,
            band=band(value, bands),
        )
        await audits_repo.set_rating(
            conn,
            scorecard_id=scorecard_id,
            version=1,
            cooperation=4,
            notes="Helpful on the phone; slow to close.",
            by="U0ALICE",
            now=now,
        )
    assert band(value, bands) is Band.C
    return number


async def scene_audit_publish(s: Session) -> None:
    slack = s.running.slack
    number = await _rated_scorecard(s)
    ref = f"S-{number}"
    s.say(s.t(N_("The auditor has rated Acme's scorecard {ref} for the third quarter."), ref=ref))
    answered = await s.command("U0ALICE", "C0DESK", "/audit", f"publish {ref} to supplier")
    s.check(
        s.says(
            reply_text(answered),
            "{ref} version {version} is published: posted here and in the supplier's "
            "shared channel",
        ),
        N_("Alice is told the scorecard is published, here and in Acme's channel"),
    )

    def posts(channel: str) -> list[dict[str, object]]:
        return [
            c.args
            for c in slack.calls_to("chat.postMessage")
            if c.args["channel"] == channel and str(c.args.get("text", "")).startswith(ref)
        ]

    internal, acme = posts("C0DESK"), posts("C0ACME")
    s.check(
        len(internal) == 1
        and len(acme) == 1
        and "Helpful on the phone" in str(internal[0]["blocks"])
        and "Helpful on the phone" not in str(acme[0]["blocks"])
        and posts("C0GLOBEX") == [],
        N_("posted in #service-desk with the auditor's notes, in Acme's channel without them"),
    )
    charts = [*slack.files_in("C0DESK"), *slack.files_in("C0ACME")]
    s.check(
        len(charts) == 2
        and all((f.content or b"").startswith(b"\x89PNG\r\n\x1a\n") for f in charts)
        and all(f.thread_ts for f in charts),
        N_("the radar chart is uploaded into each post's thread"),
    )
    copy_ts = str(
        next(
            (c.response or {}).get("ts")
            for c in slack.calls_to("chat.postMessage")
            if c.args is acme[0]
        )
    )
    await s.press("U0RAJ", "C0ACME", copy_ts, "audit_appeal", N_("Appeal"))
    typed = "Two of the late replies fell on the National Day holiday."
    await s.submit("U0RAJ", {"remark": {"remark_text": typed}}, typed)
    async with s.running.store.read() as conn:
        found = await audits_repo.get(conn, workspace_id=WS, number=number)
        appeals = [] if found is None else await audits_repo.appeals(conn, scorecard_id=found.id)
    told = [
        c.args
        for c in slack.calls_to("chat.postMessage")
        if c.args["channel"] == "D0BOB" and typed in str(c.args.get("blocks"))
    ]
    s.check(
        [a.text for a in appeals] == [typed] and len(told) == 1,
        N_("Raj's appeal is recorded, and Bob, the scorecard's owner, is told by DM"),
    )
    await _improvement(s, ref, _ts(s, internal[0]))


def _ts(s: Session, args: dict[str, object]) -> str:
    calls = s.running.slack.calls_to("chat.postMessage")
    return str(next((c.response or {}).get("ts") for c in calls if c.args is args))


async def _improvement(s: Session, ref: str, ts: str) -> None:
    """Alice presses the band-D button on the internal post: T-n is Bob's (the scorecard's
    owner), and `/review done` finds it though it comes from no review."""
    await s.press(
        "U0ALICE", "C0DESK", ts, "audit_improvement_action", N_("Create improvement action")
    )
    async with s.running.store.read() as conn:
        mine = await reviews_repo.open_actions(conn, workspace_id=WS, owner_id=OWNER)
    made = [i for i in mine if i.scorecard_ref == ref and i.review_id is None]
    s.check(len(made) == 1, N_("the improvement action from {ref} is Bob's"), ref=ref)
    if not made:
        return
    item = made[0]
    done = await s.command(OWNER, "C0DESK", "/review", f"done {item.ref}")
    async with s.running.store.read() as conn:
        after = await reviews_repo.get_action(conn, workspace_id=WS, number=item.number)
    s.check(
        after is not None
        and not after.is_open
        and after.done_by == OWNER
        and s.says(reply_text(done), "{ref} is done: {text}"),
        N_("Bob marks {action} done with /review done, though it comes from no review"),
        action=item.ref,
    )
