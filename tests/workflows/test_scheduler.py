"""The scheduler behind digests: once per key, late after downtime, exactly once with two
instances on one PostgreSQL, owed to the outbox and retried with backoff when Slack fails,
and `parley digest send`."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.config import ParleyConfig
from bot.domain.calendar import calendar_for
from bot.domain.digests import DigestKind, Subscription
from bot.domain.parties import Person
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import RecordedCall, SlackStandIn
from bot.store import Store
from bot.store import digests as digests_repo
from bot.store.schema import outbox, sends
from bot.workflows import digests
from tests.conftest import COMPANY_CONFIG, START

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)  # type: ignore[misc]


def digest_posts(slack: SlackStandIn, channel: str | None = None) -> list[RecordedCall]:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.ok
        and "digest ·" in str(c.args.get("text"))
        and (channel is None or c.args.get("channel") == channel)
    ]


async def tick_at(app: Running, when: datetime) -> None:
    app.clock.set(when)
    await app.parley.tick()
    await app.settle()


async def prepare(app: Running) -> None:
    """A dispute to talk about and a #service-desk digest at 09:00."""
    await app.driver.command("/dispute", "open Core outage", user="U0ALICE", channel="C0DESK")
    await app.driver.command("/digest", "subscribe at 09:00", user="U0ALICE", channel="C0DESK")
    await app.settle()


async def subscription(store: Store, target: str = "C0DESK") -> Subscription:
    async with store.read() as conn:
        found = await digests_repo.get(
            conn, workspace_id="T0PARLEY", kind=DigestKind.CHANNEL, target=target
        )
    assert found is not None
    return found


async def test_restart_in_the_middle_of_the_due_window_sends_once_late(
    slack: SlackStandIn, config: ParleyConfig, sqlite_url: str
) -> None:
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as first:
        await prepare(first)
        await tick_at(first, shanghai(2026, 11, 24, 8, 55))
    assert digest_posts(slack) == []
    # Parley was down across Tuesday's 09:00 and comes back at 11:30.
    async with running_parley(
        database_url=sqlite_url, config=config, start=shanghai(2026, 11, 24, 11, 30), slack=slack
    ) as second:
        await second.parley.tick()
        await second.settle()
        (late,) = digest_posts(slack)
        assert "Daily digest · Tue 24 Nov" in str(late.args["text"])
        assert "Parley was unavailable then, so it comes late" in str(late.args["blocks"])
        await tick_at(second, shanghai(2026, 11, 24, 15, 0))
    # and a third start the same day sends nothing again
    async with running_parley(
        database_url=sqlite_url, config=config, start=shanghai(2026, 11, 24, 16, 0), slack=slack
    ) as third:
        await third.parley.tick()
        await third.settle()
        assert len(digest_posts(slack)) == 1
        # Down from Wednesday to Friday afternoon: only Friday's digest is owed; Wednesday's
        # and Thursday's are superseded by it.
        await tick_at(third, shanghai(2026, 11, 27, 14, 0))
        await tick_at(third, shanghai(2026, 11, 27, 14, 1))
        days = [str(c.args["text"]).split(":")[0] for c in digest_posts(slack)]
        assert days == ["Daily digest · Tue 24 Nov", "Daily digest · Fri 27 Nov"]
        assert await sent_keys(third.store) == [
            "digest:channel:C0DESK:2026-11-24",
            "digest:channel:C0DESK:2026-11-27",
        ]
    assert slack.violations == []


async def sent_keys(store: Store) -> list[str]:
    """The ledger of what went out once."""
    async with store.read() as conn:
        rows = await conn.execute(
            sa.select(sends.c.key).where(sends.c.key.like("digest:%")).order_by(sends.c.key)
        )
        return [str(r.key) for r in rows]


async def digest_notice(store: Store, key: str) -> sa.Row[tuple[object, ...]]:
    async with store.read() as conn:
        row = (await conn.execute(sa.select(outbox).where(outbox.c.dedupe == key))).first()
    assert row is not None
    return row


