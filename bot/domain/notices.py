"""What Parley may owe Slack: one typed model for each kind of notice.

A workflow that changes something people must hear of owes a notice (bot/workflows/notices.py)
in its own transaction; the outbox stores it as its kind's name, its lane and its fields as
JSON, and the worker parses the row back into its model before one deliverer, registered by
the model's type, sends it (bot/commands/deliver_<topic>.py).

A model declares its kind's stored name (`kind="dispute.card"`: the name and the field names
are what rows already in the outbox hold, so never change one without a migration that
rewrites them), whether one delivery answers every earlier twin (`coalesced`), and its lane:
the notices of one lane (a dispute's card, the lines in its thread, its card's edits, its
owner's DMs about it) are delivered in the order they were owed. A notice whose delivery can
never succeed tells the person behind it once, if it names one (`Told`).

Adding a kind of notice is one model here and one deliverer in its topic's deliver module.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.agreements import Agreement
from bot.domain.complaints import Clock as ComplaintClock
from bot.domain.complaints import ClosedBy, Complaint
from bot.domain.complaints import EventKind as ComplaintEventKind
from bot.domain.digests import DigestKind
from bot.domain.disputes import Dispute
from bot.domain.ladder import Stage
from bot.domain.marks import N_
from bot.domain.reports import Period, SatisfactionReport
from bot.domain.reviews import ReminderKind
from bot.domain.timeline import TimelineKind

# Every kind by its stored name, filled as the models below are declared.
KINDS: dict[str, type[Notice]] = {}


class UnreadableNotice(Exception):
    """An outbox row that is no notice Parley knows: an unknown kind, or fields that do not
    parse as its kind's. It can never be delivered."""


class Notice(BaseModel):
    """One message owed to Slack. `workspace_id` is stored in the row's own column, the other
    fields as the row's payload."""

    # A field a later version adds is ignored by an instance still running this one (several
    # instances may share one outbox), rather than failing its row.
    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: ClassVar[str]
    coalesced: ClassVar[bool] = False

    workspace_id: str = Field(exclude=True)

    def __init_subclass__(
        cls, *, kind: str | None = None, coalesced: bool = False, **kwargs: Any
    ) -> None:
        """`class DisputeCard(DisputeNotice, kind="dispute.card")` declares a kind; a class
        without `kind` is a base that only shares fields."""
        super().__init_subclass__(**kwargs)
        if kind is None:
            return
        if kind in KINDS:
            raise TypeError(f"notice kind {kind!r} is declared twice")
        cls.kind = kind
        cls.coalesced = coalesced
        KINDS[kind] = cls

    @property
    @abstractmethod
    def lane(self) -> str:
        """The notices of one lane are delivered one at a time, in the order owed."""

    def told(self) -> Told | None:
        """Whom to tell, once, if this notice can never be delivered; None for nobody."""
        return None


class Told(BaseModel):
    """The person behind a notice and what it was, in the words of the DM that tells them."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    what: str
    # `what` is the English words (N_-marked where they are written) with `{name}` facts to
    # fill in from `what_facts`; a fact named `day` is an ISO date, shown in the reader's
    # convention. Rows stored before the facts existed hold the whole words, and no facts.
    what_facts: dict[str, str] = {}


class TellsOwner(Notice):
    """A notice that has somebody to tell when it cannot be delivered (its owner)."""

    owner_id: str
    what: str  # the words of what it is, for the owner's DM if it fails (see Told)
    what_facts: dict[str, str] = {}

    def told(self) -> Told | None:
        if not self.owner_id:
            return None
        return Told(user_id=self.owner_id, what=self.what, what_facts=self.what_facts)


def parse_notice(kind: str, *, workspace_id: str, payload: Mapping[str, Any]) -> Notice:
    """The notice a stored row holds; UnreadableNotice if its kind is unknown or its fields do
    not parse (the message names the fields, never their values, which may be what people
    wrote)."""
    model = KINDS.get(kind)
    if model is None:
        raise UnreadableNotice(f"unknown notice kind {kind!r}")
    try:
        return model.model_validate({**payload, "workspace_id": workspace_id})
    except ValidationError as exc:
        wrong = ", ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'payload'} ({error['type']})"
            for error in exc.errors()
        )
        raise UnreadableNotice(f"{kind} does not parse: {wrong}") from None


# --- disputes ---------------------------------------------------------------------------------


class DisputeNotice(Notice):
    """About one dispute, in that dispute's lane."""

    dispute_id: int

    @property
    def lane(self) -> str:
        return f"dispute:{self.dispute_id}"


