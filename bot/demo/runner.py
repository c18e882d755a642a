"""Play every scene of the demo in order, and say how many checks passed."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.commands.words.language import ENGLISH, Languages
from bot.config import ParleyConfig, parse_config
from bot.demo.scenes_disputes import (
    scene_isolation,
    scene_ladder,
    scene_linked_thread,
    scene_list_and_show,
    scene_open,
    scene_overdue_and_buttons,
    scene_reopen,
    scene_replies,
)
from bot.demo.scenes_edges import (
    scene_export,
    scene_hostile_title,
    scene_lookalike_names,
    scene_mistakes,
    scene_outage,
    scene_outsiders,
    scene_protocol_edges,
)
from bot.demo.scenes_features import scene_agreements, scene_digest, scene_reviews
from bot.demo.session import DEMO_CONFIG, DEMO_START, Echo, Session
from bot.sandbox.harness import running_parley

SCENES: list[tuple[str, Callable[[Session], Awaitable[None]]]] = [
    ("Alice opens a dispute with Acme from #service-desk", scene_open),
    ("Bob opens another with Globex, lists and shows them", scene_list_and_show),
    ("A shared channel sees only its own party's business", scene_isolation),
    ("The ladder: escalate, note, tell, resolve", scene_ladder),
    ("The clock runs out; a button in the DM escalates", scene_overdue_and_buttons),
    ("A linked thread in Globex's shared channel", scene_linked_thread),
    ("The supplier's rep answers in their own channel", scene_replies),
    ("An information-sharing agreement with Globex, acknowledged", scene_agreements),
    ("A daily digest for #service-desk, and Bob's Home", scene_digest),
    ("A monthly service review with Acme: reminded, met, minuted", scene_reviews),
    ("Mistakes get clear answers and change nothing", scene_mistakes),
    ("Everything is on the record", scene_export),
    ("Slack has an outage; the outbox waits it out", scene_outage),
    ("A supplier's rep in a DM gets nothing that is not theirs", scene_outsiders),
    ("A hostile title is posted as plain text", scene_hostile_title),
    ("A party renamed to a lookalike of another is refused", scene_lookalike_names),
    ("A replayed request and a stale card's button", scene_protocol_edges),
    ("Acme's fix did not hold: D-1 is reopened", scene_reopen),
]


def demo_config(locale: str = ENGLISH) -> ParleyConfig:
    """The demo's company config; in `locale` every channel speaks that language."""
    text = DEMO_CONFIG
    if locale != ENGLISH:
        text = text.replace(
            'slack_team = "T0ACME"\n', f'slack_team = "T0ACME"\nlocale = "{locale}"\n'
        )
        text = text.replace(
            'slack_team = "T0GLOBEX"\n', f'slack_team = "T0GLOBEX"\nlocale = "{locale}"\n'
        )
        text += f'\n[i18n]\nlocale = "{locale}"\n'
    return parse_config(text, Path("demo.toml"))


async def run_demo(echo: Echo | None = print, locale: str = ENGLISH) -> bool:
    """Play every scene with every person reading Slack in `locale`; True only if every check
    passed."""
    with tempfile.TemporaryDirectory(prefix="parley-demo-") as folder:
        url = f"sqlite:///{folder}/demo.db"
        async with running_parley(
            database_url=url, config=demo_config(locale), start=DEMO_START
        ) as running:
            for user in running.slack.workspace.users.values():
                user.locale = locale
            session = Session(running=running, echo=echo, language=Languages()[locale])
            session.say("Parley demo: a scripted session against a local Slack stand-in.")
            session.say(
                "Workspace Northwind IT; Acme Networks and Globex Audit join by Slack Connect."
            )
            session.say("Clock fixed at Mon 23 Nov 2026 10:00 (Asia/Shanghai), CN working days.")
            for number, (title, scene) in enumerate(SCENES, start=1):
                session.say()
                session.say(f"━━ Scene {number}: {title} ━━")
                try:
                    await scene(session)
                except Exception as exc:  # a broken scene is a failed check, not a traceback
                    session.check(False, f"scene {number} ran to its end ({exc!r})")
            problems = running.slack.violations
            session.check(not problems, "every Web API call matched Slack's published spec")
    failed = [d for d, ok in session.checks if not ok]
    if echo is not None:
        echo("")
        echo(
            f"{len(session.checks) - len(failed)} of {len(session.checks)} checks passed"
            + ("" if not failed else f"; FAILED: {'; '.join(failed)}")
        )
    return not failed
