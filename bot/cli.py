"""`parley`: serve, migrate, check a config, demo, export, verify the record and print the
manifest."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from bot import __version__
from bot.config import ConfigError
from bot.settings import Settings, SettingsError, load_settings
from bot.store import DatabaseError

F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(func: F) -> F:
    """Start-up problems end the command with one clear line, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (SettingsError, ConfigError, DatabaseError) as exc:
            click.echo(f"parley: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def setup_logging(settings: Settings, verbose: bool) -> None:
    """PARLEY_LOG_FORMAT and PARLEY_LOG_LEVEL; `--verbose` means debug whatever the level."""
    from bot.logs import setup_logging as setup

    setup(level="DEBUG" if verbose else settings.PARLEY_LOG_LEVEL, fmt=settings.PARLEY_LOG_FORMAT)


def open_store(settings: Settings) -> Any:
    from bot.store import Store

    return Store.open(
        settings.DATABASE_URL,
        pool_size=settings.PARLEY_DB_POOL_SIZE,
        sqlite_sync=settings.PARLEY_SQLITE_SYNC,
    )


@click.group()
@click.version_option(__version__, prog_name="parley", message="%(prog)s %(version)s")
def cli() -> None:
    """Parley: disputes, reviews, agreements and digests with suppliers, in Slack."""


@cli.command()
@click.option("--verbose", "-v", is_flag=True, help="Log at debug level.")
@one_line_errors
def serve(verbose: bool) -> None:
    """Run the bot: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on $PORT."""
    settings = load_settings()
    setup_logging(settings, verbose)
    settings.require_serving_secrets()
    # The app (Bolt and every command) is imported once the settings hold: a setting refused
    # is told in a fraction of the seconds the import takes.
    from bot.app import load_config
    from bot.server import serve_forever

    config = load_config(settings)
    asyncio.run(serve_forever(settings, config))


@cli.group()
def db() -> None:
    """The database."""


@db.command()
@one_line_errors
def upgrade() -> None:
    """Apply schema migrations (idempotent; `serve` applies them too)."""
    settings = load_settings()

    async def run() -> None:
        store = open_store(settings)
        try:
            await store.upgrade()
        finally:
            await store.close()

    asyncio.run(run())
    click.echo("parley: database is up to date")


@db.command()
@one_line_errors
def current() -> None:
    """Print the migrations the database is at; exit 1 if `db upgrade` has more to apply."""
    settings = load_settings()

    async def run() -> tuple[tuple[str, ...], tuple[str, ...]]:
        store = open_store(settings)
        try:
            revisions: tuple[tuple[str, ...], tuple[str, ...]] = await store.revisions()
            return revisions
        finally:
            await store.close()

    at, heads = asyncio.run(run())
    shown = ", ".join(at) or "nothing (no migration applied yet)"
    if at == heads:
        click.echo(f"parley: database at {shown}: up to date")
        return
    click.echo(
        f"parley: database at {shown}; this Parley has {', '.join(heads)}: run `parley db upgrade`"
    )
    sys.exit(1)


@cli.group()
def config() -> None:
    """The config file (ladder, calendars, channels, approvers, parties)."""


@config.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@one_line_errors
def config_check(path: Path | None) -> None:
    """Check a config file before deploying it: every problem as `file:line: problem`.

    PATH defaults to $PARLEY_CONFIG, else ./parley.toml. Exits 0 when the file is good,
    2 when it is not."""
    from bot.config import DEFAULT_CONFIG_NAME, load_config
    from bot.config.contracts import contract_check

    if path is None:
        named = load_settings().PARLEY_CONFIG
        path = Path(named).expanduser() if named else Path(DEFAULT_CONFIG_NAME)
        if named is None and not path.exists():
            click.echo(
                f"parley: no {DEFAULT_CONFIG_NAME} here and PARLEY_CONFIG is unset: "
                "Parley would start with the defaults (Mon-Fri, UTC, no parties)"
            )
            return
    try:
        found = load_config(path)
    except ConfigError as exc:
        for problem in exc.every:
            click.echo(str(problem))
        count = len(exc.every)
        click.echo(f"parley: {count} problem{'s' if count != 1 else ''} in {path}", err=True)
        sys.exit(2)
    parties = len(found.parties)
    click.echo(
        f"parley: {path} is good: {parties} {'party' if parties == 1 else 'parties'}, "
        f"calendar {found.calendar.holidays or 'Mon-Fri'} in {found.calendar.timezone}"
    )
    # Short contract terms are a business problem to fix, not a config error: listed, exit 0.
    for line in contract_check(found):
        click.echo(f"parley: contract short of its SLA: {line}")


@cli.command()
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdict.")
@click.option(
    "--locale",
    type=click.Choice(["en", "zh-CN"]),
    default="en",
    show_default=True,
    help="The language every person in the demo reads Slack in (and the channels' language).",
)
@click.option(
    "--pace",
    type=click.FloatRange(min=0, min_open=True, max=1000),
    default=1.0,
    show_default=True,
    help="The outbox's pace, Slack's rate limits times this (as PARLEY_SLACK_PACE): "
    "the stand-in takes posts faster than Slack would.",
)
@one_line_errors
def demo(quiet: bool, locale: str, pace: float) -> None:
    """A scripted session against a built-in Slack stand-in; no Slack account needed."""
    from bot.demo.runner import run_demo

    ok = asyncio.run(run_demo(echo=None if quiet else click.echo, locale=locale, pace=pace))
    if quiet:
        click.echo("parley demo: every scene passed" if ok else "parley demo: a scene FAILED")
    sys.exit(0 if ok else 1)


@cli.group()
def digest() -> None:
    """Daily digests."""


@digest.command("send")
@click.option("--verbose", "-v", is_flag=True, help="Log at debug level.")
@one_line_errors
def digest_send(verbose: bool) -> None:
    """Post every digest that is due now, then exit (for an external cron)."""
    from bot.app import load_config
    from bot.oneshot import send_digests

    settings = load_settings()
    setup_logging(settings, verbose)
    config = load_config(settings)
    run = asyncio.run(send_digests(settings, config))
    click.echo(
        f"parley: {run.posted} digest(s) posted, {run.empty} empty (not posted), "
        f"{run.failed} failed (still owed: retried by the next run or by `parley serve`)"
    )
    sys.exit(1 if run.failed else 0)


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@click.option(
    "--kind",
    type=click.Choice(
        [
            "disputes",
            "timeline",
            "reviews",
            "actions",
            "agreements",
            "complaints",
            "praise",
            "valueadds",
            "contracts",
            "scorecards",
            "surveys",
            "answers",
        ]
    ),
    default=None,
    help="For CSV: which table (default: disputes).",
)
@click.option(
    "--bom",
    is_flag=True,
    help="For CSV: start with a UTF-8 byte-order mark, for spreadsheets that need one to read "
    "Chinese (Excel).",
)
@one_line_errors
def export(fmt: str, kind: str | None, bom: bool) -> None:
    """Print Parley's records (times in UTC; keys and codes, in no language)."""
    if bom and fmt != "csv":
        raise click.UsageError("--bom is for --format csv only (JSON is read as UTF-8 as it is)")
    from bot.app import load_config
    from bot.workflows.export import ExportKind, write_export

    settings: Settings = load_settings()
    config = load_config(settings)  # the contracts are the config's
    out = sys.stdout.buffer

    def write(text: str) -> None:
        # UTF-8 whatever the terminal's locale says: the records hold Chinese names and titles.
        out.write(text.encode("utf-8"))

    async def run() -> None:
        store = open_store(settings)
        try:
            await store.upgrade()
            if bom:
                write("\ufeff")
            chosen = ExportKind(kind) if kind is not None else None
            await write_export(store, write, fmt=fmt, kind=chosen, config=config)
        finally:
            await store.close()

    asyncio.run(run())
    out.flush()


def _dispute_number(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    ref = value.strip().upper()
    if ref.startswith("D-") and ref[2:].isdigit() and int(ref[2:]) > 0:
        return int(ref[2:])
    raise click.BadParameter(f"{value!r} is not a dispute: write it as D-3")


@cli.command()
@click.option(
    "--dispute",
    "number",
    metavar="D-n",
    callback=_dispute_number,
    default=None,
    help="Check only this dispute (D-n in each workspace).",
)
@one_line_errors
def verify(number: int | None) -> None:
    """Check every dispute's record chain; exit 1 naming the first event that does not hold."""
    from bot.workflows.verify import verify as check

    settings: Settings = load_settings()

    async def run() -> Any:
        store = open_store(settings)
        try:
            # Never migrates: sealing what is there now would vouch for it unchecked.
            at, heads = await store.revisions()
            if at != heads:
                return None
            return await check(store, number=number)
        finally:
            await store.close()

    verdict = asyncio.run(run())
    if verdict is None:
        click.echo(
            "parley verify: the database is not at this Parley's migrations: run "
            "`parley db upgrade` first (it seals the events recorded before the chain)",
            err=True,
        )
        sys.exit(2)
    if verdict.fault is None:
        if number is not None and verdict.disputes == 0:
            click.echo(f"parley verify: there is no D-{number}", err=True)
            sys.exit(2)
        click.echo(
            f"parley verify: the record chain holds: {verdict.disputes} dispute(s), "
            f"{verdict.events} event(s) checked"
        )
        return
    from bot.workflows.verify import describe

    click.echo(f"parley verify: BROKEN: {describe(verdict.fault)}", err=True)
    click.echo(
        f"parley verify: {verdict.disputes} dispute(s) and {verdict.events} event(s) held "
        "before it",
        err=True,
    )
    sys.exit(1)


@cli.command()
@click.option("--request-url", default=None, help="Your public https URL ending in /slack/events.")
def manifest(request_url: str | None) -> None:
    """Print the Slack app manifest (the same as manifest.json)."""
    from bot.manifest import REQUEST_URL, manifest_json

    click.echo(manifest_json(request_url or REQUEST_URL), nl=False)


def main() -> None:
    cli(prog_name="parley")