class DisputeCard(TellsOwner, DisputeNotice, kind="dispute.card"):
    """The new dispute's card; its ts becomes the dispute's home thread."""


class DisputeLine(TellsOwner, DisputeNotice, kind="dispute.line"):
    """A ladder move, said in the dispute's home thread."""

    event: TimelineKind
    text: str
    actor_id: str


class DisputeRefresh(DisputeNotice, kind="dispute.refresh", coalesced=True):
    """The card and its linked roots edited to show the dispute as it is now."""

    @classmethod
    def of(cls, dispute: Dispute) -> DisputeRefresh:
        return cls(workspace_id=dispute.workspace_id, dispute_id=dispute.id)


class DisputeTell(TellsOwner, DisputeNotice, kind="dispute.tell"):
    """The dispute-process or legal channel told that the dispute entered its stage."""

    channel_id: str
    why: str
    text: str
    actor_id: str


class DisputeMeeting(TellsOwner, DisputeNotice, kind="dispute.meeting"):
    """A meeting R-n called on the dispute (`/dispute meet`), said in its home thread."""

    review_id: int


class DisputeOverdueLine(DisputeNotice, kind="dispute.overdue_line"):
    """The stage ran out: said once in the thread."""

    working_days: int
    stage: Stage


class DisputeOverdueDm(DisputeNotice, kind="dispute.overdue_dm"):
    """The owner told by DM that the stage ran out (or that it was escalated for them)."""

    working_days: int
    stage: Stage
    escalated: bool


class DossierDue(TellsOwner, DisputeNotice, kind="dispute.dossier"):
    """The dispute's dossier as a file: to the asker's DM (`channel_id` None), or to the legal
    channel when the dispute entered legal. It has its own lane: building a long record
    holds up none of the dispute's messages."""

    asker_id: str
    channel_id: str | None = None

    @property
    def lane(self) -> str:
        return f"dossier:{self.dispute_id}"

    @classmethod
    def for_legal(cls, dispute: Dispute, *, actor_id: str, channel_id: str) -> DossierDue:
        """The dossier the legal channel is owed when the dispute enters legal."""
        return cls(
            workspace_id=dispute.workspace_id,
            dispute_id=dispute.id,
            asker_id=actor_id,
            channel_id=channel_id,
            owner_id=actor_id,
            what=N_("the dossier of {ref} for the legal channel"),
            what_facts={"ref": dispute.ref},
        )


# --- reviews ----------------------------------------------------------------------------------


class ReviewNotice(Notice):
    """About one review or one of its action items, in the review's lane."""

    review_id: int

    @property
    def lane(self) -> str:
        return f"review:{self.review_id}"


class ReviewReminder(TellsOwner, ReviewNotice, kind="review.reminder"):
    """A reminder with the agenda, in the review's channel."""

    occurrence: datetime
    reminder: ReminderKind


class ReviewPrompt(TellsOwner, ReviewNotice, kind="review.prompt"):
    """After a meeting: the minutes asked for in its reminder's thread."""

    occurrence: datetime


class ReportDue(ReviewNotice, kind="review.report_due"):
    """The monthly service report's deadline, to the review's owner by DM."""

    deadline: date


class ActionPosted(TellsOwner, ReviewNotice, kind="review.action_posted"):
    """A new action item's message in the review's channel."""

    action_number: int


