"""The benchmark keeps working: a tiny run, checked for shape only (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.ack import DROPPED, FLOOR, RECORDED

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--tiny", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(out.read_text())
    assert {"ack", "ingest", "scale", "memory", "targets", "machine", "date"} <= set(report)
    commands = {row["command"] for row in report["ack"]}
    assert commands == {"/dispute open", "/dispute list", "button press", DROPPED, RECORDED, FLOOR}
    # Parley's floor is shown beside bare Bolt but is not one of the targets.
    assert not any(FLOOR in name for name in report["targets"])
    assert all(row["parley"]["n"] > 0 and row["bare_bolt"]["n"] > 0 for row in report["ack"])
    for engine in ("sqlite", "sqlite_full"):  # PARLEY_SQLITE_SYNC normal and full
        assert report["ingest"][engine]["recorded"] == report["ingest"][engine]["replies"]
    assert "| sqlite (PARLEY_SQLITE_SYNC=full) |" in result.stdout
    scale = report["pgscale"]  # None where no PostgreSQL server answers
    if scale is not None:
        for run in (scale["one"], scale["two"]):
            assert run["recorded"] == run["replies"] and run["duplicated"] == 0, run
            assert run["verified"], run
        assert "| two instances, one database |" in result.stdout
    assert "| target | measured | met |" in result.stdout
    # The scale table has `/audit open` and `/report satisfaction`, each with its target (the
    # ten-times table repeats every scale row, with its growth, where the run is not --tiny).
    for name in ("/audit open (a supplier's last quarter)", "/report satisfaction (the answer)"):
        assert report["scale"][name]["n"] > 0, name
        assert f"{name} < 100 ms" in report["targets"]
        assert f"| {name} | " in result.stdout
    fan = report["fanout"]  # digests of 20 channels due at once, then 20 card edits
    assert fan["digests"]["messages"] == fan["edits"]["messages"] == 20
    assert fan["edits_with_429s"]["refused_429"] == 1


def test_the_report_rows_run_at_a_tiny_size_and_at_ten_times_it(tmp_path: Path) -> None:
    out = tmp_path / "reports.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--tiny", "--only", "reports", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(out.read_text())
    ten = report["ten_times"]
    assert (ten["complaints"], ten["answers"]) == (600, 3000)  # ten times --tiny's 60 and 300
    figures = "/report satisfaction figures (every party, this year)"
    assert set(ten["items"]) == set(report["scale"]) and figures in ten["items"]
    assert f"{figures} at 10× data < 50 ms (SQLite)" in report["targets"]
    assert "| growth per 10× data |" in result.stdout
    assert f"| {figures} | " in result.stdout and "| target | measured | met |" in result.stdout
    if report["postgresql"] is not None:  # a server answered
        assert figures in report["postgresql"]["ten_times"]["items"]
        assert f"{figures} at 10× data < 50 ms (PostgreSQL)" in report["targets"]
