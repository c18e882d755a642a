"""The domain stays free of Slack: nothing under bot/workflows imports slack_bolt or slack_sdk."""

from __future__ import annotations

import ast
from pathlib import Path

WORKFLOWS = Path(__file__).resolve().parent.parent / "bot" / "workflows"
FORBIDDEN = ("slack_bolt", "slack_sdk", "bot.commands", "bot.sandbox", "aiohttp")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_workflows_never_import_slack() -> None:
    files = sorted(WORKFLOWS.glob("*.py"))
    assert files, "no workflow modules found"
    for path in files:
        bad = {m for m in imported_modules(path) if m.startswith(FORBIDDEN)}
        assert not bad, f"{path.name} imports {bad}"
