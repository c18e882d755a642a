"""Play every scene of the demo in order, and say how many checks passed."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.commands.words.language import ENGLISH, Languages
from bot.config import ParleyConfig, parse_config
from bot.demo.scenes_audit_publish import scene_audit_publish
from bot.demo.scenes_audits import scene_audits
from bot.demo.scenes_chain import scene_record_chain
from bot.demo.scenes_contracts import scene_contracts
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
from bot.demo.scenes_dossier import scene_dossier
from bot.demo.scenes_edges import (
    scene_export,
    scene_hostile_title,
    scene_lookalike_names,
    scene_mistakes,
    scene_outage,
    scene_outsiders,
    scene_protocol_edges,
)
from bot.demo.scenes_features import (
    scene_agreements,
    scene_complaints,
    scene_digest,
    scene_reviews,
)
from bot.demo.scenes_meetings import scene_meeting
from bot.demo.scenes_reports import scene_report
from bot.demo.scenes_survey_cases import scene_case_survey
from bot.demo.scenes_surveys import scene_periodic_survey
from bot.demo.scenes_voice import scene_praise, scene_valueadd
from bot.demo.session import DEMO_CONFIG, DEMO_START, Echo, Session
from bot.domain.marks import N_
from bot.sandbox.harness import running_parley

SCENES: list[tuple[str, Callable[[Session], Awaitable[None]]]] = [
    (N_("Alice opens a dispute with Acme from #service-desk"), scene_open),
    (N_("Bob opens another with Globex, lists and shows them"), scene_list_and_show),
    (N_("A shared channel sees only its own party's business"), scene_isolation),
    (N_("The ladder: escalate, note, tell, resolve"), scene_ladder),
    (N_("The clock runs out; a button in the DM escalates"), scene_overdue_and_buttons),
    (N_("A linked thread in Globex's shared channel"), scene_linked_thread),
    (N_("The supplier's rep answers in their own channel"), scene_replies),
    (N_("An information-sharing agreement with Globex, acknowledged"), scene_agreements),
    (N_("A daily digest for #service-desk, and Bob's Home"), scene_digest),
    (N_("A monthly service review with Acme: reminded, met, minuted"), scene_reviews),
    (N_("Mistakes get clear answers and change nothing"), scene_mistakes),
    (N_("Everything is on the record"), scene_export),
    (N_("Slack has an outage; the outbox waits it out"), scene_outage),
    (N_("A supplier's rep in a DM gets nothing that is not theirs"), scene_outsiders),
    (N_("A hostile title is posted as plain text"), scene_hostile_title),
    (N_("A party renamed to a lookalike of another is refused"), scene_lookalike_names),
    (N_("A replayed request and a stale card's button"), scene_protocol_edges),
    (N_("Acme's fix did not hold: D-1 is reopened"), scene_reopen),
    (N_("A meeting on a dispute: reminded, minuted on its record"), scene_meeting),
    (N_("D-1's dossier: to Alice's DM, and to #legal when it goes to court"), scene_dossier),
    (
        N_("A customer praises Bob: recorded, posted in #praise, thanked in his language"),
        scene_praise,
    ),
    (N_("A value-added service for Contoso, one of its four checks a no"), scene_valueadd),
    (N_("A customer's message logged as a complaint, answered and confirmed"), scene_complaints),
    (N_("Initech's rep rates how C-1 was handled, and adds a comment"), scene_case_survey),
    (N_("A quarterly survey of a customer: answered, closed, shown"), scene_periodic_survey),
    (N_("D-1's record is tamper-evident: verified, then caught"), scene_record_chain),
    (
        N_("Before signing: DBCo's draft contract is weaker than the Contoso SLA"),
        scene_contracts,
    ),
    (N_("The service manager reads Contoso's satisfaction this year"), scene_report),
    (N_("Acme's scorecard for last quarter, rated; and this quarter's"), scene_audits),
    (N_("Acme's scorecard published to Acme; Acme's rep appeals"), scene_audit_publish),
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


async def run_demo(echo: Echo | None = print, locale: str = ENGLISH, pace: float = 1.0) -> bool:
    """Play every scene with every person reading Slack in `locale`; True only if every check
    passed. At Slack's own pace by default (`pace` 1): the demo's posts go out as fast as a
    workspace would take them; the tests play it faster (`parley demo --pace 20`)."""
    with tempfile.TemporaryDirectory(prefix="parley-demo-") as folder:
        url = f"sqlite:///{folder}/demo.db"
        async with running_parley(
            database_url=url, config=demo_config(locale), start=DEMO_START, pace=pace
        ) as running:
            for user in running.slack.workspace.users.values():
                user.locale = locale
            session = Session(running=running, echo=echo, language=Languages()[locale])
            say, t = session.say, session.t
            say(t(N_("Parley demo: a scripted session against a local Slack stand-in.")))
            say(
                t(
                    N_(
                        "Workspace Northwind IT; Acme Networks and Globex Audit join by "
                        "Slack Connect."
                    )
                )
            )
            start = session.language.stamp(
                DEMO_START.astimezone(running.parley.config.calendar.zone)
            )
            say(t(N_("Clock fixed at {when} (Asia/Shanghai), CN working days."), when=start))
            for number, (title, scene) in enumerate(SCENES, start=1):
                say()
                say(t(N_("━━ Scene {number}: {title} ━━"), number=number, title=t(title)))
                try:
                    await scene(session)
                except Exception as exc:  # a broken scene is a failed check, not a traceback
                    session.check(
                        False,
                        N_("scene {number} ran to its end ({error})"),
                        number=number,
                        error=repr(exc),
                    )
            problems = running.slack.violations
            session.check(not problems, N_("every Web API call matched Slack's published spec"))
    if echo is not None:
        echo("")
        echo(summary(session))
    return all(ok for _, ok in session.checks)


def summary(session: Session) -> str:
    """The last line: how many checks passed, and which failed, in the run's language."""
    failed = [d for d, ok in session.checks if not ok]
    total = len(session.checks)
    passed = session.language.ngettext(
        "{passed} of {total} check passed", "{passed} of {total} checks passed", total
    ).format(passed=total - len(failed), total=total)
    if not failed:
        return passed
    return session.t(
        N_("{passed}; FAILED: {failed}"),
        passed=passed,
        failed=session.t(N_("; ")).join(failed),
    )
