"""`parley`: serve, migrate, demo, export and print the manifest."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

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


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # slack_sdk logs request bodies at DEBUG; keep them out even when verbose.
    logging.getLogger("slack_sdk").setLevel(logging.INFO)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


@click.group()
@click.version_option(package_name="parley")
def cli() -> None:
    """Parley: disputes, reviews, agreements and digests with suppliers, in Slack."""


@cli.command()
@click.option("--verbose", "-v", is_flag=True, help="Log at debug level.")
@one_line_errors
def serve(verbose: bool) -> None:
    """Run the bot: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on $PORT."""
    from bot.app import load_config
    from bot.server import serve_forever

    setup_logging(verbose)
    settings = load_settings()
    settings.require_serving_secrets()
    config = load_config(settings)
    asyncio.run(serve_forever(settings, config))


@cli.group()
def db() -> None:
    """The database."""


@db.command()
@one_line_errors
def upgrade() -> None:
    """Apply schema migrations (idempotent; `serve` applies them too)."""
    from bot.store import Store

    settings = load_settings()

    async def run() -> None:
        store = Store.open(settings.DATABASE_URL)
        try:
            await store.upgrade()
        finally:
            await store.close()

    asyncio.run(run())
    click.echo("parley: database is up to date")


@cli.command()
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdict.")
@one_line_errors
def demo(quiet: bool) -> None:
    """A scripted session against a built-in Slack stand-in; no Slack account needed."""
    from bot.demo import run_demo

    ok = asyncio.run(run_demo(echo=None if quiet else click.echo))
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

    setup_logging(verbose)
    settings = load_settings()
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
    type=click.Choice(["disputes", "timeline", "reviews", "actions", "agreements"]),
    default=None,
    help="For CSV: which table (default: disputes).",
)
@one_line_errors
def export(fmt: str, kind: str | None) -> None:
    """Print Parley's records (times in UTC)."""
    from bot.store import Store
    from bot.workflows.export import ExportKind, export_document, rows_of, to_csv, to_json

    settings: Settings = load_settings()

    async def run() -> str:
        store = Store.open(settings.DATABASE_URL)
        try:
            await store.upgrade()
            document = await export_document(store)
        finally:
            await store.close()
        if fmt == "csv":
            return to_csv(document, ExportKind(kind or "disputes"))
        if kind is not None:
            return to_json({kind: rows_of(document, ExportKind(kind))})
        return to_json(document)

    click.echo(asyncio.run(run()), nl=False)


@cli.command()
@click.option("--request-url", default=None, help="Your public https URL ending in /slack/events.")
def manifest(request_url: str | None) -> None:
    """Print the Slack app manifest (the same as manifest.json)."""
    from bot.manifest import REQUEST_URL, manifest_json

    click.echo(manifest_json(request_url or REQUEST_URL), nl=False)


def main() -> None:
    cli(prog_name="parley")
