"""The case aggregate: its state, its events (each with the `apply` that replays it) and
its commands, which check the rules before recording anything."""

from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

import msgspec

from casework.aggregates.base import (
    Actor,
    InvalidValue,
    Record,
    Role,
    aware,
    now,
    required_text,
)
from casework.aggregates.case.errors import (
    AlreadyOnTeam,
    AssessmentRequired,
    CaseClosed,
    CaseNotClosed,
    ClosureNotPending,
    EmergencyAccessNotOpen,
    GoalOutcomeMissing,
    LeadWorkerOnly,
    NotOnTeam,
    PlanVersionNotPending,
    RecordNotFound,
    UnknownGoal,
)
from casework.aggregates.case.queries import CaseQueries
from casework.aggregates.case.record_kind import ADDENDUM_KINDS, RecordKind
from casework.aggregates.case.values import (
    OPEN_STATUSES,
    Addendum,
    Assessment,
    CaseStatus,
    Client,
    Closure,
    ClosureReason,
    Consent,
    DomainRating,
    EmergencyAccess,
    Goal,
    Note,
    NoteKind,
    OutcomeOfGoal,
    PlanReview,
    PlanState,
    PlanVersion,
    ReferralSource,
    Reopening,
    RiskLevel,
    TeamMember,
    TeamScope,
)
from casework.aggregates.discipline import Discipline

LATE_ENTRY_AFTER = timedelta(hours=48)
EMERGENCY_ACCESS_FOR = timedelta(hours=4)
# Clocks differ a little between devices; a note "in the future" beyond this is a mistake.
CLOCK_TOLERANCE = timedelta(minutes=5)

# The topics stored with every case event and snapshot name the module the case lived
# in before it became a package. Stores hold them and the log is queried by them (see
# `record_ids`), so each class keeps its topic explicitly wherever its code lives.
_STORED = "casework.aggregates.case:Case"


def _checked(consent: Consent) -> Consent:
    if consent.given and not consent.disciplines:
        raise InvalidValue("consent disciplines", "say which disciplines the consent covers")
    return consent