class ActionNotice(Notice):
    """About one action item T-n: of a review (in the review's lane) or, an improvement
    action, of a scorecard (`review_id` None, `scorecard_id` set: in the item's own lane)."""

    review_id: int | None = None
    scorecard_id: int | None = None
    action_number: int

    @property
    def lane(self) -> str:
        if self.review_id is not None:
            return f"review:{self.review_id}"
        return f"action:{self.action_number}"


class ActionRefresh(ActionNotice, kind="review.action_refresh"):
    """The item's message (and the one whose Done button was pressed) edited."""

    pressed: tuple[str, str] | None = None


class ActionDue(ActionNotice, kind="review.action_due"):
    """An item's due date: its owner reminded by DM."""


# --- agreements -------------------------------------------------------------------------------


class AgreementNotice(Notice):
    """About one agreement (A-`agreement_number`), in that agreement's lane."""

    agreement_id: int
    agreement_number: int

    @property
    def lane(self) -> str:
        return f"agreement:{self.agreement_id}"


class AgreementCard(TellsOwner, AgreementNotice, kind="agreement.card"):
    """The new agreement's card, with its Acknowledge button."""


class AgreementRefresh(AgreementNotice, kind="agreement.refresh", coalesced=True):
    """The card edited to show the agreement as it is now."""

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementRefresh:
        return cls(
            workspace_id=agreement.workspace_id,
            agreement_id=agreement.id,
            agreement_number=agreement.number,
        )


class AgreementVersionLine(AgreementNotice, kind="agreement.version_line"):
    """A new version: a line under the card."""

    version: int


class AgreementExpiredDm(AgreementNotice, kind="agreement.expired_dm"):
    """The day after an agreement's last valid day: its owner told by DM."""

    version: int


# --- praise -----------------------------------------------------------------------------------


class PraiseNotice(Notice):
    """About one praise (P-`praise_number`), in that praise's lane."""

    praise_id: int
    praise_number: int

    @property
    def lane(self) -> str:
        return f"praise:{self.praise_id}"


class PraisePost(TellsOwner, PraiseNotice, kind="praise.post"):
    """The praise posted in the internal praise channel (`[channels] praise`)."""

    channel_id: str


class PraiseThanks(PraiseNotice, kind="praise.thanks"):
    """One praised person thanked by DM, with the words of the praise."""

    user_id: str


# --- value-added services ---------------------------------------------------------------------


class ValueAddSaved(Notice, kind="valueadd.saved"):
    """V-n as the form saved it, to whoever saved it by DM (a form has no answer of its own)."""

    valueadd_id: int
    valueadd_number: int
    user_id: str

    @property
    def lane(self) -> str:
        return f"valueadd:{self.valueadd_id}"


# --- complaints -------------------------------------------------------------------------------


class ComplaintNotice(Notice):
    """About one complaint, in that complaint's lane."""

    complaint_id: int

    @property
    def lane(self) -> str:
        return f"complaint:{self.complaint_id}"


class ComplaintCard(TellsOwner, ComplaintNotice, kind="complaint.card"):
    """The new complaint's card; its ts becomes the complaint's thread."""


class ComplaintRefresh(ComplaintNotice, kind="complaint.refresh", coalesced=True):
    """The card edited to show the complaint as it is now."""

    @classmethod
    def of(cls, complaint: Complaint) -> ComplaintRefresh:
        return cls(workspace_id=complaint.workspace_id, complaint_id=complaint.id)


class ComplaintLine(TellsOwner, ComplaintNotice, kind="complaint.line"):
    """A change said in the complaint's thread: a resolution (with the Yes / No question
    for the complainant's party), an answer to it, an escalation, a link."""

    event: ComplaintEventKind
    text: str
    actor_id: str
    round: int = 0


class ComplaintTell(TellsOwner, ComplaintNotice, kind="complaint.tell"):
    """The complaints escalation channel told of an escalation (an internal post)."""

    channel_id: str
    text: str
    actor_id: str


