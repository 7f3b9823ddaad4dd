"""What can be read of a case without changing it: its plan and review dates, what the
client's consent covers, who is on the team or has emergency access at an instant, and
the content of a record as a reviewer judges it."""

from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec

from casework.aggregates.base import InvalidValue
from casework.aggregates.case.errors import ConsentMissing, RecordNotFound
from casework.aggregates.case.record_kind import REVIEWABLE_KINDS, RecordKind
from casework.aggregates.case.values import (
    OPEN_STATUSES,
    Assessment,
    CaseStatus,
    Closure,
    ClosureContent,
    Consent,
    EmergencyAccess,
    Note,
    PlanContent,
    PlanReview,
    PlanState,
    PlanVersion,
    TeamMember,
)
from casework.aggregates.discipline import Discipline


class CaseQueries:
    """The queries of `Case`, mixed into it: its state is declared and changed there."""

    if TYPE_CHECKING:  # what the queries read of the case's state
        id: UUID
        department_id: UUID
        status: CaseStatus
        consent: Consent | None
        assessments: dict[UUID, Assessment]
        plan_versions: list[PlanVersion]
        plan_reviews: list[PlanReview]
        notes: dict[UUID, Note]
        team: list[TeamMember]
        closures: list[Closure]
        emergency_access: list[EmergencyAccess]

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
            missing,
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

    def record_content(self, kind: RecordKind | str, record_id: UUID) -> tuple[int, bytes]:
        """The revision of a record and the canonical bytes of what a reviewer judges
        (including addenda), so a later amendment shows as a different hash."""
        if kind not in REVIEWABLE_KINDS:
            kinds = ", ".join(k for k in RecordKind if k in REVIEWABLE_KINDS)
            raise InvalidValue("kind", f"must be one of {kinds}")
        encode = msgspec.json.encode
        if kind == RecordKind.PLAN:
            if record_id != self.id or not self.plan_versions:
                raise RecordNotFound(f"case {self.id} has no plan yet")
            latest = self.plan_versions[-1]
            return latest.version, encode(PlanContent(latest.version, latest.goals))
        if kind == RecordKind.CLOSURE:
            closure = next((c for c in self.closures if c.closure_id == record_id), None)
            if closure is None:
                raise RecordNotFound(f"no closure {record_id} in this case")
            content = ClosureContent(
                closure.reason, closure.outcomes, closure.summary, closure.amendments
            )
            return 1 + len(closure.amendments), encode(content)
        records = self.notes if kind == RecordKind.NOTE else self.assessments
        record = records.get(record_id)
        if record is None:
            raise RecordNotFound(f"no {kind} {record_id} in this case")
        return 1 + len(record.addenda), encode(record)
