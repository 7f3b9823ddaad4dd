"""Case commands: intake and every command on an open case. The case addressed is not
a field (it is the API's path and the service method's `case_id`); nested rows (a
client, a rated domain, a goal, a goal's outcome) map to the case's own values."""

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID, uuid4

import msgspec

from casework.aggregates.case import (
    EMERGENCY_ACCESS_FOR,
    AssessmentDomain,
    Client,
    ClosureReason,
    Consent,
    DomainRating,
    Goal,
    GoalOutcome,
    HouseholdMember,
    NoteKind,
    OutcomeOfGoal,
    ReferralSource,
    RiskLevel,
    Sex,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.application.commands.fields import (
    Command,
    Ids,
    Instant,
    LongText,
    Name,
    Narrative,
    OccurredAt,
    Reason,
    ShortText,
)

Minutes = Annotated[int, msgspec.Meta(ge=0, le=24 * 60, description="how long it took")]
Rating = Annotated[int, msgspec.Meta(ge=1, le=5)]
Hours = Annotated[int, msgspec.Meta(ge=1, le=24, description="how long the access lasts")]
Phone = Annotated[str, msgspec.Meta(max_length=40)]


# --- intake ----------------------------------------------------------------------------


class HouseholdMemberDetails(Command):
    name: Name
    relationship: ShortText
    sex: Sex = Sex.NOT_RECORDED
    date_of_birth: date | None = None

    def to_member(self) -> HouseholdMember:
        return HouseholdMember(self.name, self.relationship, self.sex, self.date_of_birth)


class ClientDetails(Command):
    name: Name
    sex: Sex = Sex.NOT_RECORDED
    date_of_birth: date | None = None
    id_number: Phone | None = None
    phone: Phone | None = None
    address: ShortText = ""
    community: ShortText = ""
    languages: Annotated[list[ShortText], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    vulnerability_flags: Annotated[list[ShortText], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    household: Annotated[list[HouseholdMemberDetails], msgspec.Meta(max_length=50)] = msgspec.field(
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


class RecordConsent(Command):
    """Consent given or withdrawn, with what it covers: disciplines on the case, and
    the agencies and departments its records may be shared with."""

    given: bool
    on: Annotated[date, msgspec.Meta(description="the day the client said so")]
    disciplines: Annotated[list[Discipline], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    agency_ids: Ids = msgspec.field(default_factory=list)
    department_ids: Ids = msgspec.field(default_factory=list)
    occurred_at: OccurredAt = None

    def to_consent(self) -> Consent:
        return Consent(
            self.given,
            self.on,
            list(self.disciplines),
            list(self.agency_ids),
            list(self.department_ids),
        )


class OpenCase(Command):
    """Intake: the clients, the problem they came with, who referred them, and the
    department and lead caseworker the case opens with."""

    clients: Annotated[list[ClientDetails], msgspec.Meta(min_length=1, max_length=20)]
    presenting_problem: Narrative
    referral_source: ReferralSource
    department_id: UUID
    lead_worker_id: UUID
    risk_level: RiskLevel = RiskLevel.LOW
    risk_rationale: LongText = ""
    referral_detail: LongText = ""
    consent: RecordConsent | None = None
    occurred_at: OccurredAt = None


# --- commands on a case --------------------------------------------------------------


class RecordNote(Command):
    """A case note: what was done, in which discipline, for which goal."""

    kind: NoteKind
    narrative: Narrative
    duration_minutes: Minutes
    occurred_at: OccurredAt = None
    discipline: Discipline = Discipline.SOCIAL_WORK
    goal_id: UUID | None = None


class RerateRisk(Command):
    risk_level: RiskLevel
    reason: Reason
    occurred_at: OccurredAt = None


class RatedDomain(Command):
    domain: AssessmentDomain
    rating: Rating
    narrative: Narrative


class RecordAssessment(Command):
    discipline: Discipline
    domains: Annotated[list[RatedDomain], msgspec.Meta(min_length=1, max_length=20)]
    summary: Narrative
    occurred_at: OccurredAt = None

    def to_domains(self) -> list[DomainRating]:
        return [DomainRating(d.domain, d.rating, d.narrative) for d in self.domains]


class PlannedGoal(Command):
    title: Name
    interventions: Annotated[list[Reason], msgspec.Meta(max_length=50)]
    discipline: Discipline
    responsible_id: UUID
    target_date: date
    review_date: date
    # An existing goal carried into the new plan version keeps its id.
    goal_id: UUID | None = None

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


class ProposePlan(Command):
    """A new version of the case plan: its goals, each with a discipline and the
    person responsible."""

    goals: Annotated[list[PlannedGoal], msgspec.Meta(min_length=1, max_length=50)]
    occurred_at: OccurredAt = None

    def to_goals(self) -> list[Goal]:
        return [g.to_goal() for g in self.goals]


class ReviewPlan(Command):
    summary: Narrative
    next_review_on: date
    occurred_at: OccurredAt = None


class AddTeamMember(Command):
    staff_id: UUID
    discipline: Discipline
    scope: TeamScope
    ends_at: Instant | None = None
    occurred_at: OccurredAt = None


class RemoveTeamMember(Command):
    staff_id: UUID
    discipline: Discipline
    reason: Reason
    occurred_at: OccurredAt = None


class HandOverCase(Command):
    """The case's new lead caseworker, and why."""

    to_staff_id: Annotated[UUID, msgspec.Meta(description="the new lead's staff id")]
    reason: Annotated[Reason, msgspec.Meta(description="why, e.g. 'leaving the centre'")]
    occurred_at: OccurredAt = None


class OutcomeEntry(Command):
    goal_id: UUID
    outcome: GoalOutcome
    comment: LongText = ""

    def to_outcome(self) -> OutcomeOfGoal:
        return OutcomeOfGoal(self.goal_id, self.outcome, self.comment)


class CloseCase(Command):
    reason: ClosureReason
    outcomes: Annotated[list[OutcomeEntry], msgspec.Meta(max_length=50)]
    summary: Narrative
    occurred_at: OccurredAt = None

    def to_outcomes(self) -> list[OutcomeOfGoal]:
        return [o.to_outcome() for o in self.outcomes]


class AddAddendum(Command):
    """An addendum corrects a note or an assessment; the record itself never changes."""

    record_kind: Annotated[str, msgspec.Meta(pattern="^(note|assessment)$")]
    record_id: UUID
    narrative: Narrative
    reason: Reason
    occurred_at: OccurredAt = None


class ReopenCase(Command):
    reason: Reason
    occurred_at: OccurredAt = None


class BreakTheGlass(Command):
    """Emergency access: reading the case, and writing notes, for a few hours."""

    reason: Reason
    hours: Hours = EMERGENCY_ACCESS_FOR // timedelta(hours=1)
    occurred_at: OccurredAt = None
