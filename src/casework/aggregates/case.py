"""The case (个案): one client's (or household's) record, from intake to closure.

Status runs intake → assessed → active → closing → closed, and a closed case may be
reopened. Notes, assessments and closures are never edited: corrections are addenda or
amendments that stay beside the original. Client personal data lives here, so it is
sealed under the case's own key and erased with it.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

import msgspec

from casework.aggregates.base import (
    Actor,
    InvalidValue,
    Record,
    Role,
    RuleBroken,
    aware,
    now,
    required_text,
)
from casework.aggregates.discipline import Discipline

LATE_ENTRY_AFTER = timedelta(hours=48)
EMERGENCY_ACCESS_FOR = timedelta(hours=4)
# Clocks differ a little between devices; a note "in the future" beyond this is a mistake.
CLOCK_TOLERANCE = timedelta(minutes=5)


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

# Kinds of record inside a case that `record_content` can hash for a reviewer.
REVIEWABLE_KINDS = ("note", "assessment", "plan", "closure")


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


class CaseClosed(RuleBroken):
    rule = "case_closed"


class ConsentMissing(RuleBroken):
    rule = "consent_missing"


class AssessmentRequired(RuleBroken):
    rule = "assessment_required"


class LeadWorkerOnly(RuleBroken):
    rule = "lead_worker_only"
    status = 403


class RecordNotFound(RuleBroken):
    rule = "record_not_found"
    status = 404


class UnknownGoal(RuleBroken):
    rule = "unknown_goal"


class GoalOutcomeMissing(RuleBroken):
    rule = "goal_outcome_missing"


class PlanVersionNotPending(RuleBroken):
    rule = "plan_version_not_pending"


class ClosureNotPending(RuleBroken):
    rule = "closure_not_pending"


class CaseNotClosed(RuleBroken):
    rule = "case_not_closed"


class AlreadyOnTeam(RuleBroken):
    rule = "already_on_team"


class NotOnTeam(RuleBroken):
    rule = "not_on_team"


class EmergencyAccessNotOpen(RuleBroken):
    rule = "emergency_access_not_open"


def _checked(consent: Consent) -> Consent:
    if consent.given and not consent.disciplines:
        raise InvalidValue("consent disciplines", "say which disciplines the consent covers")
    return consent


class Case(Record):
    clients: list[Client]
    presenting_problem: str
    referral_source: ReferralSource
    referral_detail: str
    centre_id: UUID
    department_id: UUID
    lead_worker_id: UUID
    status: CaseStatus
    risk_level: RiskLevel
    risk_rationale: str
    consent: Consent | None
    consent_history: list[Consent]
    possible_duplicate_of: list[UUID]
    assessments: dict[UUID, Assessment]
    plan_versions: list[PlanVersion]
    plan_reviews: list[PlanReview]
    notes: dict[UUID, Note]
    team: list[TeamMember]
    closures: list[Closure]
    reopenings: list[Reopening]
    emergency_access: list[EmergencyAccess]

    class Opened(Record.Created):
        clients: list[Client]
        presenting_problem: str
        referral_source: ReferralSource
        referral_detail: str
        centre_id: UUID
        department_id: UUID
        lead_worker_id: UUID
        risk_level: RiskLevel
        risk_rationale: str
        consent: Consent | None
        possible_duplicate_of: list[UUID]

    def __init__(
        self,
        clients: list[Client],
        presenting_problem: str,
        referral_source: ReferralSource,
        referral_detail: str,
        centre_id: UUID,
        department_id: UUID,
        lead_worker_id: UUID,
        risk_level: RiskLevel,
        risk_rationale: str,
        consent: Consent | None,
        possible_duplicate_of: list[UUID],
    ) -> None:
        self.clients = list(clients)
        self.presenting_problem = presenting_problem
        self.referral_source = referral_source
        self.referral_detail = referral_detail
        self.centre_id = centre_id
        self.department_id = department_id
        self.lead_worker_id = lead_worker_id
        self.status = CaseStatus.INTAKE
        self.risk_level = risk_level
        self.risk_rationale = risk_rationale
        self.consent = consent
        self.consent_history = [consent] if consent is not None else []
        self.possible_duplicate_of = list(possible_duplicate_of)
        self.assessments = {}
        self.plan_versions = []
        self.plan_reviews = []
        self.notes = {}
        self.team = []
        self.closures = []
        self.reopenings = []
        self.emergency_access = []

    class ClientDetailsCorrected(Record.Event):
        client: Client
        reason: str

        def apply(self, case: "Case") -> None:
            case.clients = [
                self.client if c.client_id == self.client.client_id else c for c in case.clients
            ]

    class ConsentRecorded(Record.Event):
        consent: Consent

        def apply(self, case: "Case") -> None:
            case.consent = self.consent
            case.consent_history.append(self.consent)

    class RiskRerated(Record.Event):
        risk_level: RiskLevel
        reason: str

        def apply(self, case: "Case") -> None:
            case.risk_level = self.risk_level
            case.risk_rationale = self.reason

    class AssessmentRecorded(Record.Event):
        assessment_id: UUID
        discipline: Discipline
        domains: list[DomainRating]
        summary: str

        def apply(self, case: "Case") -> None:
            case.assessments[self.assessment_id] = Assessment(
                self.assessment_id,
                self.discipline,
                list(self.domains),
                self.summary,
                self.actor_id,
                self.occurred_at,
            )
            if case.status == CaseStatus.INTAKE:
                case.status = CaseStatus.ASSESSED

    class AddendumAdded(Record.Event):
        """A correction of a note or assessment: points at the original, which stays."""

        record_kind: str
        record_id: UUID
        addendum_id: UUID
        narrative: str
        reason: str

        def apply(self, case: "Case") -> None:
            addendum = Addendum(
                self.addendum_id, self.narrative, self.reason, self.actor_id, self.occurred_at
            )
            records = case.notes if self.record_kind == "note" else case.assessments
            original = records[self.record_id]
            records[self.record_id] = msgspec.structs.replace(
                original, addenda=[*original.addenda, addendum]
            )

    class PlanVersionProposed(Record.Event):
        plan_version: int
        goals: list[Goal]
        needs_approval: bool

        def apply(self, case: "Case") -> None:
            # A newer proposal replaces one still waiting; the active plan stays until
            # the new one is active.
            case.plan_versions = [
                msgspec.structs.replace(p, state=PlanState.SUPERSEDED)
                if p.state == PlanState.PENDING_APPROVAL
                or (p.state == PlanState.ACTIVE and not self.needs_approval)
                else p
                for p in case.plan_versions
            ]
            case.plan_versions.append(
                PlanVersion(
                    self.plan_version,
                    list(self.goals),
                    PlanState.PENDING_APPROVAL if self.needs_approval else PlanState.ACTIVE,
                    self.actor_id,
                    self.occurred_at,
                )
            )
            if not self.needs_approval:
                case.status = CaseStatus.ACTIVE

    class PlanVersionApproved(Record.Event):
        plan_version: int
        review_id: UUID

        def apply(self, case: "Case") -> None:
            case.plan_versions = [
                msgspec.structs.replace(
                    p, state=PlanState.ACTIVE, approved_by_review=self.review_id
                )
                if p.version == self.plan_version
                else msgspec.structs.replace(p, state=PlanState.SUPERSEDED)
                if p.state == PlanState.ACTIVE
                else p
                for p in case.plan_versions
            ]
            case.status = CaseStatus.ACTIVE

    class PlanReviewed(Record.Event):
        review_id: UUID
        plan_version: int
        summary: str
        next_review_on: date

        def apply(self, case: "Case") -> None:
            case.plan_reviews.append(
                PlanReview(
                    self.review_id,
                    self.plan_version,
                    self.summary,
                    self.actor_id,
                    self.occurred_at,
                    self.next_review_on,
                )
            )

    class NoteRecorded(Record.Event):
        note_id: UUID
        kind: NoteKind
        discipline: Discipline
        narrative: str
        duration_minutes: int
        goal_id: UUID | None
        late_entry: bool

        def apply(self, case: "Case") -> None:
            case.notes[self.note_id] = Note(
                self.note_id,
                self.kind,
                self.discipline,
                self.narrative,
                self.duration_minutes,
                self.goal_id,
                self.actor_id,
                self.occurred_at,
                self.late_entry,
            )

    class TeamMemberAdded(Record.Event):
        staff_id: UUID
        discipline: Discipline
        scope: TeamScope
        ends_at: datetime | None

        def apply(self, case: "Case") -> None:
            case.team.append(
                TeamMember(
                    self.staff_id, self.discipline, self.scope, self.occurred_at, self.ends_at
                )
            )

    class TeamMemberRemoved(Record.Event):
        staff_id: UUID
        discipline: Discipline
        reason: str

        def apply(self, case: "Case") -> None:
            case.team = [
                msgspec.structs.replace(m, removed_at=self.occurred_at)
                if m.staff_id == self.staff_id
                and m.discipline == self.discipline
                and m.removed_at is None
                else m
                for m in case.team
            ]

    class LeadWorkerChanged(Record.Event):
        lead_worker_id: UUID
        reason: str

        def apply(self, case: "Case") -> None:
            case.lead_worker_id = self.lead_worker_id

    class ClosureRequested(Record.Event):
        closure_id: UUID
        reason: ClosureReason
        outcomes: list[OutcomeOfGoal]
        summary: str
        needs_approval: bool

        def apply(self, case: "Case") -> None:
            case.closures.append(
                Closure(
                    self.closure_id,
                    self.reason,
                    list(self.outcomes),
                    self.summary,
                    self.actor_id,
                    self.occurred_at,
                    needs_approval=self.needs_approval,
                )
            )
            case.status = CaseStatus.CLOSING if self.needs_approval else CaseStatus.CLOSED

    class ClosureAmended(Record.Event):
        closure_id: UUID
        amendment_id: UUID
        outcomes: list[OutcomeOfGoal]
        summary: str
        reason: str

        def apply(self, case: "Case") -> None:
            closure = case.closures[-1]
            amendment = Addendum(
                self.amendment_id, self.summary, self.reason, self.actor_id, self.occurred_at
            )
            case.closures[-1] = msgspec.structs.replace(
                closure,
                outcomes=list(self.outcomes),
                summary=self.summary,
                amendments=[*closure.amendments, amendment],
            )

    class ClosureApproved(Record.Event):
        closure_id: UUID
        review_id: UUID

        def apply(self, case: "Case") -> None:
            case.closures[-1] = msgspec.structs.replace(
                case.closures[-1], approved_by_review=self.review_id
            )
            case.status = CaseStatus.CLOSED

    class Reopened(Record.Event):
        reason: str

        def apply(self, case: "Case") -> None:
            case.reopenings.append(Reopening(self.reason, self.actor_id, self.occurred_at))
            if case.active_plan is not None:
                case.status = CaseStatus.ACTIVE
            elif case.assessments:
                case.status = CaseStatus.ASSESSED
            else:
                case.status = CaseStatus.INTAKE

    class EmergencyAccessStarted(Record.Event):
        grant_id: UUID
        staff_id: UUID
        reason: str
        until: datetime
        flagged_to: list[UUID]

        def apply(self, case: "Case") -> None:
            case.emergency_access.append(
                EmergencyAccess(
                    self.grant_id,
                    self.staff_id,
                    self.reason,
                    self.occurred_at,
                    self.until,
                    list(self.flagged_to),
                )
            )

    class EmergencyAccessEnded(Record.Event):
        grant_id: UUID

        def apply(self, case: "Case") -> None:
            case.emergency_access = [
                msgspec.structs.replace(g, ended_at=self.occurred_at)
                if g.grant_id == self.grant_id
                else g
                for g in case.emergency_access
            ]

    def case_id_for_keys(self) -> UUID:
        return self.id

    # -- reading ------------------------------------------------------------------------

    @property
    def active_plan(self) -> PlanVersion | None:
        return next((p for p in self.plan_versions if p.state == PlanState.ACTIVE), None)

    @property
    def note_ids(self) -> list[UUID]:
        return list(self.notes)

    @property
    def pending_plan(self) -> PlanVersion | None:
        return next((p for p in self.plan_versions if p.state == PlanState.PENDING_APPROVAL), None)

    @property
    def next_review_on(self) -> date | None:
        """When the active plan is next due for review (its earliest goal review date,
        or the date the last review of that version set)."""
        plan = self.active_plan
        if plan is None or not plan.goals:
            return None
        reviews = [r for r in self.plan_reviews if r.plan_version == plan.version]
        if reviews:
            return reviews[-1].next_review_on
        return min(goal.review_date for goal in plan.goals)

    def review_overdue(self, today: date) -> bool:
        due = self.next_review_on
        return self.status in OPEN_STATUSES and due is not None and due < today

    def consent_allows(
        self,
        discipline: Discipline | None = None,
        agency_id: UUID | None = None,
        department_id: UUID | None = None,
    ) -> bool:
        consent = self.consent
        if consent is None or not consent.given:
            return False
        return (
            (discipline is None or discipline in consent.disciplines)
            and (agency_id is None or agency_id in consent.agency_ids)
            and (
                department_id is None
                or department_id == self.department_id
                or department_id in consent.department_ids
            )
        )

    def require_consent(
        self,
        discipline: Discipline | None = None,
        agency_id: UUID | None = None,
        department_id: UUID | None = None,
    ) -> None:
        if self.consent_allows(discipline, agency_id, department_id):
            return
        if self.consent is None:
            missing = "no consent has been recorded for this case"
        elif not self.consent.given:
            missing = f"the client withdrew consent on {self.consent.on.isoformat()}"
        else:
            wanted = []
            if discipline is not None and discipline not in self.consent.disciplines:
                wanted.append(f"discipline {discipline.value}")
            if agency_id is not None and agency_id not in self.consent.agency_ids:
                wanted.append(f"agency {agency_id}")
            if department_id is not None and not self.consent_allows(department_id=department_id):
                wanted.append(f"department {department_id}")
            missing = "the client's consent does not cover " + " or ".join(wanted)
        raise ConsentMissing(
            f"consent_missing: {missing}",
            discipline=discipline,
            agency_id=agency_id,
            department_id=department_id,
        )

    def member(self, staff_id: UUID, at: datetime) -> list[TeamMember]:
        """The staff member's team memberships that are in force at `at`."""
        return [m for m in self.team if m.staff_id == staff_id and m.active_at(at)]

    def emergency_access_of(self, staff_id: UUID, at: datetime) -> EmergencyAccess | None:
        return next(
            (g for g in self.emergency_access if g.staff_id == staff_id and g.active_at(at)),
            None,
        )

    def record_content(self, kind: str, record_id: UUID) -> tuple[int, bytes]:
        """The revision of a record and the canonical bytes of what a reviewer judges
        (including addenda), so a later amendment shows as a different hash."""
        if kind not in REVIEWABLE_KINDS:
            raise InvalidValue("kind", f"must be one of {', '.join(REVIEWABLE_KINDS)}")
        encode = msgspec.json.encode
        if kind == "plan":
            if record_id != self.id or not self.plan_versions:
                raise RecordNotFound(f"record_not_found: case {self.id} has no plan yet")
            latest = self.plan_versions[-1]
            return latest.version, encode(PlanContent(latest.version, latest.goals))
        if kind == "closure":
            closure = next((c for c in self.closures if c.closure_id == record_id), None)
            if closure is None:
                raise RecordNotFound(f"record_not_found: no closure {record_id} in this case")
            content = ClosureContent(
                closure.reason, closure.outcomes, closure.summary, closure.amendments
            )
            return 1 + len(closure.amendments), encode(content)
        records = self.notes if kind == "note" else self.assessments
        record = records.get(record_id)
        if record is None:
            raise RecordNotFound(f"record_not_found: no {kind} {record_id} in this case")
        return 1 + len(record.addenda), encode(record)

    # -- commands -----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        by: Actor,
        clients: list[Client],
        presenting_problem: str,
        referral_source: ReferralSource,
        centre_id: UUID,
        department_id: UUID,
        lead_worker_id: UUID,
        risk_level: RiskLevel = RiskLevel.LOW,
        risk_rationale: str = "",
        referral_detail: str = "",
        consent: Consent | None = None,
        possible_duplicate_of: list[UUID] = (),  # type: ignore[assignment]
        occurred_at: datetime | None = None,
    ) -> "Case":
        """Intake; consent is usually taken at intake, or recorded later. Cases that
        may already be this client's are kept on the case as a warning, not a refusal
        (families come back)."""
        if not clients:
            raise InvalidValue("clients", "a case needs at least one client")
        for client in clients:
            required_text("client name", client.name)
        risk_level = RiskLevel(risk_level)
        if risk_level.needs_supervisor_approval and not risk_rationale.strip():
            raise InvalidValue("risk_rationale", "say why the risk is high or critical")
        return cls.start(
            cls.Opened,
            by,
            occurred_at,
            clients=list(clients),
            presenting_problem=required_text("presenting_problem", presenting_problem),
            referral_source=ReferralSource(referral_source),
            referral_detail=referral_detail.strip(),
            centre_id=centre_id,
            department_id=department_id,
            lead_worker_id=lead_worker_id,
            risk_level=risk_level,
            risk_rationale=risk_rationale.strip(),
            consent=_checked(consent) if consent is not None else None,
            possible_duplicate_of=list(possible_duplicate_of),
        )

    def _require_open(self, what: str) -> None:
        if self.status not in OPEN_STATUSES:
            raise CaseClosed(
                f"case_closed: the case is {self.status.value}; {what} cannot be recorded "
                "on it (reopen it first)",
                status=self.status.value,
            )

    def _require_lead(self, by: Actor, what: str) -> None:
        if by.staff_id != self.lead_worker_id and by.role != Role.DEPARTMENT_HEAD:
            raise LeadWorkerOnly(
                f"lead_worker_only: only the lead caseworker or the department head may {what}"
            )

    def correct_client_details(
        self, by: Actor, client: Client, reason: str, occurred_at: datetime | None = None
    ) -> None:
        if all(c.client_id != client.client_id for c in self.clients):
            raise RecordNotFound(f"record_not_found: no client {client.client_id} in this case")
        required_text("client name", client.name)
        self.record(
            self.ClientDetailsCorrected,
            by,
            occurred_at,
            client=client,
            reason=required_text("reason", reason),
        )

    def record_consent(
        self,
        by: Actor,
        given: bool,
        on: date,
        disciplines: list[Discipline] = (),  # type: ignore[assignment]
        agency_ids: list[UUID] = (),  # type: ignore[assignment]
        department_ids: list[UUID] = (),  # type: ignore[assignment]
        occurred_at: datetime | None = None,
    ) -> None:
        consent = Consent(
            given=given,
            on=on,
            disciplines=[Discipline(d) for d in disciplines] if given else [],
            agency_ids=list(agency_ids) if given else [],
            department_ids=list(department_ids) if given else [],
        )
        self.record(self.ConsentRecorded, by, occurred_at, consent=_checked(consent))

    def rerate_risk(
        self, by: Actor, risk_level: RiskLevel, reason: str, occurred_at: datetime | None = None
    ) -> None:
        self._require_open("a risk rating")
        self.record(
            self.RiskRerated,
            by,
            occurred_at,
            risk_level=RiskLevel(risk_level),
            reason=required_text("reason", reason),
        )

    def record_assessment(
        self,
        by: Actor,
        discipline: Discipline,
        domains: list[DomainRating],
        summary: str,
        occurred_at: datetime | None = None,
    ) -> UUID:
        self._require_open("an assessment")
        if not domains:
            raise InvalidValue("domains", "rate at least one domain")
        for rating in domains:
            if not 1 <= rating.rating <= 5:
                raise InvalidValue(
                    f"{rating.domain.value} rating", "must be 1 (no concern) to 5 (severe)"
                )
            required_text(f"{rating.domain.value} narrative", rating.narrative)
        if len({r.domain for r in domains}) != len(domains):
            raise InvalidValue("domains", "rate each domain once per assessment")
        discipline = Discipline(discipline)
        self.require_consent(discipline)
        assessment_id = uuid4()
        self.record(
            self.AssessmentRecorded,
            by,
            occurred_at,
            assessment_id=assessment_id,
            discipline=discipline,
            domains=list(domains),
            summary=summary.strip(),
        )
        return assessment_id

    def add_addendum(
        self,
        by: Actor,
        record_kind: str,
        record_id: UUID,
        narrative: str,
        reason: str,
        occurred_at: datetime | None = None,
    ) -> UUID:
        if record_kind not in ("note", "assessment"):
            raise InvalidValue("record_kind", "addenda correct a note or an assessment")
        records = self.notes if record_kind == "note" else self.assessments
        if record_id not in records:
            raise RecordNotFound(f"record_not_found: no {record_kind} {record_id} in this case")
        self._require_open("an addendum")
        addendum_id = uuid4()
        self.record(
            self.AddendumAdded,
            by,
            occurred_at,
            record_kind=record_kind,
            record_id=record_id,
            addendum_id=addendum_id,
            narrative=required_text("narrative", narrative),
            reason=required_text("reason", reason),
        )
        return addendum_id

    def propose_plan(
        self, by: Actor, goals: list[Goal], occurred_at: datetime | None = None
    ) -> int:
        """A new plan version; for a high or critical risk case it waits for a
        supervisor's approval before it is active. Returns the version number."""
        self._require_open("a case plan")
        self._require_lead(by, "write the case plan")
        if not self.assessments:
            raise AssessmentRequired("assessment_required: assess the case before writing its plan")
        if not goals:
            raise InvalidValue("goals", "a plan needs at least one goal")
        for goal in goals:
            required_text("goal title", goal.title)
            if goal.review_date > goal.target_date:
                raise InvalidValue(
                    f"goal {goal.title!r} review date", "must not be after its target date"
                )
        version = len(self.plan_versions) + 1
        self.record(
            self.PlanVersionProposed,
            by,
            occurred_at,
            plan_version=version,
            goals=list(goals),
            needs_approval=self.risk_level.needs_supervisor_approval,
        )
        return version

    def approve_plan_version(
        self,
        by: Actor,
        plan_version: int,
        review_id: UUID,
        occurred_at: datetime | None = None,
    ) -> None:
        """Given by a supervisor's review (who may approve is decided there)."""
        self._require_open("a plan approval")
        pending = self.pending_plan
        if pending is None or pending.version != plan_version:
            raise PlanVersionNotPending(
                f"plan_version_not_pending: plan version {plan_version} is not waiting for "
                "approval",
                plan_version=plan_version,
            )
        self.record(
            self.PlanVersionApproved,
            by,
            occurred_at,
            plan_version=plan_version,
            review_id=review_id,
        )

    def review_plan(
        self,
        by: Actor,
        summary: str,
        next_review_on: date,
        occurred_at: datetime | None = None,
    ) -> UUID:
        self._require_open("a plan review")
        plan = self.active_plan
        if plan is None:
            raise RecordNotFound("record_not_found: the case has no active plan to review")
        review_id = uuid4()
        self.record(
            self.PlanReviewed,
            by,
            occurred_at,
            review_id=review_id,
            plan_version=plan.version,
            summary=required_text("summary", summary),
            next_review_on=next_review_on,
        )
        return review_id

    def record_note(
        self,
        by: Actor,
        kind: NoteKind,
        narrative: str,
        duration_minutes: int,
        occurred_at: datetime | None = None,
        discipline: Discipline = Discipline.SOCIAL_WORK,
        goal_id: UUID | None = None,
        late_after: timedelta = LATE_ENTRY_AFTER,
    ) -> UUID:
        self._require_open("a case note")
        narrative = required_text("narrative", narrative)
        if duration_minutes < 0:
            raise InvalidValue("duration_minutes", "must be zero or more")
        discipline = Discipline(discipline)
        self.require_consent(discipline)
        if goal_id is not None:
            plan = self.active_plan or self.pending_plan
            if plan is None or all(g.goal_id != goal_id for g in plan.goals):
                raise UnknownGoal(f"unknown_goal: goal {goal_id} is not in the case plan")
        current = now()
        happened = aware(occurred_at) if occurred_at is not None else current
        if happened > current + CLOCK_TOLERANCE:
            raise InvalidValue("occurred_at", "a note cannot record something yet to happen")
        note_id = uuid4()
        self.record(
            self.NoteRecorded,
            by,
            happened,
            note_id=note_id,
            kind=NoteKind(kind),
            discipline=discipline,
            narrative=narrative,
            duration_minutes=duration_minutes,
            goal_id=goal_id,
            late_entry=current - happened > late_after,
        )
        return note_id

    def add_team_member(
        self,
        by: Actor,
        staff_id: UUID,
        discipline: Discipline,
        scope: TeamScope,
        ends_at: datetime | None = None,
        occurred_at: datetime | None = None,
    ) -> None:
        self._require_open("a team change")
        self._require_lead(by, "add someone to the case team")
        discipline = Discipline(discipline)
        when = aware(occurred_at) if occurred_at is not None else now()
        if any(m.discipline == discipline for m in self.member(staff_id, when)):
            raise AlreadyOnTeam(
                f"already_on_team: {staff_id} is already on the team for {discipline.value}"
            )
        if ends_at is not None and aware(ends_at, "ends_at") <= when:
            raise InvalidValue("ends_at", "must be after the member joins")
        self.require_consent(discipline)
        self.record(
            self.TeamMemberAdded,
            by,
            when,
            staff_id=staff_id,
            discipline=discipline,
            scope=TeamScope(scope),
            ends_at=ends_at,
        )

    def remove_team_member(
        self,
        by: Actor,
        staff_id: UUID,
        discipline: Discipline,
        reason: str,
        occurred_at: datetime | None = None,
    ) -> None:
        """Ends the member's access from now; what they saw before stays in history.
        Allowed on a closed case too: ending access is never refused."""
        self._require_lead(by, "remove someone from the case team")
        if not any(
            m.staff_id == staff_id and m.discipline == discipline and m.removed_at is None
            for m in self.team
        ):
            raise NotOnTeam(f"not_on_team: {staff_id} is not on the team for {discipline}")
        self.record(
            self.TeamMemberRemoved,
            by,
            occurred_at,
            staff_id=staff_id,
            discipline=Discipline(discipline),
            reason=required_text("reason", reason),
        )

    def hand_over(
        self, by: Actor, to_staff_id: UUID, reason: str, occurred_at: datetime | None = None
    ) -> None:
        self._require_lead(by, "hand the case over")
        if to_staff_id == self.lead_worker_id:
            raise InvalidValue("to", "the case is already led by that caseworker")
        self.record(
            self.LeadWorkerChanged,
            by,
            occurred_at,
            lead_worker_id=to_staff_id,
            reason=required_text("reason", reason),
        )

    def close(
        self,
        by: Actor,
        reason: ClosureReason,
        outcomes: list[OutcomeOfGoal],
        summary: str,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Close the case; a high or critical risk case stays closing until a supervisor
        approves. Returns the closure id."""
        self._require_open("a closure")
        self._require_lead(by, "close the case")
        self._check_outcomes(outcomes)
        closure_id = uuid4()
        self.record(
            self.ClosureRequested,
            by,
            occurred_at,
            closure_id=closure_id,
            reason=ClosureReason(reason),
            outcomes=list(outcomes),
            summary=required_text("summary", summary),
            needs_approval=self.risk_level.needs_supervisor_approval,
        )
        return closure_id

    def _check_outcomes(self, outcomes: list[OutcomeOfGoal]) -> None:
        goals = {g.goal_id: g for g in (self.active_plan.goals if self.active_plan else [])}
        unknown = [o.goal_id for o in outcomes if o.goal_id not in goals]
        if unknown:
            raise UnknownGoal(f"unknown_goal: goals {unknown} are not in the active plan")
        missing = [g.title for gid, g in goals.items() if gid not in {o.goal_id for o in outcomes}]
        if missing:
            raise GoalOutcomeMissing(
                "goal_outcome_missing: give the outcome of every goal of the plan: "
                + ", ".join(missing),
                goals=missing,
            )

    def _pending_closure(self, closure_id: UUID) -> Closure:
        closure = self.closures[-1] if self.closures else None
        if self.status != CaseStatus.CLOSING or closure is None or closure.closure_id != closure_id:
            raise ClosureNotPending(
                f"closure_not_pending: closure {closure_id} is not waiting for approval"
            )
        return closure

    def amend_closure(
        self,
        by: Actor,
        closure_id: UUID,
        outcomes: list[OutcomeOfGoal],
        summary: str,
        reason: str,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Revise a closure still waiting for approval (e.g. when a reviewer asks)."""
        self._pending_closure(closure_id)
        self._require_lead(by, "amend the closure")
        self._check_outcomes(outcomes)
        amendment_id = uuid4()
        self.record(
            self.ClosureAmended,
            by,
            occurred_at,
            closure_id=closure_id,
            amendment_id=amendment_id,
            outcomes=list(outcomes),
            summary=required_text("summary", summary),
            reason=required_text("reason", reason),
        )
        return amendment_id

    def approve_closure(
        self, by: Actor, review_id: UUID, occurred_at: datetime | None = None
    ) -> None:
        """Given by a supervisor's review of the closure waiting for approval."""
        closure = self.closures[-1] if self.closures else None
        if self.status != CaseStatus.CLOSING or closure is None:
            raise ClosureNotPending("closure_not_pending: no closure is waiting for approval")
        self.record(
            self.ClosureApproved,
            by,
            occurred_at,
            closure_id=closure.closure_id,
            review_id=review_id,
        )

    def reopen(self, by: Actor, reason: str, occurred_at: datetime | None = None) -> None:
        if self.status not in (CaseStatus.CLOSED, CaseStatus.CLOSING):
            raise CaseNotClosed(f"case_not_closed: the case is {self.status.value}")
        self.record(self.Reopened, by, occurred_at, reason=required_text("reason", reason))

    def start_emergency_access(
        self,
        by: Actor,
        reason: str,
        flagged_to: list[UUID],
        duration: timedelta = EMERGENCY_ACCESS_FOR,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Break the glass: anyone may, with a reason; it is time-limited and flagged."""
        if duration <= timedelta(0):
            raise InvalidValue("duration", "must be positive")
        when = aware(occurred_at) if occurred_at is not None else now()
        grant_id = uuid4()
        self.record(
            self.EmergencyAccessStarted,
            by,
            when,
            grant_id=grant_id,
            staff_id=by.staff_id,
            reason=required_text("reason", reason),
            until=when + duration,
            flagged_to=list(flagged_to),
        )
        return grant_id

    def end_emergency_access(
        self, by: Actor, grant_id: UUID, occurred_at: datetime | None = None
    ) -> None:
        when = aware(occurred_at) if occurred_at is not None else now()
        grant = next((g for g in self.emergency_access if g.grant_id == grant_id), None)
        if grant is None or not grant.active_at(when):
            raise EmergencyAccessNotOpen(
                f"emergency_access_not_open: emergency access {grant_id} is not open"
            )
        self.record(self.EmergencyAccessEnded, by, when, grant_id=grant_id)
