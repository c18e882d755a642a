"""A seeded record of one quarter (2026 Q3, UTC, Monday to Friday) for the audits' tests, with
each of the six figures computed by hand below, so a test can hold the computation to them.

Acme Networks (supplier; contract 2 h response, 12 h resolution, 24x7), DBCo (supplier, no
contract), Contoso Retail (customer). Acme is brought in to six disputes:

| D | Acme brought in  | Acme's first reply     | closed                          |
|---|------------------|------------------------|---------------------------------|
| 1 | 07-01 10:00      | 07-01 11:00 (1 h, in)  | resolved in coordination 07-01 16:00 (6 h)  |
| 2 | 07-02 10:00      | 07-02 13:00 (3 h, late)| resolved in multi-party 07-03 10:00 (24 h)  |
| 3 | 07-10 10:00      | 07-10 12:00 (2 h, in)  | resolved in company process 07-12 10:00 (48 h) |
| 4 | 08-03 09:00      | 08-03 10:00 (1 h, in)  | withdrawn 08-04 09:00           |
| 5 | 06-29 10:00      | 06-29 11:00 (before Q3)| resolved in coordination 07-05 10:00 (144 h) |
| 6 | 09-30 20:00      | 10-01 01:00 (after Q3) | open                            |

- responsiveness: first replies in Q3: D1-D4, within 2 h: D1, D3, D4 → 3/4 = 75; median of
  1, 1, 2, 3 h = 1.5 h.
- problem-solving ability: closed in Q3: D1, D2, D3, D4, D5 = 5; resolved before the company
  process: D1, D2, D5 = 3 → 3/5 = 60.
- efficiency: resolved in Q3: 6, 24, 48, 144 h → median 36 h against 12 h → 100 × 12 / 36 =
  33.3 → 33. Working days: 0, 1, 0, 4 → median 0.5.
- staff stability: Acme's people in Q3: raj, mei, tom answered (and a Contoso reply and an
  insider's note do not count); li sat in its channel (joined 06-15); old left 06-10 and did
  not answer (not counted); new joined 10-02 (after Q3). 4 people; li left 08-15 and tom
  09-01: 2 leavers → 2/4 = 50.
- customer feedback: Contoso's answers on D1 (4) and D2 (2) in Q3; Acme's own answer on D3 (5)
  and an answer after Q3 on D5 (1) do not count; one complaint opened 07-20 linked to D2 counts
  as a 1, one opened 06-20 linked to D5 does not → (4 + 2 + 1) / 3 = 2.33 → (2.33 - 1) × 25 =
  33.3 → 33.
- cooperation: no data until rated; rated 4 → 75.
- total with the default weights (20, 20, 20, 10, 20, 10) before rating: (75·20 + 60·20 +
  33·20 + 50·10 + 33·20) / 90 = 4520 / 90 = 50.2 → band C; rated 4: (4520 + 750) / 100 =
  52.7 → C.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.config import ParleyConfig, parse_config
from bot.domain.ladder import Stage, Status
from bot.domain.parties import Party, PartyKind
from bot.domain.surveys import CaseKind, SurveyKind
from bot.domain.timeline import TimelineKind
from bot.store import Store, counters
from bot.store import complaints as complaints_repo
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store import memberships as memberships_repo
from bot.store import parties as parties_repo
from bot.store import surveys as surveys_repo

WS = "T0PARLEY"
#: Early in 2026 Q4: "last quarter" is Q3.
NOW = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)

CONFIG_TEXT = """\
[calendar]
timezone = "UTC"

[parties."Acme Networks"]
kind = "supplier"
slack_team = "T0ACME"

[parties."Acme Networks".contract]
reference = "ACME-2026-07"
owner = "U0MGR"
response_hours = 2
resolution_hours = 12
availability = 99.9
support_hours = "24x7"
valid_until = 2027-06-30

[parties."DBCo Database Services"]
kind = "supplier"
slack_team = "T0DBCO"