class ComplaintOverdueDm(ComplaintNotice, kind="complaint.overdue_dm"):
    """One clock ran out: the owner told by DM, once per clock."""

    clock: ComplaintClock


class ComplaintClosed(ComplaintNotice, kind="complaint.closed"):
    """The complaint closed, confirmed by its party or after their silence: said in its
    thread. (What else follows a closed complaint hooks on this notice.)"""

    closed_by: ClosedBy
    working_days: int = 0


# --- case surveys (bot/workflows/survey_cases.py) ----------------------------------------------


class CaseSurveyPost(Notice, kind="survey.case_post"):
    """A case survey posted in its party's own thread of the case, naming the people asked.
    In the case's own lane, so it follows the close (or resolved) line it comes after."""

    survey_id: int
    case_kind: str  # "complaint" | "dispute"
    case_id: int

    @property
    def lane(self) -> str:
        return f"{self.case_kind}:{self.case_id}"


class SurveyNotice(Notice):
    """A periodic survey's message in its party's shared channel, one lane per survey."""

    survey_id: int

    @property
    def lane(self) -> str:
        return f"survey:{self.survey_id}"


class SurveyPost(SurveyNotice, kind="survey.post"):
    """A periodic survey posted in its party's shared channel, with its Answer button."""


class SurveyRefresh(SurveyNotice, kind="survey.refresh", coalesced=True):
    """The survey's post edited to show it as it is now (its count of answers, or closed)."""


class SurveyReminder(SurveyNotice, kind="survey.reminder"):
    """The one reminder, the working day before the survey closes."""


# --- digests ----------------------------------------------------------------------------------


class DigestDue(TellsOwner, Notice, kind="digest"):
    """A channel's or a person's digest: composed when it is delivered, posted unless empty.

    `since` is where its lines start; `on_request` marks `/digest now` (posted in the
    `target` channel, with or without a subscription there)."""

    target_kind: DigestKind
    target: str
    subscription_id: int | None
    due_at: datetime
    since: datetime
    on_request: bool = False

    @property
    def lane(self) -> str:
        return f"digest:{self.target_kind.value}:{self.target}"


# --- contracts --------------------------------------------------------------------------------


class ContractRenewal(Notice, kind="contract.renewal"):
    """A support contract's owner told by DM, 90, 30 or 7 days before it ends."""

    party: str
    reference: str
    valid_until: date
    days: int
    owner_id: str

    @property
    def lane(self) -> str:
        return f"dm:{self.owner_id}"


# --- audits ----------------------------------------------------------------------------------


class AuditDraftReady(Notice, kind="audit.draft_ready"):
    """A scheduled audit's draft scorecard made at the end of its period: its owner reminded
    once, by DM, to rate and publish it."""

    scorecard_id: int
    owner_id: str

    @property
    def lane(self) -> str:
        return f"dm:{self.owner_id}"


# --- reports ---------------------------------------------------------------------------------


class ReportNotice(TellsOwner, Notice):
    """A report for the person who asked (`owner_id`), in their DM. One lane per asker, so
    the figures come before their chart."""

    @property
    def lane(self) -> str:
        return f"report:{self.owner_id}"


class SatisfactionDue(ReportNotice, kind="report.satisfaction"):
    """`/report satisfaction` asked: the party (None: every party) and the period, checked
    when asked; the figures are made when it is delivered, then posted as text, and the
    chart owed with them."""

    party_id: int | None
    period: Period


class ReportChart(ReportNotice, kind="report.chart"):
    """The chart of the figures by quarter, a PNG uploaded into the asker's DM, once; it
    carries the figures its text was posted with, so both show the same."""

    report: SatisfactionReport


# --- the worker's own -------------------------------------------------------------------------


class DeliveryFailed(Notice, kind="delivery.failed"):
    """A DM to the person behind a notice that could not be delivered (never told of in turn:
    that would never end)."""

    user_id: str
    what: str
    error: str
    what_facts: dict[str, str] = {}

    @property
    def lane(self) -> str:
        return f"dm:{self.user_id}"
