"""The command line as a new user meets it: clear one-line errors, manifest, export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ParleyConfig
from bot.domain.calendar import calendar_for
from bot.domain.parties import Person
from bot.store import Store
from bot.workflows import disputes

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("SLACK_", "DATABASE_URL", "PARLEY_", "PORT"))
}


def parley(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**CLEAN_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


SERVE_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "must be a bot token"),
        ({**SERVE_ENV, "SLACK_APP_TOKEN": "nope"}, "SLACK_APP_TOKEN must be an app-level token"),
        ({**SERVE_ENV, "PORT": "http"}, "PORT:"),
        (
            {**SERVE_ENV, "DATABASE_URL": "mysql://x@y/z"},
            "DATABASE_URL scheme 'mysql' is not supported",
        ),
        ({**SERVE_ENV, "DATABASE_URL": "sqlite:////nonexistent/dir/p.db"}, "does not exist"),
        (
            {**SERVE_ENV, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
            "cannot open the database",
        ),
        ({**SERVE_ENV, "PARLEY_CONFIG": "missing.toml"}, "missing.toml: file not found"),
        ({**SERVE_ENV, "PARLEY_LOG_FORMAT": "xml"}, "PARLEY_LOG_FORMAT: Input should be"),
        ({**SERVE_ENV, "PARLEY_LOG_LEVEL": "loud"}, "PARLEY_LOG_LEVEL: Input should be"),
        ({**SERVE_ENV, "PARLEY_DB_POOL_SIZE": "0"}, "PARLEY_DB_POOL_SIZE: Input should be"),
        ({**SERVE_ENV, "PARLEY_SQLITE_SYNC": "off"}, "PARLEY_SQLITE_SYNC: Input should be"),
    ],
)
def test_serve_stops_with_one_clear_line(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    line = one_line(parley("serve", cwd=tmp_path, env=env))
    assert expected in line
    assert "xoxb-1" not in line


def test_a_bad_config_names_file_line_and_problem(tmp_path: Path) -> None:
    (tmp_path / "parley.toml").write_text("[ladder]\ncoordination = 3\ncoordinaton = 4\n")
    line = one_line(parley("serve", cwd=tmp_path, env=SERVE_ENV))
    assert "parley.toml:3:" in line
    assert 'unknown key "coordinaton"' in line


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv\n")
    line = one_line(parley("serve", cwd=tmp_path))
    assert "SLACK_SIGNING_SECRET is not set" in line


def test_manifest_command_matches_manifest_json(tmp_path: Path) -> None:
    result = parley("manifest", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout) == json.loads((ROOT / "manifest.json").read_text())


def test_manifest_has_everything_the_contract_names() -> None:
    manifest = json.loads((ROOT / "manifest.json").read_text())
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {
        "/dispute",
        "/review",
        "/agreement",
        "/digest",
        "/party",
        "/praise",
        "/valueadd",
        "/complaint",
        "/contract",
        "/report",
        "/survey",
        "/audit",
    }
    assert all(c["should_escape"] is True for c in commands.values())
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    shortcuts = {
        (s["type"], s["name"], s["callback_id"]) for s in manifest["features"]["shortcuts"]
    }
    assert shortcuts == {
        ("message", "Open dispute from message", "open_dispute_from_message"),
        ("message", "Record as praise", "record_praise"),
        ("message", "Log as complaint", "log_as_complaint"),
    }
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"message.channels", "message.groups", "app_home_opened", "channel_shared"} <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "users:read", "team:read", "channels:history"} <= scopes


def test_db_upgrade_then_export_on_an_empty_database(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    first = parley("db", "upgrade", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert parley("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    exported = parley("export", "--format", "json", cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout) == {
        "disputes": [],
        "reviews": [],
        "actions": [],
        "agreements": [],
        "complaints": [],
        "praise": [],
        "valueadds": [],
        "contracts": [],
        "surveys": [],
        "answers": [],
        "scorecards": [],
    }
    csv_out = parley("export", "--format", "csv", "--kind", "timeline", cwd=tmp_path, env=env)
    assert csv_out.stdout.strip() == (
        "dispute,kind,at,actor,party,text,stage,previous_text,"
        "first_response_wall_seconds,first_response_working_seconds,hash,prev_hash"
    )


# The demo's posts at twenty times Slack's pace (the sandbox's, SANDBOX_PACE): at Slack's own,
# half of its 22 s is spent waiting for the outbox's buckets. The pace itself is tested in
# tests/slack/test_pacing.py.
DEMO_PACE = "20"


def test_demo_runs_and_passes(tmp_path: Path) -> None:
    result = parley("demo", "--pace", DEMO_PACE, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "/dispute open Core switch outage" in result.stdout
    assert "checks passed" in result.stdout.splitlines()[-1]
    assert "FAILED" not in result.stdout


def test_demo_refuses_a_pace_that_is_not_above_0(tmp_path: Path) -> None:
    result = parley("demo", "--pace", "0", cwd=tmp_path)
    assert result.returncode == 2 and "Invalid value for '--pace'" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_version_has_one_source(tmp_path: Path) -> None:
    from importlib.metadata import version

    import bot

    result = parley("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"parley {bot.__version__}"
    assert version("parley") == bot.__version__  # the package metadata reads the same attribute


GOOD_CONFIG = """
[calendar]
timezone = "Asia/Shanghai"
holidays = "CN"

