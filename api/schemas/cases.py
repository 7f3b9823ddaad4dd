"""Cases: the filtered reading a person may see, and the bodies of case commands.

Responses reuse the case's own immutable values (clients, notes, assessments …);
requests are `Body` structs with limits, mapped to the domain's values by `to_*`.
"""

from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

import msgspec

from api.schemas.common import Body, Instant, Narrative, Reason, ShortText
from casework.aggregates.case import (
    Assessment,
    AssessmentDomain,
    CaseStatus,
    Client,
    Closure,
    ClosureReason,
    Consent,
    DomainRating,
    EmergencyAccess,
    Goal,
    GoalOutcome,
    HouseholdMember,
    Note,
    NoteKind,
    OutcomeOfGoal,
    PlanReview,
    PlanVersion,
    RecordKind,
    ReferralSource,
    Reopening,
    RiskLevel,
    Sex,
    TeamMember,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.application.authorisation import CaseReading, Withheld

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=24 * 60)]
Rating = Annotated[int, msgspec.Meta(ge=1, le=5)]
Ids = Annotated[list[UUID], msgspec.Meta(max_length=100)]


# --- the reading -------------------------------------------------------------------


class CaseView(msgspec.Struct, kw_only=True, frozen=True):
    """A case as the reader may see it: what is withheld is absent and listed in
    `withheld`, with the reason (`withheld_summary` says it in a sentence)."""

    case_id: UUID
    version: int
    status: CaseStatus
    risk_level: RiskLevel
    risk_rationale: str
    presenting_problem: str
    referral_source: ReferralSource
    referral_detail: str
    centre_id: UUID
    department_id: UUID
    lead_worker_id: UUID
    clients: list[Client]
    possible_duplicate_of: list[UUID]
    consent: Consent | None
    consent_history: list[Consent]
    team: list[TeamMember]
    assessments: list[Assessment]
    plan_versions: list[PlanVersion]
    plan_reviews: list[PlanReview]
    notes: list[Note]
    closures: list[Closure]
    reopenings: list[Reopening]
    emergency_access: list[EmergencyAccess]
    shown: list[RecordKind]
    withheld: list[Withheld]
    withheld_summary: str


def case_view(reading: CaseReading) -> CaseView:
    case = reading.case
    return CaseView(
        case_id=case.id,
        version=case.version,
        status=case.status,
        risk_level=case.risk_level,
        risk_rationale=case.risk_rationale,
        presenting_problem=case.presenting_problem,
        referral_source=case.referral_source,
        referral_detail=case.referral_detail,
        centre_id=case.centre_id,
        department_id=case.department_id,
        lead_worker_id=case.lead_worker_id,
        clients=case.clients,
        possible_duplicate_of=case.possible_duplicate_of,
        consent=case.consent,
        consent_history=case.consent_history,
        team=case.team,
        assessments=sorted(case.assessments.values(), key=lambda a: a.occurred_at),
        plan_versions=case.plan_versions,
        plan_reviews=case.plan_reviews,
        notes=sorted(case.notes.values(), key=lambda n: n.occurred_at),
        closures=case.closures,
        reopenings=case.reopenings,
        emergency_access=case.emergency_access,
        shown=reading.shown,
        withheld=reading.withheld,
        withheld_summary=reading.withheld_summary(),
    )


# --- intake ----------------------------------------------------------------------------


class HouseholdMemberBody(Body):
    name: Name
    relationship: ShortText
    sex: Sex = Sex.NOT_RECORDED
    date_of_birth: date | None = None

    def to_member(self) -> HouseholdMember:
        return HouseholdMember(self.name, self.relationship, self.sex, self.date_of_birth)


