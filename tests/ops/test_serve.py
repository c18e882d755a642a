"""`parley serve` as a platform runs it: a real process, health checks, and SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa

from bot.config import ParleyConfig
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store
from bot.store.schema import disputes
from tests.conftest import START

SECRET = "serve-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if process.returncode is not None:
                raise AssertionError("parley serve exited early")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("parley serve never became healthy")


@asynccontextmanager
async def serve_process(
    slack: SlackStandIn, tmp_path: Path, db: str, **settings: str
) -> AsyncIterator[tuple[asyncio.subprocess.Process, int]]:
    """`parley serve` in a process of its own against the stand-in, healthy; killed after."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARLEY_"))},
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url.rstrip("/"),  # normalised by Parley
        "DATABASE_URL": db,
        "PORT": str(port),
        **settings,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # Nobody reads the pipes until the server is healthy: asyncio stops reading them at
        # twice this limit, and a server blocked writing its log never becomes healthy. A
        # DEBUG start-up (aiosqlite logs every statement of every migration) is ~200 KB.
        limit=16 * 2**20,
    )
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        yield process, port
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture
async def served(
    slack: SlackStandIn, tmp_path: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, int, str]]:
    db = f"sqlite:///{tmp_path}/serve.db"
    async with serve_process(slack, tmp_path, db) as (process, port):
        yield process, port, db


async def test_serve_answers_slack_and_stops_cleanly_on_sigterm(
    served: tuple[asyncio.subprocess.Process, int, str], slack: SlackStandIn
) -> None:
    process, port, db = served
    async with SlackDriver(f"http://127.0.0.1:{port}/slack/events", SECRET, slack) as driver:
        reply = await driver.command("/dispute", "help", user="U0ALICE", channel="C0DESK")
        assert reply.status == 200 and "/dispute open" in reply.text
        # Slow Slack: the card's post is still in flight when the platform sends SIGTERM.
        slack.delay_seconds = 1.5
        reply = await driver.command(
            "/dispute", "open Deploy-time dispute", user="U0ALICE", channel="C0DESK"
        )
        assert reply.status == 200
        await asyncio.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    log = stderr.decode()
    assert "shutting down" in log and "Parley stopped" in log
    assert "Traceback" not in log
    assert len(slack.calls_to("chat.postMessage")) == 1, log
    store = Store.open(db)
    try:
        async with store.read() as conn:
            root = (await conn.execute(sa.select(disputes.c.root_ts))).scalar_one()
    finally:
        await store.close()
    assert root == slack.calls_to("chat.postMessage")[0].response["ts"]


async def test_healthz_is_503_when_the_database_goes_away(
    slack: SlackStandIn, config: ParleyConfig, postgres_url: str
) -> None:
    import asyncpg

    async with (
        running_parley(
            database_url=postgres_url, config=config, start=START, slack=slack
        ) as running,
        aiohttp.ClientSession() as session,
    ):
        health = f"{running.parley.url}/healthz"
        async with session.get(health) as response:
            assert response.status == 200
            assert (await response.json())["database"] is True
        admin = await asyncpg.connect(
            postgres_url.rsplit("/", 1)[0].replace("postgresql://", "postgres://") + "/test"
        )
        try:
            name = postgres_url.rsplit("/", 1)[1]
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            async with session.get(health) as response:
                assert response.status == 503
                assert (await response.json())["database"] is False
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        finally:
            await admin.close()


async def test_a_token_slack_refuses_stops_start_up(
    slack: SlackStandIn, config: ParleyConfig, sqlite_url: str
) -> None:
    from bot.sandbox.harness import sandbox_settings
    from bot.server import Parley
    from bot.settings import SettingsError

    settings = sandbox_settings(slack, sqlite_url).model_copy(
        update={"SLACK_BOT_TOKEN": "xoxb-wrong"}
    )
    parley = Parley(settings, config=config)
    with pytest.raises(
        SettingsError, match=r"SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)"
    ):
        await parley.start(host="127.0.0.1", port=0)
    await parley.stop()
    assert "xoxb-wrong" not in str(slack.violations)
