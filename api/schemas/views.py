"""What the view reads answer with (`/api/v1/views`): the views' lines as they are
stored (hops, timeline entries and sessions are the views' own), with the clients'
names and goal titles the reader may see. A list is one page and the cursor of the
next (`next`, also in the `Link` header); no `next`: the end."""

from datetime import date, datetime
from uuid import UUID

import msgspec

from casework.aggregates.case import CaseStatus, RiskLevel
from casework.projections.views.audit_timeline import TimelineEntry
from casework.projections.views.referral_chains import Hop
from casework.projections.views.supervision_history import SessionSummary


class CaseListing(msgspec.Struct, kw_only=True, frozen=True):
    case_id: UUID
    department_id: UUID
    lead_worker_id: UUID
    status: CaseStatus
    risk_level: RiskLevel
    opened_at: datetime
    next_review_on: date | None
    last_note_at: datetime | None
    notes: int
    plan_version: int | None
    plan_pending_approval: bool


class IndexedCase(CaseListing, kw_only=True, frozen=True):
    client_names: list[str]


class CasePage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[IndexedCase]
    next: str | None


class GoalInPlan(msgspec.Struct, kw_only=True, frozen=True):
    goal_id: UUID
    title: str
    plan_version: int
    plan_state: str
    discipline: str
    responsible_id: UUID
    target_date: date
    review_date: date
    interventions: int
    outcome: str | None


class CasePlanView(msgspec.Struct, kw_only=True, frozen=True):
    case_id: UUID
    status: CaseStatus
    active_version: int | None
    pending_version: int | None
    latest_version: int | None
    approved_version: int | None
    amended_since_approval: bool
    next_review_on: date | None
    goals: list[GoalInPlan]
    withheld_summary: str


class HopPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[Hop]
    next: str | None


class TimelinePage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[TimelineEntry]
    next: str | None


class SessionPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[SessionSummary]
    next: str | None


class Caseload(msgspec.Struct, kw_only=True, frozen=True):
    """One worker's (`holder_id` a staff id) or department's open cases."""

    holder_id: UUID
    open_cases: int
    open_by_risk: dict[str, int]
    open_by_status: dict[str, int]
    overdue_reviews: int
    awaiting_review: int


class MonthlyCount(msgspec.Struct, kw_only=True, frozen=True):
    month: str
    indicator: str
    detail: str
    count: int


class CaseloadReport(msgspec.Struct, kw_only=True, frozen=True):
    """The report as the log stood at `position`, judged on `on`, over the cases the
    reader may see: a pinned position and a day give the same numbers ever after."""

    position: int
    pinned: bool
    on: date
    by_worker: list[Caseload]
    by_department: list[Caseload]
    monthly: list[MonthlyCount]