async def test_a_failed_send_is_retried_with_backoff_and_never_blocks_the_others(
    app: Running,
) -> None:
    await prepare(app)
    await app.driver.command("/digest", "subscribe", user="U0ALICE", channel="C0PROCESS")
    await app.driver.command("/digest", "me at 09:00", user="U0CAROL", channel="C0DESK")
    await app.driver.command(
        "/dispute", "open Lease renewal", user="U0CAROL", channel="C0DESK"
    )  # something for Carol's DM and #dispute-process
    await app.settle()
    # #service-desk's digest fails (the outbox's client retries nothing by itself)
    app.slack.fail_next(1, status=500, method="chat.postMessage", channel="C0DESK")
    await tick_at(app, shanghai(2026, 11, 24, 9, 0))
    posted = {c.args["channel"] for c in digest_posts(app.slack)}
    assert posted == {"C0PROCESS", "D0CAROL"}  # the others went out in the same pass
    key = "digest:channel:C0DESK:2026-11-24"
    desk = await digest_notice(app.store, key)
    assert (desk.status, desk.attempts, desk.error) == ("pending", 1, "fatal_error")
    assert desk.next_attempt_at == shanghai(2026, 11, 24, 9, 0, 2)
    assert (await subscription(app.store)).last_due_at is not None  # owed: the period is handled
    calls = len(app.slack.calls_to("chat.postMessage"))
    await tick_at(app, shanghai(2026, 11, 24, 9, 0, 1))  # backing off: not even tried
    assert len(app.slack.calls_to("chat.postMessage")) == calls
    app.slack.fail_next(1, status=500, method="chat.postMessage", channel="C0DESK")
    await tick_at(app, shanghai(2026, 11, 24, 9, 0, 2))
    desk = await digest_notice(app.store, key)
    assert desk.attempts == 2 and desk.next_attempt_at == shanghai(2026, 11, 24, 9, 0, 6)
    await tick_at(app, shanghai(2026, 11, 24, 9, 0, 6))
    assert len(digest_posts(app.slack, "C0DESK")) == 1
    desk = await digest_notice(app.store, key)
    assert (desk.status, desk.attempts) == ("delivered", 3)
    (post,) = digest_posts(app.slack, "C0DESK")
    assert post.response is not None and desk.ts == post.response["ts"]
    for minutes in (5, 60, 600):
        await tick_at(app, shanghai(2026, 11, 24, 9, 3) + timedelta(minutes=minutes))
    assert len(digest_posts(app.slack, "C0DESK")) == 1
    assert len(digest_posts(app.slack)) == 3


async def test_a_rate_limit_waits_as_long_as_slack_asks(app: Running) -> None:
    await prepare(app)
    # 429: the outbox honours Retry-After
    app.slack.fail_next(1, status=429, retry_after=1, method="chat.postMessage", channel="C0DESK")
    await tick_at(app, shanghai(2026, 11, 24, 9, 0))
    desk = await digest_notice(app.store, "digest:channel:C0DESK:2026-11-24")
    assert (desk.status, desk.error) == ("pending", "ratelimited")
    assert desk.next_attempt_at == shanghai(2026, 11, 24, 9, 0, 1)
    await tick_at(app, shanghai(2026, 11, 24, 9, 0, 1))
    assert len(digest_posts(app.slack, "C0DESK")) == 1


async def test_claims_are_exclusive_on_both_engines(database_url: str) -> None:
    store = Store.open(database_url)
    await store.upgrade()
    try:
        alice = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")
        sub, _ = await digests.subscribe(
            store,
            workspace_id="T0PARLEY",
            kind=DigestKind.CHANNEL,
            target="C0DESK",
            at=digests.DEFAULT_TIME,
            zone="Asia/Shanghai",
            actor=alice,
            now=START,
        )
        calendar = calendar_for("CN", "Asia/Shanghai")
        now = shanghai(2026, 11, 24, 9, 0)
        owed = digests.due_digest(sub, now=now, calendar=calendar)
        assert owed is not None
        won = await asyncio.gather(*(digests.owe_digest(store, owed, now=now) for _ in range(12)))
        assert sum(won) == 1
        assert not await digests.owe_digest(store, owed, now=now + timedelta(hours=1))
        async with store.read() as conn:
            owed_rows = (await conn.execute(sa.select(outbox.c.dedupe))).scalars().all()
        assert owed_rows == [owed.key]
        assert (
            await digests.due_digests(store, now=now + timedelta(hours=1), calendar=calendar) == []
        )
    finally:
        await store.close()