class Case(Record, CaseQueries):
    """One case: its state, the events that change it, and the commands that check the
    rules before recording them (its queries are in `CaseQueries`)."""

    TOPIC = _STORED
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
        TOPIC = f"{_STORED}.Opened"

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

    class Created(Record.Created):  # the library's base creation event; Opened is used
        TOPIC = f"{_STORED}.Created"

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
        TOPIC = f"{_STORED}.ClientDetailsCorrected"

        client: Client
        reason: str

        def apply(self, case: "Case") -> None:
            case.clients = [
                self.client if c.client_id == self.client.client_id else c for c in case.clients
            ]

    class ConsentRecorded(Record.Event):
        TOPIC = f"{_STORED}.ConsentRecorded"

        consent: Consent

        def apply(self, case: "Case") -> None:
            case.consent = self.consent
            case.consent_history.append(self.consent)

    class RiskRerated(Record.Event):
        TOPIC = f"{_STORED}.RiskRerated"

        risk_level: RiskLevel
        reason: str

        def apply(self, case: "Case") -> None:
            case.risk_level = self.risk_level
            case.risk_rationale = self.reason

    class AssessmentRecorded(Record.Event):
        TOPIC = f"{_STORED}.AssessmentRecorded"

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

        TOPIC = f"{_STORED}.AddendumAdded"

        record_kind: str  # a RecordKind in ADDENDUM_KINDS, stored as its value
        record_id: UUID
        addendum_id: UUID
        narrative: str
        reason: str

        def apply(self, case: "Case") -> None:
            addendum = Addendum(
                self.addendum_id, self.narrative, self.reason, self.actor_id, self.occurred_at
            )
            records = case.notes if self.record_kind == RecordKind.NOTE else case.assessments
            original = records[self.record_id]
            records[self.record_id] = msgspec.structs.replace(
                original, addenda=[*original.addenda, addendum]
            )

    class PlanVersionProposed(Record.Event):
        TOPIC = f"{_STORED}.PlanVersionProposed"

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
        TOPIC = f"{_STORED}.PlanVersionApproved"

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
        TOPIC = f"{_STORED}.PlanReviewed"

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
        TOPIC = f"{_STORED}.NoteRecorded"

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
        TOPIC = f"{_STORED}.TeamMemberAdded"

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
        TOPIC = f"{_STORED}.TeamMemberRemoved"

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
        TOPIC = f"{_STORED}.LeadWorkerChanged"

        lead_worker_id: UUID
        reason: str

        def apply(self, case: "Case") -> None:
            case.lead_worker_id = self.lead_worker_id

    class ClosureRequested(Record.Event):
        TOPIC = f"{_STORED}.ClosureRequested"

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
        TOPIC = f"{_STORED}.ClosureAmended"

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
        TOPIC = f"{_STORED}.ClosureApproved"

        closure_id: UUID
        review_id: UUID

        def apply(self, case: "Case") -> None:
            case.closures[-1] = msgspec.structs.replace(
                case.closures[-1], approved_by_review=self.review_id
            )
            case.status = CaseStatus.CLOSED

    class Reopened(Record.Event):
        TOPIC = f"{_STORED}.Reopened"

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
        TOPIC = f"{_STORED}.EmergencyAccessStarted"

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
        TOPIC = f"{_STORED}.EmergencyAccessEnded"

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
                f"the case is {self.status.value}; {what} cannot be recorded "
                "on it (reopen it first)",
                status=self.status.value,
            )

    def _require_lead(self, by: Actor, what: str) -> None:
        if by.staff_id != self.lead_worker_id and by.role != Role.DEPARTMENT_HEAD:
            raise LeadWorkerOnly(f"only the lead caseworker or the department head may {what}")

    def correct_client_details(
        self, by: Actor, client: Client, reason: str, occurred_at: datetime | None = None
    ) -> None:
        if all(c.client_id != client.client_id for c in self.clients):
            raise RecordNotFound(f"no client {client.client_id} in this case")
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
        record_kind: RecordKind | str,
        record_id: UUID,
        narrative: str,
        reason: str,
        occurred_at: datetime | None = None,
    ) -> UUID:
        if record_kind not in ADDENDUM_KINDS:
            raise InvalidValue("record_kind", "addenda correct a note or an assessment")
        record_kind = RecordKind(record_kind)
        records = self.notes if record_kind == RecordKind.NOTE else self.assessments
        if record_id not in records:
            raise RecordNotFound(f"no {record_kind} {record_id} in this case")
        self._require_open("an addendum")
        addendum_id = uuid4()
        self.record(
            self.AddendumAdded,
            by,
            occurred_at,
            record_kind=record_kind.value,
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
            raise AssessmentRequired("assess the case before writing its plan")
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
                f"plan version {plan_version} is not waiting for approval",
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
            raise RecordNotFound("the case has no active plan to review")
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
                raise UnknownGoal(f"goal {goal_id} is not in the case plan")
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
            raise AlreadyOnTeam(f"{staff_id} is already on the team for {discipline.value}")
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
            raise NotOnTeam(f"{staff_id} is not on the team for {discipline}")
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
            raise UnknownGoal(f"goals {unknown} are not in the active plan")
        missing = [g.title for gid, g in goals.items() if gid not in {o.goal_id for o in outcomes}]
        if missing:
            raise GoalOutcomeMissing(
                "give the outcome of every goal of the plan: " + ", ".join(missing),
                goals=missing,
            )

    def _pending_closure(self, closure_id: UUID) -> Closure:
        closure = self.closures[-1] if self.closures else None
        if self.status != CaseStatus.CLOSING or closure is None or closure.closure_id != closure_id:
            raise ClosureNotPending(f"closure {closure_id} is not waiting for approval")
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
            raise ClosureNotPending("no closure is waiting for approval")
        self.record(
            self.ClosureApproved,
            by,
            occurred_at,
            closure_id=closure.closure_id,
            review_id=review_id,
        )

    def reopen(self, by: Actor, reason: str, occurred_at: datetime | None = None) -> None:
        if self.status not in (CaseStatus.CLOSED, CaseStatus.CLOSING):
            raise CaseNotClosed(f"the case is {self.status.value}")
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
            raise EmergencyAccessNotOpen(f"emergency access {grant_id} is not open")
        self.record(self.EmergencyAccessEnded, by, when, grant_id=grant_id)