[parties."Acme Networks"]
kind = "supplier"
slack_team = "T0ACME"
"""

BAD_CONFIG = """
[calendar]
timezone = "Mars/Olympus"

[ladder]
coordination = -1

[parties."Acme Networks"]
kind = "vendor"
colour = "red"
"""


def test_config_check_passes_a_good_file(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD_CONFIG)
    result = parley("config", "check", "good.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == (
        "parley: good.toml is good: 1 party, calendar CN in Asia/Shanghai"
    )


def test_config_check_names_every_problem_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(BAD_CONFIG)
    result = parley("config", "check", "bad.toml", cwd=tmp_path)
    assert result.returncode == 2
    problems = result.stdout.strip().splitlines()
    assert [p.split(": ", 1)[0] for p in problems] == [
        "bad.toml:3",
        "bad.toml:6",
        "bad.toml:9",
        "bad.toml:10",
    ], problems
    assert "Mars/Olympus" in problems[0] and "coordination" in problems[1]
    assert "vendor" in problems[2] and "colour" in problems[3]
    assert result.stderr.strip() == "parley: 4 problems in bad.toml"
    # serve stops at the first of them, as before.
    line = one_line(parley("serve", cwd=tmp_path, env={**SERVE_ENV, "PARLEY_CONFIG": "bad.toml"}))
    assert line == f"parley: {tmp_path}/{problems[0]}"


def test_config_check_reads_parley_config_and_the_default_file(tmp_path: Path) -> None:
    broken = parley(
        "config", "check", cwd=tmp_path, env={"PARLEY_CONFIG": str(tmp_path / "nope.toml")}
    )
    assert broken.returncode == 2
    assert broken.stdout.strip() == f"{tmp_path / 'nope.toml'}: file not found"
    unset = parley("config", "check", cwd=tmp_path)
    assert unset.returncode == 0 and "defaults" in unset.stdout
    (tmp_path / "parley.toml").write_text("[calendar\n")
    invalid = parley("config", "check", cwd=tmp_path)
    assert invalid.returncode == 2
    assert invalid.stdout.startswith("parley.toml:1: invalid TOML"), invalid.stdout


def test_db_current_says_whether_migrations_are_owed(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    fresh = parley("db", "current", cwd=tmp_path, env=env)
    assert fresh.returncode == 1
    assert "database at nothing (no migration applied yet)" in fresh.stdout
    assert "run `parley db upgrade`" in fresh.stdout
    assert parley("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    current = parley("db", "current", cwd=tmp_path, env=env)
    assert current.returncode == 0, current.stdout + current.stderr
    assert current.stdout.strip().endswith(": up to date")
    versions = Path(__file__).resolve().parents[2] / "bot" / "migrations" / "versions"
    newest = max(p.name[:4] for p in versions.glob("0*.py"))
    assert current.stdout.startswith(f"parley: database at {newest}")
    gone = parley("db", "current", cwd=tmp_path, env={"DATABASE_URL": "sqlite:////no/such/p.db"})
    assert gone.returncode == 2 and "does not exist" in gone.stderr


def test_the_manifest_subscribes_to_no_direct_messages() -> None:
    # Nothing reads DMs to the bot: disputes, reviews and agreements live in channels.
    from bot.manifest import BOT_EVENTS

    manifest = json.loads((ROOT / "manifest.json").read_text())
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert events == BOT_EVENTS
    assert "message.im" not in events


def test_csv_export_with_a_bom_for_spreadsheets(tmp_path: Path) -> None:
    """`--bom` puts the UTF-8 byte-order mark first, so Excel reads a Chinese title; without
    it the CSV is plain UTF-8; JSON refuses it. The export itself stays language-neutral."""
    url = f"sqlite:///{tmp_path}/p.db"
    asyncio.run(_one_chinese_dispute(url))
    env = {"DATABASE_URL": url, "LANG": "C", "LC_ALL": "C"}
    plain = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--format", "csv"],
        cwd=tmp_path,
        env={**CLEAN_ENV, **env},
        capture_output=True,
        timeout=60,
    )
    assert plain.returncode == 0, plain.stderr
    assert not plain.stdout.startswith(b"\xef\xbb\xbf")
    with_bom = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--format", "csv", "--bom"],
        cwd=tmp_path,
        env={**CLEAN_ENV, **env},
        capture_output=True,
        timeout=60,
    )
    assert with_bom.returncode == 0, with_bom.stderr
    assert with_bom.stdout == b"\xef\xbb\xbf" + plain.stdout
    rows = list(csv.DictReader(io.StringIO(with_bom.stdout.decode("utf-8-sig"))))
    assert [(r["id"], r["title"], r["stage"]) for r in rows] == [
        ("D-1", "核心交换机故障违反服务级别协议", "coordination")
    ]
    refused = parley("export", "--format", "json", "--bom", cwd=tmp_path, env={"DATABASE_URL": url})
    assert refused.returncode == 2 and "--bom is for --format csv only" in refused.stderr
    assert refused.stdout == ""


async def _one_chinese_dispute(url: str) -> None:
    store = Store.open(url)
    await store.upgrade()
    try:
        await disputes.open_dispute(
            store,
            workspace_id="T0PARLEY",
            channel_id="C0DESK",
            owner=Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice"),
            title="核心交换机故障违反服务级别协议",
            people=[],
            config=ParleyConfig(),
            calendar=calendar_for("CN", "Asia/Shanghai"),
            now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        )
    finally:
        await store.close()


def test_demo_plays_in_chinese(tmp_path: Path) -> None:
    """`parley demo --locale zh-CN`: every person and channel reads Chinese, and every check
    (looking for the Chinese words) passes."""
    result = parley("demo", "--locale", "zh-CN", "--pace", DEMO_PACE, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "阶段 1/4 · 协调" in result.stdout and "升级" in result.stdout
    last = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"(\d+) 项检查中 \1 项通过", last), last
    assert "━━ 第 1 幕：" in result.stdout  # the demo's own words are Chinese too


def test_config_check_lists_each_short_contract_term_and_passes(tmp_path: Path) -> None:
    from tests.slack.contracts_setup import contracts_config

    (tmp_path / "parley.toml").write_text(contracts_config())
    result = parley("config", "check", "parley.toml", cwd=tmp_path)
    assert result.returncode == 0, (
        result.stdout + result.stderr
    )  # a business problem, not bad config
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "parley: parley.toml is good: 4 parties, calendar CN in Asia/Shanghai"
    where = '"DBCo Database Services" (DBCO-DRAFT-1) under "ERP for Contoso"'
    assert lines[1:] == [
        f"parley: contract short of its SLA: {where}: response 4 h against the SLA's 4 h: "
        "at most 3.2 h needed with the 20 % margin",
        f"parley: contract short of its SLA: {where}: resolution 24 h against the SLA's 24 h: "
        "at most 19.2 h needed with the 20 % margin",
        f"parley: contract short of its SLA: {where}: availability 99.5 % against the SLA's "
        "99.5 %: at least 99.6 % needed with the 20 % margin",
    ]