[parties."Contoso Retail"]
kind = "customer"
slack_team = "T0CONTOSO"
"""


def config() -> ParleyConfig:
    return parse_config(CONFIG_TEXT, Path("parley.toml"))


#: The hand-computed scores of Acme's Q3 (see the module).
ACME_Q3 = {
    "responsiveness": 75,
    "problem_solving": 60,
    "efficiency": 33,
    "staff_stability": 50,
    "customer_feedback": 33,
    "cooperation": None,
}


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


async def _party(store: Store, name: str, kind: PartyKind, team: str) -> Party:
    async with store.write() as conn:
        found = await parties_repo.by_name(conn, workspace_id=WS, name=name)
        if found is not None:
            return found
        return await parties_repo.insert(
            conn, workspace_id=WS, name=name, kind=kind, slack_team=team, now=at(1, 1)
        )


async def seed(store: Store) -> dict[str, Party]:
    """The record of the module's table; the parties by short name."""
    acme = await _party(store, "Acme Networks", PartyKind.SUPPLIER, "T0ACME")
    dbco = await _party(store, "DBCo Database Services", PartyKind.SUPPLIER, "T0DBCO")
    contoso = await _party(store, "Contoso Retail", PartyKind.CUSTOMER, "T0CONTOSO")
    rows = [
        # brought in, first reply, replier, closed, stage at the close, status
        (at(7, 1, 10), at(7, 1, 11), "U0RAJ", at(7, 1, 16), Stage.COORDINATION, Status.RESOLVED),
        (at(7, 2, 10), at(7, 2, 13), "U0RAJ", at(7, 3, 10), Stage.MULTI_PARTY, Status.RESOLVED),
        (
            at(7, 10, 10),
            at(7, 10, 12),
            "U0MEI",
            at(7, 12, 10),
            Stage.COMPANY_PROCESS,
            Status.RESOLVED,
        ),
        (at(8, 3, 9), at(8, 3, 10), "U0TOM", at(8, 4, 9), Stage.COORDINATION, Status.WITHDRAWN),
        (at(6, 29, 10), at(6, 29, 11), "U0RAJ", at(7, 5, 10), Stage.COORDINATION, Status.RESOLVED),
        (at(9, 30, 20), at(10, 1, 1), "U0RAJ", None, Stage.COORDINATION, Status.OPEN),
    ]
    ids: list[int] = []
    async with store.write() as conn:
        for brought, replied, replier, closed, stage, status in rows:
            number = await counters.next_number(conn, workspace_id=WS, kind="dispute")
            dispute_id = await disputes_repo.insert(
                conn,
                workspace_id=WS,
                number=number,
                title=f"Outage {number}",
                channel_id="C0ACME",
                owner_id="U0ALICE",
                stage=stage,
                now=brought,
                stage_due_at=None,
            )
            ids.append(dispute_id)
            await timeline_repo.add_event(
                conn,
                dispute_id=dispute_id,
                kind=TimelineKind.OPENED,
                at=brought,
                actor_id="U0ALICE",
            )
            for party in (acme, contoso):
                await disputes_repo.add_party(
                    conn, dispute_id=dispute_id, party_id=party.id, now=brought
                )
            await timeline_repo.add_event(
                conn,
                dispute_id=dispute_id,
                kind=TimelineKind.REPLY,
                at=replied,
                actor_id=replier,
                party_id=acme.id,
                text="on it",
            )
            await disputes_repo.set_first_reply(
                conn, dispute_id=dispute_id, party_id=acme.id, at=replied
            )
            if closed is not None:
                await disputes_repo.move(
                    conn,
                    dispute_id=dispute_id,
                    stage=stage,
                    status=Status.OPEN,
                    to_stage=stage,
                    to_status=status,
                    now=closed,
                    stage_due_at=None,
                    restart_clock=False,
                    resolution="fixed" if status is Status.RESOLVED else None,
                )
        # Replies that are not Acme's people: Contoso's, and an insider's.
        await timeline_repo.add_event(
            conn,
            dispute_id=ids[0],
            kind=TimelineKind.REPLY,
            at=at(7, 1, 12),
            actor_id="U0CARL",
            party_id=contoso.id,
            text="thanks",
        )
        await timeline_repo.add_event(
            conn,
            dispute_id=ids[0],
            kind=TimelineKind.REPLY,
            at=at(7, 1, 12, 30),
            actor_id="U0ALICE",
            party_id=None,
            text="noted",
        )
        # Membership of Acme's shared channel.
        for n, (user, event, when) in enumerate(
            [
                ("U0RAJ", "joined", at(6, 1)),
                ("U0LI", "joined", at(6, 15)),
                ("U0OLD", "joined", at(5, 1)),
                ("U0OLD", "left", at(6, 10)),
                ("U0LI", "left", at(8, 15)),
                ("U0TOM", "left", at(9, 1)),
                ("U0NEW", "joined", at(10, 2)),
            ]
        ):
            await memberships_repo.record(
                conn,
                workspace_id=WS,
                channel_id="C0ACME",
                user_id=user,
                team_id="T0ACME",
                party_id=acme.id,
                event=memberships_repo.MembershipEvent(event),
                at=when,
                event_id=f"Ev{n}",
            )
        # Case surveys on the disputes: who answered, when, with what.
        for dispute_index, party, when, rating in (
            (0, contoso, at(7, 5), 4),
            (1, contoso, at(7, 6), 2),
            (2, acme, at(7, 14), 5),
            (4, contoso, at(10, 2), 1),
        ):
            number = await counters.next_number(conn, workspace_id=WS, kind="survey")
            survey_id = await surveys_repo.insert(
                conn,
                workspace_id=WS,
                number=number,
                kind=SurveyKind.CASE,
                party_id=party.id,
                title=None,
                questions=("How was it handled?",),
                channel_id="C0X",
                now=when,
                case_kind=CaseKind.DISPUTE,
                case_id=ids[dispute_index],
            )
            await surveys_repo.record_answer(
                conn,
                survey_id=survey_id,
                respondent_id=f"U0R{number}",
                party_id=party.id,
                ratings={0: rating},
                comment=None,
                now=when,
            )
        # Complaints linked to its disputes.
        for dispute_index, opened in ((1, at(7, 20)), (4, at(6, 20))):
            number = await counters.next_number(conn, workspace_id=WS, kind="complaint")
            complaint_id = await complaints_repo.insert(
                conn,
                workspace_id=WS,
                number=number,
                text="Slow",
                party_id=contoso.id,
                complainant_id=None,
                owner_id="U0ALICE",
                channel_id="C0X",
                now=opened,
                answer_due_at=opened,
                resolve_due_at=opened,
            )
            await complaints_repo.link_dispute(
                conn,
                complaint_id=complaint_id,
                dispute_id=ids[dispute_index],
                user_id="U0ALICE",
                now=opened,
            )
    return {"acme": acme, "dbco": dbco, "contoso": contoso}