async def test_two_instances_on_one_postgresql_send_each_digest_exactly_once(
    slack: SlackStandIn, config: ParleyConfig, postgres_url: str
) -> None:
    async with (
        running_parley(database_url=postgres_url, config=config, start=START, slack=slack) as a,
        running_parley(database_url=postgres_url, config=config, start=START, slack=slack) as b,
    ):
        await a.driver.command("/dispute", "open Core outage", user="U0ALICE", channel="C0DESK")
        await b.driver.command(
            "/dispute", "open Acme matter with <@U0RAJ|raj>", user="U0BOB", channel="C0DESK"
        )
        for channel in ("C0DESK", "C0PROCESS", "C0ACME"):
            await a.driver.command("/digest", "subscribe", user="U0ALICE", channel=channel)
        # Bob is in Berlin: his 02:00 is 09:00 in Shanghai
        for user, at in (("U0ALICE", "09:00"), ("U0BOB", "02:00")):
            await b.driver.command("/digest", f"me at {at}", user=user, channel="C0DESK")
        await a.settle()
        for day in (24, 25, 26):
            for minute in (0, 1, 2):
                when = shanghai(2026, 11, day, 9, minute)
                a.clock.set(when)
                b.clock.set(when)
                await asyncio.gather(a.parley.tick(), b.parley.tick(), a.parley.tick())
        await a.settle()
        posted = sorted(
            (str(c.args["channel"]), str(c.args["text"]).split(":")[0]) for c in digest_posts(slack)
        )
        expected = sorted(
            (channel, f"{'Your daily' if channel.startswith('D') else 'Daily'} digest · {d}")
            for channel in ("C0DESK", "C0PROCESS", "C0ACME", "D0ALICE", "D0BOB")
            for d in ("Tue 24 Nov", "Wed 25 Nov", "Thu 26 Nov")
        )
        assert posted == expected
    assert slack.violations == []


# ------------------------------------------------------------------- parley digest send


async def run_cli(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARLEY_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env={**clean, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_parley_digest_send_posts_what_is_due_and_exits(
    slack: SlackStandIn, config: ParleyConfig, tmp_path: Path
) -> None:
    """A real process on the real clock: the subscription is made ten days ago, so the most
    recent working morning's digest is due now, once."""
    db = f"sqlite:///{tmp_path}/cron.db"
    (tmp_path / "parley.toml").write_text(COMPANY_CONFIG)
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    async with running_parley(
        database_url=db, config=config, start=ten_days_ago, slack=slack
    ) as app:
        await prepare(app)
    assert digest_posts(slack) == []
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": db,
    }
    code, out, err = await run_cli("digest", "send", env=env, cwd=tmp_path)
    assert code == 0, err
    assert "1 digest(s) posted, 0 empty (not posted), 0 failed" in out
    assert len(digest_posts(slack, "C0DESK")) == 1
    code, out, _ = await run_cli("digest", "send", env=env, cwd=tmp_path)
    assert code == 0 and "0 digest(s) posted" in out
    assert len(digest_posts(slack)) == 1
    code, _, err = await run_cli("digest", "send", env={"DATABASE_URL": db}, cwd=tmp_path)
    assert (
        code == 2
        and err.strip() == "parley: SLACK_BOT_TOKEN is not set: give the bot token (xoxb-…)"
    )
    assert slack.violations == []


def test_the_digest_command_is_in_the_cli_help() -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(cli, ["digest", "--help"])
    assert result.exit_code == 0 and "send" in result.output
