"""What a case is made of: its vocabularies (enums, stored by value) and the immutable
msgspec values its events carry and its state holds."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from casework.aggregates.discipline import Discipline


class CaseStatus(StrEnum):
    INTAKE = "intake"
    ASSESSED = "assessed"
    ACTIVE = "active"
    CLOSING = "closing"
    CLOSED = "closed"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def needs_supervisor_approval(self) -> bool:
        return self in (RiskLevel.HIGH, RiskLevel.CRITICAL)


class ReferralSource(StrEnum):
    SELF = "self"
    FAMILY = "family"
    COMMUNITY_COMMITTEE = "community_committee"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    POLICE = "police"
    COURT = "court"
    OTHER_AGENCY = "other_agency"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_RECORDED = "not_recorded"


class AssessmentDomain(StrEnum):
    FAMILY = "family"
    MENTAL_HEALTH = "mental_health"
    PHYSICAL_HEALTH = "physical_health"
    LEGAL = "legal"
    ECONOMIC = "economic"
    HOUSING = "housing"
    EDUCATION = "education"
    SAFETY = "safety"


class NoteKind(StrEnum):
    HOME_VISIT = "home_visit"
    OFFICE_INTERVIEW = "office_interview"
    PHONE = "phone"
    GROUP_SESSION = "group_session"
    RESOURCE_LINKING = "resource_linking"
    ACCOMPANIMENT = "accompaniment"
    ADVOCACY = "advocacy"


class TeamScope(StrEnum):
    SUMMARY = "summary"  # the case summary and plan (and their own discipline's records)
    FULL = "full"  # everything in the case


class PlanState(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    ACTIVE = "active"
    SUPERSEDED = "superseded"


class ClosureReason(StrEnum):
    GOALS_MET = "goals_met"
    CLIENT_WITHDREW = "client_withdrew"
    TRANSFERRED = "transferred"
    MOVED_AWAY = "moved_away"
    DIED = "died"
    OTHER = "other"


class GoalOutcome(StrEnum):
    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"


# Once closing, nothing but closure business may be recorded on a case.
OPEN_STATUSES = (CaseStatus.INTAKE, CaseStatus.ASSESSED, CaseStatus.ACTIVE)


class HouseholdMember(msgspec.Struct, frozen=True):
    name: str
    relationship: str
    sex: Sex = Sex.NOT_RECORDED
    date_of_birth: date | None = None


class Client(msgspec.Struct, frozen=True):
    client_id: UUID
    name: str
    sex: Sex = Sex.NOT_RECORDED
    date_of_birth: date | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str = ""
    community: str = ""
    languages: list[str] = []
    vulnerability_flags: list[str] = []
    household: list[HouseholdMember] = []


class Consent(msgspec.Struct, frozen=True):
    """Given or withdrawn; when given, which disciplines, agencies and other departments
    may see the case (the case's own department always may)."""

    given: bool
    on: date
    disciplines: list[Discipline] = []
    agency_ids: list[UUID] = []
    department_ids: list[UUID] = []


class DomainRating(msgspec.Struct, frozen=True):
    domain: AssessmentDomain
    rating: int  # 1 no concern … 5 severe concern
    narrative: str


class Addendum(msgspec.Struct, frozen=True):
    addendum_id: UUID
    narrative: str
    reason: str
    by: UUID
    at: datetime


class Assessment(msgspec.Struct, frozen=True):
    assessment_id: UUID
    discipline: Discipline
    domains: list[DomainRating]
    summary: str
    by: UUID
    occurred_at: datetime
    addenda: list[Addendum] = []


class Note(msgspec.Struct, frozen=True):
    note_id: UUID
    kind: NoteKind
    discipline: Discipline
    narrative: str
    duration_minutes: int
    goal_id: UUID | None
    by: UUID
    occurred_at: datetime
    late_entry: bool
    addenda: list[Addendum] = []


class Goal(msgspec.Struct, frozen=True):
    goal_id: UUID
    title: str
    interventions: list[str]
    discipline: Discipline
    responsible_id: UUID
    target_date: date
    review_date: date


class PlanVersion(msgspec.Struct, frozen=True):
    version: int
    goals: list[Goal]
    state: PlanState
    proposed_by: UUID
    proposed_at: datetime
    approved_by_review: UUID | None = None


class PlanReview(msgspec.Struct, frozen=True):
    review_id: UUID
    plan_version: int
    summary: str
    by: UUID
    occurred_at: datetime
    next_review_on: date


class OutcomeOfGoal(msgspec.Struct, frozen=True):
    goal_id: UUID
    outcome: GoalOutcome
    comment: str = ""


class Closure(msgspec.Struct, frozen=True):
    closure_id: UUID
    reason: ClosureReason
    outcomes: list[OutcomeOfGoal]
    summary: str
    by: UUID
    occurred_at: datetime
    amendments: list[Addendum] = []
    needs_approval: bool = False
    approved_by_review: UUID | None = None


class Reopening(msgspec.Struct, frozen=True):
    reason: str
    by: UUID
    occurred_at: datetime


class TeamMember(msgspec.Struct, frozen=True):
    staff_id: UUID
    discipline: Discipline
    scope: TeamScope
    added_at: datetime
    ends_at: datetime | None = None
    removed_at: datetime | None = None

    def active_at(self, at: datetime) -> bool:
        if at < self.added_at:
            return False
        return not any(end is not None and at >= end for end in (self.ends_at, self.removed_at))


class EmergencyAccess(msgspec.Struct, frozen=True):
    """Break-the-glass: time-limited access for someone outside the team, flagged to
    the people who must look at it afterwards."""

    grant_id: UUID
    staff_id: UUID
    reason: str
    started_at: datetime
    until: datetime
    flagged_to: list[UUID]
    ended_at: datetime | None = None

    def active_at(self, at: datetime) -> bool:
        end = min(self.until, self.ended_at) if self.ended_at else self.until
        return self.started_at <= at < end


class PlanContent(msgspec.Struct, frozen=True):
    """What a reviewer judges of a plan version: its goals, not its approval state."""

    version: int
    goals: list[Goal]


class ClosureContent(msgspec.Struct, frozen=True):
    reason: ClosureReason
    outcomes: list[OutcomeOfGoal]
    summary: str
    amendments: list[Addendum]