class ClientBody(Body):
    name: Name
    sex: Sex = Sex.NOT_RECORDED
    date_of_birth: date | None = None
    id_number: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    address: ShortText = ""
    community: ShortText = ""
    languages: Annotated[list[ShortText], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    vulnerability_flags: Annotated[list[ShortText], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    household: Annotated[list[HouseholdMemberBody], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )

    def to_client(self) -> Client:
        return Client(
            client_id=uuid4(),
            name=self.name,
            sex=self.sex,
            date_of_birth=self.date_of_birth,
            id_number=self.id_number,
            phone=self.phone,
            address=self.address,
            community=self.community,
            languages=list(self.languages),
            vulnerability_flags=list(self.vulnerability_flags),
            household=[m.to_member() for m in self.household],
        )


class ConsentBody(Body):
    given: bool
    on: date
    disciplines: Annotated[list[Discipline], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    agency_ids: Ids = msgspec.field(default_factory=list)
    department_ids: Ids = msgspec.field(default_factory=list)
    occurred_at: Instant | None = None

    def to_consent(self) -> Consent:
        return Consent(
            self.given,
            self.on,
            list(self.disciplines),
            list(self.agency_ids),
            list(self.department_ids),
        )


class OpenCase(Body):
    clients: Annotated[list[ClientBody], msgspec.Meta(min_length=1, max_length=20)]
    presenting_problem: Narrative
    referral_source: ReferralSource
    department_id: UUID
    lead_worker_id: UUID
    risk_level: RiskLevel = RiskLevel.LOW
    risk_rationale: Annotated[str, msgspec.Meta(max_length=2_000)] = ""
    referral_detail: Annotated[str, msgspec.Meta(max_length=2_000)] = ""
    consent: ConsentBody | None = None
    occurred_at: Instant | None = None


# --- case commands -------------------------------------------------------------------


class NoteBody(Body):
    kind: NoteKind
    narrative: Narrative
    duration_minutes: Minutes
    occurred_at: Instant | None = None
    discipline: Discipline = Discipline.SOCIAL_WORK
    goal_id: UUID | None = None


class RiskBody(Body):
    risk_level: RiskLevel
    reason: Reason
    occurred_at: Instant | None = None


class DomainRatingBody(Body):
    domain: AssessmentDomain
    rating: Rating
    narrative: Narrative


class AssessmentBody(Body):
    discipline: Discipline
    domains: Annotated[list[DomainRatingBody], msgspec.Meta(min_length=1, max_length=20)]
    summary: Narrative
    occurred_at: Instant | None = None

    def to_domains(self) -> list[DomainRating]:
        return [DomainRating(d.domain, d.rating, d.narrative) for d in self.domains]


class GoalBody(Body):
    title: Name
    interventions: Annotated[list[Reason], msgspec.Meta(max_length=50)]
    discipline: Discipline
    responsible_id: UUID
    target_date: date
    review_date: date
    goal_id: UUID | None = None  # an existing goal carried into the new plan version

    def to_goal(self) -> Goal:
        return Goal(
            self.goal_id or uuid4(),
            self.title,
            list(self.interventions),
            self.discipline,
            self.responsible_id,
            self.target_date,
            self.review_date,
        )


class PlanBody(Body):
    goals: Annotated[list[GoalBody], msgspec.Meta(min_length=1, max_length=50)]
    occurred_at: Instant | None = None


class PlanReviewBody(Body):
    summary: Narrative
    next_review_on: date
    occurred_at: Instant | None = None


class TeamMemberBody(Body):
    staff_id: UUID
    discipline: Discipline
    scope: TeamScope
    ends_at: Instant | None = None
    occurred_at: Instant | None = None


class HandOverBody(Body):
    to_staff_id: UUID
    reason: Reason
    occurred_at: Instant | None = None


class OutcomeBody(Body):
    goal_id: UUID
    outcome: GoalOutcome
    comment: Annotated[str, msgspec.Meta(max_length=2_000)] = ""


class ClosureBody(Body):
    reason: ClosureReason
    outcomes: Annotated[list[OutcomeBody], msgspec.Meta(max_length=50)]
    summary: Narrative
    occurred_at: Instant | None = None

    def to_outcomes(self) -> list[OutcomeOfGoal]:
        return [OutcomeOfGoal(o.goal_id, o.outcome, o.comment) for o in self.outcomes]


class AddendumBody(Body):
    """An addendum corrects a note or an assessment; the record itself never changes."""

    record_kind: Annotated[str, msgspec.Meta(pattern="^(note|assessment)$")]
    record_id: UUID
    narrative: Narrative
    reason: Reason
    occurred_at: Instant | None = None


class ReasonBody(Body):
    reason: Reason
    occurred_at: Instant | None = None


class EmergencyAccessBody(Body):
    reason: Reason
    hours: Annotated[int, msgspec.Meta(ge=1, le=24)] = 4
    occurred_at: Instant | None = None
