"""Multidisciplinary case plan: per case, the plan versions in force (active, and one
awaiting approval), each goal's discipline, responsible person, target and review
dates and outcome, the approval state, and whether the approved version has been
amended since. Goal titles and interventions are text: only their counts are here."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    or_,
    select,
)

from casework.aggregates.case import OPEN_STATUSES, Case, PlanState
from casework.aggregates.review import RecordKind, Review
from casework.projections.machinery.column_types import Id
from casework.projections.machinery.view_base import Handler, Item, View
from casework.projections.views import shared_case_row

_OPEN = [s.value for s in OPEN_STATUSES]


@dataclass(frozen=True)
class PlannedGoal:
    goal_id: UUID
    plan_version: int
    plan_state: str
    discipline: str
    responsible_id: UUID
    target_date: date
    review_date: date
    interventions: int
    outcome: str | None


@dataclass(frozen=True)
class CasePlan:
    case_id: UUID
    status: str
    active_version: int | None
    pending_version: int | None
    latest_version: int | None
    approved_version: int | None
    amended_since_approval: bool
    next_review_on: date | None
    goals: list[PlannedGoal]


@dataclass(frozen=True)
class OverdueItem:
    case_id: UUID
    goal_id: UUID
    responsible_id: UUID
    discipline: str
    what: str  # "target" or "review"
    due: date


class CasePlanView(View):
    name = "case_plan"
    title = "Multidisciplinary case plan (goals x disciplines x responsible person)"

    def define(self) -> None:
        self.plans_table = self.table(
            "plans",
            *shared_case_row.case_columns(),
            Column("latest_version", Integer),
            Column("approved_version", Integer),
            Column("approved_review_id", Id),
            Column("amended_since_approval", Boolean, nullable=False),
        )
        self.goals_table = self.table(
            "goals",
            Column("case_id", Id, primary_key=True),
            Column("plan_version", Integer, primary_key=True, autoincrement=False),
            Column("goal_id", Id, primary_key=True),
            Column("plan_state", String(24), nullable=False),
            Column("discipline", String(32), nullable=False),
            Column("responsible_id", Id, nullable=False, index=True),
            Column("target_date", Date, nullable=False),
            Column("review_date", Date, nullable=False),
            Column("interventions", Integer, nullable=False),
            Column("outcome", String(24)),
        )
        self.reviews_table = self.table(
            "plan_reviews",
            Column("review_id", Id, primary_key=True),
            Column("case_id", Id, nullable=False, index=True),
        )
        self.plans = self.keyed(self.plans_table)
        self.goals = self.partitioned(self.goals_table, "case_id")
        self.reviews = self.keyed(self.reviews_table)

    def handles(self) -> dict[type, Handler]:
        handlers: dict[type, Handler] = dict.fromkeys(shared_case_row.CHANGES, self.changed)
        handlers.update(
            {
                Case.Opened: self.opened,
                Case.PlanVersionProposed: self.proposed,
                Case.PlanVersionApproved: self.approved,
                Case.ClosureRequested: self.closing,
                Case.ClosureAmended: self.closing,
                Review.Begun: self.review_begun,
                Review.Approved: self.review_approved,
            }
        )
        return handlers

    def prepare(self, items: list[Item], new: Collection[UUID]) -> None:
        cases = {i.case_id for i in items if i.case_id is not None}
        self.plans.prime(cases, new)
        self.goals.prime(cases, new)
        self.reviews.prime(i.event.originator_id for i in items if type(i.event) is Review.Approved)

    def _plan(self, case_id: UUID) -> dict[str, Any]:
        row = self.plans.get(case_id)
        if row is None:
            raise LookupError(f"case_plan has no case {case_id}")
        self.plans.put(row)
        return row

    def opened(self, item: Item) -> None:
        row = shared_case_row.opened_row(item.event)
        row.update(
            latest_version=None,
            approved_version=None,
            approved_review_id=None,
            amended_since_approval=False,
        )
        self.plans.put(row)
        self.goals.replace(row["case_id"], [])

    def changed(self, item: Item) -> None:
        shared_case_row.CHANGES[type(item.event)](self._plan(item.event.originator_id), item.event)

    def proposed(self, item: Item) -> None:
        e = item.event
        row = self._plan(e.originator_id)
        shared_case_row.CHANGES[Case.PlanVersionProposed](row, e)
        row["latest_version"] = e.plan_version
        row["amended_since_approval"] = row["approved_version"] is not None
        # Mirrors the case: a waiting proposal is replaced; the active plan stays
        # until the new version is active.
        kept = [
            g
            for g in self.goals.get(e.originator_id)
            if g["plan_state"] == PlanState.ACTIVE and e.needs_approval
        ]
        state = PlanState.PENDING_APPROVAL if e.needs_approval else PlanState.ACTIVE
        kept += [
            {
                "case_id": e.originator_id,
                "plan_version": e.plan_version,
                "goal_id": g.goal_id,
                "plan_state": state.value,
                "discipline": g.discipline.value,
                "responsible_id": g.responsible_id,
                "target_date": g.target_date,
                "review_date": g.review_date,
                "interventions": len(g.interventions),
                "outcome": None,
            }
            for g in e.goals
        ]
        self.goals.replace(e.originator_id, kept)

    def approved(self, item: Item) -> None:
        e = item.event
        row = self._plan(e.originator_id)
        shared_case_row.CHANGES[Case.PlanVersionApproved](row, e)
        self._approve(row, e.plan_version, e.review_id)
        goals = [
            {**g, "plan_state": PlanState.ACTIVE.value}
            for g in self.goals.get(e.originator_id)
            if g["plan_version"] == e.plan_version
        ]
        self.goals.replace(e.originator_id, goals)

    def _approve(self, row: dict[str, Any], version: int, review_id: UUID) -> None:
        row.update(
            approved_version=version,
            approved_review_id=review_id,
            amended_since_approval=row["latest_version"] != version,
        )

    def closing(self, item: Item) -> None:
        e = item.event
        if type(e) is Case.ClosureRequested:
            shared_case_row.CHANGES[Case.ClosureRequested](self._plan(e.originator_id), e)
        outcomes = {o.goal_id: o.outcome.value for o in e.outcomes}
        for g in self.goals.get(e.originator_id):
            if g["plan_state"] == PlanState.ACTIVE and g["goal_id"] in outcomes:
                g["outcome"] = outcomes[g["goal_id"]]
        self.goals.touch(e.originator_id)

    def review_begun(self, item: Item) -> None:
        e = item.event
        if e.record_kind == RecordKind.PLAN:
            self.reviews.put({"review_id": e.originator_id, "case_id": e.case_id})

    def review_approved(self, item: Item) -> None:
        review = self.reviews.get(item.event.originator_id)
        if review is not None:
            row = self._plan(review["case_id"])
            self._approve(row, item.event.revision, item.event.originator_id)

    # -- reading -------------------------------------------------------------------

    def plan_of(self, connection: Connection, case_id: UUID) -> CasePlan | None:
        plan, goals_of = self.statement("plan_of", self._plan_of)
        row = connection.execute(plan, {"case_id": case_id}).first()
        if row is None:
            return None
        goals = connection.execute(goals_of, {"case_id": case_id})
        return CasePlan(
            case_id=row.case_id,
            status=row.status,
            active_version=row.plan_version,
            pending_version=row.pending_plan_version,
            latest_version=row.latest_version,
            approved_version=row.approved_version,
            amended_since_approval=row.amended_since_approval,
            next_review_on=row.next_review_on,
            goals=[
                PlannedGoal(
                    goal_id=r.goal_id,
                    plan_version=r.plan_version,
                    plan_state=r.plan_state,
                    discipline=r.discipline,
                    responsible_id=r.responsible_id,
                    target_date=r.target_date,
                    review_date=r.review_date,
                    interventions=r.interventions,
                    outcome=r.outcome,
                )
                for r in goals
            ],
        )

    def _plan_of(self) -> tuple[Select[Any], Select[Any]]:
        """A case's plan row and its goals, `:case_id` bound by each read."""
        p, g = self.plans_table.c, self.goals_table.c
        plan = select(self.plans_table).where(p.case_id == bindparam("case_id"))
        goals = (
            select(self.goals_table)
            .where(g.case_id == bindparam("case_id"))
            .order_by(g.plan_version, g.target_date, g.goal_id)
        )
        return plan, goals

    def overdue(
        self,
        connection: Connection,
        on: date,
        *,
        department_id: UUID | None = None,
        responsible_id: UUID | None = None,
    ) -> list[OverdueItem]:
        """Goals of active plans in open cases whose target (without an outcome) or
        review date fell before `on`."""
        g, p = self.goals_table.c, self.plans_table.c
        query = (
            select(g.case_id, g.goal_id, g.responsible_id, g.discipline, g.target_date)
            .add_columns(g.review_date, g.outcome)
            .join_from(self.goals_table, self.plans_table, g.case_id == p.case_id)
            .where(
                g.plan_state == PlanState.ACTIVE.value,
                p.status.in_(_OPEN),
                or_(g.review_date < on, (g.target_date < on) & g.outcome.is_(None)),
            )
            .order_by(g.case_id, g.goal_id)
        )
        if department_id is not None:
            query = query.where(p.department_id == department_id)
        if responsible_id is not None:
            query = query.where(g.responsible_id == responsible_id)
        found = []
        for r in connection.execute(query):
            due = [("target", r.target_date)] if r.outcome is None else []
            due.append(("review", r.review_date))
            found += [
                OverdueItem(r.case_id, r.goal_id, r.responsible_id, r.discipline, what, day)
                for what, day in due
                if day < on
            ]
        return found
