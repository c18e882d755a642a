"""One command, one table: `python -m benchmarks.run` (add `--tiny` for a smoke run).

Measures on this machine, in one run:
1. ack latency of `/dispute open`, `/dispute list` and a button press over HTTP with signed
   requests at 1, 8 and 32 concurrent clients, against `parley serve` and a bare Bolt app
   (alternating runs), both talking to the Web API stand-in;
2. event ingest: thread replies recorded per second (exactly-once on), SQLite (with
   `PARLEY_SQLITE_SYNC` normal, the default, and full) and PostgreSQL;
3. scale: `/dispute list`, `/dispute show` of a dispute with 500 events, a channel digest and
   the App Home view, `/audit open` of a supplier's last quarter (its first replies, closings
   and channel members filled in proportion), with 10,000 disputes and 200,000 timeline
   events in the database, and again at ten times that, with the growth per 10×;
4. memory: resident set size of `parley serve` idle and after the load;
5. the dossier: building the HTML file of a dispute with 5,000 events (time, peak memory,
   the file's size);
6. fan-out within Slack's limits (benchmarks/fanout.py): digests of many channels due at once,
   a burst of card edits, a new card owed during it, a 429 met;
7. `parley verify` over the scale database's record chain: its time and peak memory.
8. the customer's voice (benchmarks/customers.py): `/complaint list` and `/report satisfaction`
   with 10,000 complaints and 50,000 survey answers beside the disputes (in the scale rows),
   and at ten times them (`--only reports` fills 100,000 complaints and 500,000 answers in
   bulk, prints the growth per 10× and, where PostgreSQL answers, the figures there too);
9. PostgreSQL as the scale-out store (benchmarks/pgscale.py): thread replies/s into one
   `parley serve`, then two on one database (Slack's retries to the other), exactly once;
10. supplier audits (benchmarks/audits.py, `--only audits`): `/audit open` of a supplier with
   2,000 disputes and 100,000 events in the quarter, on a database of its own (and in the
   scale rows, item 3).
Prints a table, writes JSON (default `benchmarks/results.json`). `--only ingest`, `fanout`,
`verify`, `reports`, `pgscale` or `audits` measures those rows alone (verify, reports and
audits on their own filled database).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if not __package__:
    # `python benchmarks/run.py`: Python put benchmarks/ first on the path, not the
    # repository that holds the package.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.ack import measure_ack
from benchmarks.audits import measure_audits
from benchmarks.costs import top_costs
from benchmarks.customers import measure_customers, measure_figures
from benchmarks.dossier import measure_dossier
from benchmarks.fanout import measure_fanout
from benchmarks.harness import (
    FULL,
    ROOT,
    TINY,
    Sizes,
    bare_bolt,
    drop_postgres,
    parley_serve,
    postgres_database,
    rss_mb,
)
from benchmarks.ingest import measure_ingest, measure_sqlite_full_ingest
from benchmarks.openloop import measure_open_loop
from benchmarks.pgscale import measure_pgscale
from benchmarks.scale import measure_scale, measure_ten_times, populate, scale_folder
from benchmarks.table import (
    audits_table,
    fanout_table,
    ingest_table,
    pgscale_report_table,
    reports_table,
    reports_targets,
    table,
    targets,
    verify_table,
)
from benchmarks.verify import measure_verify
from bot.sandbox.slack_api import SlackStandIn


async def run_ingest(sizes: Sizes) -> dict[str, Any]:
    """`--only ingest`: the ingest rows, each on a fresh `parley serve` and database."""
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": sizes.__dict__,
        "ingest": {},
    }
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        work = Path(folder)
        async with SlackStandIn() as slack:
            slack.workspace.channels["C0ACME"].members.append("U0RAJ")
            db = f"sqlite:///{work}/ingest.db"
            async with parley_serve(slack, db, work) as (url, _):
                report["ingest"]["sqlite"] = await measure_ingest(slack, url, db, sizes.ingest)
            report["ingest"]["sqlite_full"] = await measure_sqlite_full_ingest(slack, work, sizes)
            pg = await postgres_database()
            report["ingest"]["postgresql"] = None
            if pg is not None:
                try:
                    async with parley_serve(slack, pg, work) as (url, _):
                        report["ingest"]["postgresql"] = await measure_ingest(
                            slack, url, pg, sizes.ingest
                        )
                finally:
                    await drop_postgres(pg)
    return report


async def run_pgscale(sizes: Sizes) -> dict[str, Any]:
    """`--only pgscale`: one `parley serve`, then two, on a PostgreSQL database each run."""
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": sizes.__dict__,
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
    }
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        async with SlackStandIn() as slack:
            slack.workspace.channels["C0ACME"].members.append("U0RAJ")
            report["pgscale"] = await measure_pgscale(slack, Path(folder), sizes.ingest)
    report["machine"]["load_average_after"] = os.getloadavg()
    return report


async def run(sizes: Sizes) -> dict[str, Any]:
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": sys.version.split()[0],
        },
        "sizes": sizes.__dict__,
    }
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        work = Path(folder)
        async with SlackStandIn() as slack:
            slack.workspace.channels["C0ACME"].members.append("U0RAJ")
            db = f"sqlite:///{work}/ack.db"
            async with (
                parley_serve(slack, db, work) as (url, pid),
                bare_bolt(slack) as (bare_url, bare_pid),
            ):
                idle = rss_mb(pid)
                report["ack"] = await measure_ack(slack, url, bare_url, sizes, (pid, bare_pid))
                report["open_loop"] = await measure_open_loop(slack, url, bare_url, sizes)
                report["ingest"] = {"sqlite": await measure_ingest(slack, url, db, sizes.ingest)}
                report["memory"] = {"idle_mb": idle, "after_load_mb": rss_mb(pid)}
            report["ingest"]["sqlite_full"] = await measure_sqlite_full_ingest(slack, work, sizes)
            pg = await postgres_database()
            if pg is not None:
                try:
                    async with parley_serve(slack, pg, work) as (url, _):
                        report["ingest"]["postgresql"] = await measure_ingest(
                            slack, url, pg, sizes.ingest
                        )
                finally:
                    await drop_postgres(pg)
            else:
                report["ingest"]["postgresql"] = None
            report["pgscale"] = await measure_pgscale(slack, work, sizes.ingest)
            big = f"sqlite:///{work}/scale.db"
            started = time.perf_counter()
            await populate(big, sizes)
            report["populate_seconds"] = time.perf_counter() - started
            async with parley_serve(slack, big, scale_folder(work)) as (url, pid):
                report["scale"] = await measure_scale(slack, url, big, sizes)
                report["memory"]["after_scale_mb"] = rss_mb(pid)
            report["verify"] = await measure_verify(work, big, sizes.events)
            if sizes.ten_times:
                report["ten_times"] = await measure_ten_times(slack, work, sizes)
            report["dossier"] = await measure_dossier(work, sizes.dossier_events)
    report["fanout"] = await measure_fanout(sizes.fanout, sizes.fanout)
    report["costs"] = await top_costs(sizes.per_client * 4)
    report["targets"] = targets(report)
    return report


@asynccontextmanager
async def filled_scale_database(sizes: Sizes) -> AsyncIterator[tuple[dict[str, Any], Path, str]]:
    """The report so far, a work folder and the scale database filled in it, for the
    `--only` runs that measure one thing over the scale data."""
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": sizes.__dict__,
    }
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        work = Path(folder)
        big = f"sqlite:///{work}/scale.db"
        started = time.perf_counter()
        await populate(big, sizes)
        report["populate_seconds"] = time.perf_counter() - started
        yield report, work, big


async def run_verify(sizes: Sizes) -> dict[str, Any]:
    """`--only verify`: the scale database filled, then `parley verify` over it."""
    async with filled_scale_database(sizes) as (report, work, big):
        report["verify"] = await measure_verify(work, big, sizes.events)
    return report


async def run_reports(sizes: Sizes) -> dict[str, Any]:
    """`--only reports`: the scale database filled, then the customer rows over it; again with
    ten times the complaints and answers (the disputes as they were: the report reads none);
    and the report's figures on PostgreSQL at both sizes where a server answers."""
    async with filled_scale_database(sizes) as (report, work, big):
        async with SlackStandIn() as slack, parley_serve(slack, big, work) as (url, _):
            report["scale"] = await measure_customers(slack, url, big, sizes)
        bigger = ten_times_customers(sizes)  # at --tiny too: ten times a tiny fill is quick
        ten = f"sqlite:///{work}/ten-times.db"
        started = time.perf_counter()
        await populate(ten, bigger)
        populated = time.perf_counter() - started
        async with SlackStandIn() as slack, parley_serve(slack, ten, work) as (url, _):
            items = await measure_customers(slack, url, ten, bigger)
        report["ten_times"] = {
            "complaints": bigger.complaints,
            "answers": bigger.answers,
            "populate_seconds": round(populated, 1),
            "items": items,
        }
        report["postgresql"] = await reports_on_postgres(sizes)
    return report


