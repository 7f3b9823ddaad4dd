"""The case row that the case index, case plan and caseload views share: its
columns (status, risk, lead worker, department, plan version and review date), its
values when a case opens, and the handlers that change it. One copy of these rules,
so the views agree on what "open", "active" and "overdue" mean."""

from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, String

from casework.aggregates.case import Case, CaseStatus
from casework.projections.machinery.column_types import Id, UtcDateTime

Row = dict[str, Any]


def case_columns() -> list[Column[Any]]:
    return [
        Column("case_id", Id, primary_key=True),
        Column("centre_id", Id, nullable=False),
        Column("department_id", Id, nullable=False, index=True),
        Column("lead_worker_id", Id, nullable=False, index=True),
        Column("status", String(16), nullable=False),
        Column("risk_level", String(16), nullable=False),
        Column("opened_at", UtcDateTime, nullable=False),
        Column("closed_at", UtcDateTime),
        Column("reopenings", Integer, nullable=False),
        Column("assessments", Integer, nullable=False),
        Column("plan_version", Integer),  # the active version
        Column("pending_plan_version", Integer),
        Column("pending_review_on", Date),  # the pending version's, for when it is approved
        Column("next_review_on", Date),
        Column("closure_reason", String(32)),
        Column("closure_pending_approval", Boolean, nullable=False),
    ]


def opened_row(e: Any) -> Row:
    return {
        "case_id": e.originator_id,
        "centre_id": e.centre_id,
        "department_id": e.department_id,
        "lead_worker_id": e.lead_worker_id,
        "status": CaseStatus.INTAKE.value,
        "risk_level": e.risk_level.value,
        "opened_at": e.occurred_at,
        "closed_at": None,
        "reopenings": 0,
        "assessments": 0,
        "plan_version": None,
        "pending_plan_version": None,
        "pending_review_on": None,
        "next_review_on": None,
        "closure_reason": None,
        "closure_pending_approval": False,
    }


def _rerated(row: Row, e: Any) -> None:
    row["risk_level"] = e.risk_level.value


def _assessed(row: Row, e: Any) -> None:
    row["assessments"] += 1
    if row["status"] == CaseStatus.INTAKE:
        row["status"] = CaseStatus.ASSESSED.value


def _plan_proposed(row: Row, e: Any) -> None:
    review_on = min((g.review_date for g in e.goals), default=None)
    if e.needs_approval:
        row.update(pending_plan_version=e.plan_version, pending_review_on=review_on)
        return
    row.update(
        plan_version=e.plan_version,
        pending_plan_version=None,
        pending_review_on=None,
        next_review_on=review_on,
        status=CaseStatus.ACTIVE.value,
    )


def _plan_approved(row: Row, e: Any) -> None:
    if row["pending_plan_version"] == e.plan_version:
        row["next_review_on"] = row["pending_review_on"]
    row.update(
        plan_version=e.plan_version,
        pending_plan_version=None,
        pending_review_on=None,
        status=CaseStatus.ACTIVE.value,
    )


def _plan_reviewed(row: Row, e: Any) -> None:
    if e.plan_version == row["plan_version"]:
        row["next_review_on"] = e.next_review_on


def _lead_changed(row: Row, e: Any) -> None:
    row["lead_worker_id"] = e.lead_worker_id


def _closure_requested(row: Row, e: Any) -> None:
    row["closure_reason"] = e.reason.value
    if e.needs_approval:
        row.update(status=CaseStatus.CLOSING.value, closure_pending_approval=True)
    else:
        row.update(status=CaseStatus.CLOSED.value, closed_at=e.occurred_at)


def _closure_approved(row: Row, e: Any) -> None:
    row.update(
        status=CaseStatus.CLOSED.value, closure_pending_approval=False, closed_at=e.occurred_at
    )


def _reopened(row: Row, e: Any) -> None:
    row["reopenings"] += 1
    row["closed_at"] = None
    row["closure_reason"] = None
    if row["plan_version"] is not None:
        row["status"] = CaseStatus.ACTIVE.value
    elif row["assessments"]:
        row["status"] = CaseStatus.ASSESSED.value
    else:
        row["status"] = CaseStatus.INTAKE.value


CHANGES = {
    Case.RiskRerated: _rerated,
    Case.AssessmentRecorded: _assessed,
    Case.PlanVersionProposed: _plan_proposed,
    Case.PlanVersionApproved: _plan_approved,
    Case.PlanReviewed: _plan_reviewed,
    Case.LeadWorkerChanged: _lead_changed,
    Case.ClosureRequested: _closure_requested,
    Case.ClosureApproved: _closure_approved,
    Case.Reopened: _reopened,
}
