"""The rooms of bot/ and which may import which: no import runs from a lower layer to a higher one.

bot.domain                      records and pure rules; imports no other part of bot
bot.store, bot.config, ...      each imports bot.domain and itself only
bot.workflows                   + the store, config, settings and clock; never Slack
bot.commands                    the Slack adapter: + the workflows
the root (app, server, cli, ...) wires them together; bot.sandbox is the test stand-in
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"

# Each room's layer. A module may import a room of a lower layer, or its own room.
LAYERS = {
    "bot.domain": 0,
    "bot.store": 1,
    "bot.config": 1,
    "bot.settings": 1,
    "bot.clock": 1,
    "bot.workflows": 2,
    "bot.commands": 3,
}
ROOT_LAYER = 4
SLACK = ("slack_bolt", "slack_sdk", "aiohttp")


def room_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def layer_of(module: str) -> int:
    return LAYERS.get(room_of(module), ROOT_LAYER)


def module_name(path: Path) -> str:
    relative = path.relative_to(BOT.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from bot.workflows import notices` imports the module bot.workflows.notices
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def bot_modules() -> list[Path]:
    return sorted(p for p in BOT.rglob("*.py") if "sandbox" not in p.parts)


def test_no_import_runs_up_a_layer() -> None:
    wrong: list[str] = []
    for path in bot_modules():
        me = module_name(path)
        mine, my_layer = room_of(me), layer_of(me)
        if my_layer == ROOT_LAYER:
            continue
        for imported in imported_modules(path):
            if not imported.startswith("bot.") and imported != "bot":
                continue
            room = room_of(imported)
            if room == mine or room == "bot":
                continue
            if layer_of(imported) >= my_layer:
                wrong.append(f"{me} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_only_the_adapter_and_the_root_speak_slack() -> None:
    wrong = [
        f"{module_name(path)} imports {imported}"
        for path in bot_modules()
        if layer_of(module_name(path)) < LAYERS["bot.commands"]
        for imported in imported_modules(path)
        if imported.startswith(SLACK)
    ]
    assert not wrong, "\n".join(wrong)


def test_nothing_but_the_demo_and_tests_uses_the_stand_in() -> None:
    wrong = [
        f"{module_name(path)} imports {imported}"
        for path in bot_modules()
        if module_name(path) not in {"bot.demo", "bot.cli"}
        and not module_name(path).startswith("bot.demo.")
        for imported in imported_modules(path)
        if imported.startswith("bot.sandbox")
    ]
    assert not wrong, "\n".join(wrong)


def test_the_domain_needs_no_database() -> None:
    wrong = [
        f"{module_name(path)} imports {imported}"
        for path in sorted((BOT / "domain").rglob("*.py"))
        for imported in imported_modules(path)
        if imported.startswith(("sqlalchemy", "aiosqlite", "asyncpg", "alembic"))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The walk above would notice: an import the rule forbids is found by imported_modules."""
    probe = tmp_path / "probe.py"
    probe.write_text("from bot.workflows import notices\nimport bot.commands.blocks\n")
    found = imported_modules(probe)
    assert {"bot.workflows.notices", "bot.commands.blocks"} <= found
    assert layer_of("bot.commands.blocks") > layer_of("bot.domain.ladder")


MODULE_LINES = 600  # a module longer than this holds more than one thing: split it at its seam


def test_no_module_is_over_600_lines() -> None:
    """Outside the stand-in, every module of bot/ is one screenful of ideas, not a warehouse."""
    long = {
        module_name(path): lines
        for path in bot_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert not long, f"split these at their seams: {long}"


TOPICS = (
    "disputes",
    "reviews",
    "agreements",
    "digests",
    "parties",
    "dossiers",
    "complaints",
    "praise",
    "valueadds",
    "contracts",
    "reports",
    "surveys",
    "audits",
)
# Each topic's modules, by the same names in every layer (bot/commands/deliver_<topic>.py only
# for a topic that owes notices: parties owe none).
TOPIC_FILES = (
    "domain/{t}.py",
    "store/{t}.py",
    "workflows/{t}.py",
    "commands/{t}.py",
    "commands/render_{t}.py",
    "commands/words/{t}.py",
)


def test_each_topic_has_the_same_files() -> None:
    missing = [
        pattern.format(t=topic)
        for topic in TOPICS
        for pattern in TOPIC_FILES
        if not (BOT / pattern.format(t=topic)).is_file()
    ]
    missing += [
        f"commands/deliver_{topic}.py"
        for topic in TOPICS
        if topic != "parties" and not (BOT / "commands" / f"deliver_{topic}.py").is_file()
    ]
    assert not missing, f"a topic's module is not where a newcomer looks for it: {missing}"