def ten_times_customers(sizes: Sizes) -> Sizes:
    return replace(sizes, complaints=sizes.complaints * 10, answers=sizes.answers * 10)


async def reports_on_postgres(sizes: Sizes) -> dict[str, Any] | None:
    """The report's figures (as its deliverer makes them) on PostgreSQL, filled at the scale
    size and at ten times its complaints and answers; None without a server. The disputes
    are a hundred (the report reads none; their 200,000 events take minutes to fill there)."""
    out: dict[str, Any] = {}
    few = replace(sizes, disputes=min(sizes.disputes, 100), events=min(sizes.events, 1000))
    few = replace(few, show_events=min(few.show_events, few.events // 2))
    for key, at in (("scale", few), ("ten_times", ten_times_customers(few))):
        pg = await postgres_database()
        if pg is None:
            return None
        try:
            started = time.perf_counter()
            await populate(pg, at)
            populated = time.perf_counter() - started
            out[key] = {
                "complaints": at.complaints,
                "answers": at.answers,
                "populate_seconds": round(populated, 1),
                "items": await measure_figures(pg, at.repeats),
            }
        finally:
            await drop_postgres(pg)
    return out


async def run_audits(sizes: Sizes) -> dict[str, Any]:
    """`--only audits`: one supplier's quarter in a database of its own, `/audit open` over it."""
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": sizes.__dict__,
    }
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        work = Path(folder)
        report["audits"] = await measure_audits(work, f"sqlite:///{work}/audits.db", sizes)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tiny", action="store_true", help="a smoke run at a tiny size")
    parser.add_argument(
        "--json", default=str(ROOT / "benchmarks" / "results.json"), help="where to write the JSON"
    )
    parser.add_argument(
        "--only",
        choices=["ingest", "fanout", "verify", "reports", "pgscale", "audits"],
        default=None,
        help="measure only these rows",
    )
    args = parser.parse_args()
    sizes = TINY if args.tiny else FULL
    if args.only == "ingest":
        report = asyncio.run(run_ingest(sizes))
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print("\n".join(ingest_table(report)))
        print(f"\n(JSON written to {args.json})")
        return
    if args.only == "pgscale":
        report = asyncio.run(run_pgscale(sizes))
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print("\n".join(pgscale_report_table(report)))
        print(f"\n(JSON written to {args.json})")
        return
    if args.only == "fanout":
        report = {"fanout": asyncio.run(measure_fanout(sizes.fanout, sizes.fanout))}
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print("\n".join(fanout_table(report["fanout"])))
        print(f"\n(JSON written to {args.json})")
        return
    if args.only == "verify":
        report = asyncio.run(run_verify(sizes))
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print("\n".join(verify_table(report)))
        print(f"\n(JSON written to {args.json})")
        return
    if args.only == "reports":
        report = asyncio.run(run_reports(sizes))
        report["targets"] = reports_targets(report)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print("\n".join(reports_table(report)))
        print(f"\n(JSON written to {args.json})")
        return
    if args.only == "audits":
        report = asyncio.run(run_audits(sizes))
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print("\n".join(audits_table(report)))
        print(f"\n(JSON written to {args.json})")
        return
    report = asyncio.run(run(sizes))
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    print(f"\n(JSON written to {args.json})")


if __name__ == "__main__":
    main()
