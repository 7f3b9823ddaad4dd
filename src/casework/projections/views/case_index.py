"""Case index: the list behind "my cases" and "department cases", with filters by
status, risk, department, worker and overdue review. Client lookup goes through the
blind indexes first and narrows this list by the case ids found there."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Integer, String, or_, select

from casework.aggregates.case import OPEN_STATUSES, Case
from casework.projections.machinery.column_types import Id, UtcDateTime
from casework.projections.machinery.view_base import Handler, Item, View
from casework.projections.views import shared_case_row

_OPEN = [s.value for s in OPEN_STATUSES]


@dataclass(frozen=True)
class CaseListing:
    case_id: UUID
    department_id: UUID
    lead_worker_id: UUID
    status: str
    risk_level: str
    opened_at: datetime
    next_review_on: date | None
    last_note_at: datetime | None
    notes: int
    plan_version: int | None
    plan_pending_approval: bool


class CaseIndexView(View):
    name = "case_index"
    title = "Case index (my cases, department cases, filters)"

    def define(self) -> None:
        self.cases_table = self.table(
            "cases",
            *shared_case_row.case_columns(),
            Column("referral_source", String(32), nullable=False),
            Column("notes", Integer, nullable=False),
            Column("last_note_at", UtcDateTime),
            Column("updated_at", UtcDateTime, nullable=False),
        )
        self.team_table = self.table(
            "team",
            Column("case_id", Id, primary_key=True),
            Column("staff_id", Id, primary_key=True, index=True),
            Column("discipline", String(32), primary_key=True),
            Column("scope", String(16), nullable=False),
            Column("added_at", UtcDateTime, nullable=False),
            Column("ends_at", UtcDateTime),
            Column("removed_at", UtcDateTime),
        )
        self.cases = self.keyed(self.cases_table)
        self.team = self.partitioned(self.team_table, "case_id")

    def handles(self) -> dict[type, Handler]:
        handlers: dict[type, Handler] = dict.fromkeys(shared_case_row.CHANGES, self.changed)
        handlers.update(
            {
                Case.Opened: self.opened,
                Case.NoteRecorded: self.noted,
                Case.TeamMemberAdded: self.member_added,
                Case.TeamMemberRemoved: self.member_removed,
            }
        )
        return handlers

    def prepare(self, items: list[Item], new: Collection[UUID]) -> None:
        ids = {i.event.originator_id for i in items if type(i.event) in self.handlers}
        self.cases.prime(ids, new)
        self.team.prime(ids, new)

    def _case(self, item: Item) -> dict[str, Any]:
        row = self.cases.get(item.event.originator_id)
        if row is None:
            raise LookupError(f"case_index has no case {item.event.originator_id}")
        row["updated_at"] = item.event.timestamp
        self.cases.put(row)
        return row

    def opened(self, item: Item) -> None:
        e = item.event
        row = shared_case_row.opened_row(e)
        row.update(
            referral_source=e.referral_source.value,
            notes=0,
            last_note_at=None,
            updated_at=e.timestamp,
        )
        self.cases.put(row)
        self.team.replace(e.originator_id, [])

    def changed(self, item: Item) -> None:
        shared_case_row.CHANGES[type(item.event)](self._case(item), item.event)

    def noted(self, item: Item) -> None:
        row = self._case(item)
        row["notes"] += 1
        at = item.event.occurred_at
        if row["last_note_at"] is None or at > row["last_note_at"]:
            row["last_note_at"] = at

    def member_added(self, item: Item) -> None:
        e = item.event
        members = [
            m
            for m in self.team.get(e.originator_id)
            if (m["staff_id"], m["discipline"]) != (e.staff_id, e.discipline.value)
        ]
        members.append(
            {
                "case_id": e.originator_id,
                "staff_id": e.staff_id,
                "discipline": e.discipline.value,
                "scope": e.scope.value,
                "added_at": e.occurred_at,
                "ends_at": e.ends_at,
                "removed_at": None,
            }
        )
        self.team.replace(e.originator_id, members)

    def member_removed(self, item: Item) -> None:
        e = item.event
        for m in self.team.get(e.originator_id):
            if m["staff_id"] == e.staff_id and m["discipline"] == e.discipline.value:
                m["removed_at"] = e.occurred_at
        self.team.touch(e.originator_id)

    # -- reading -------------------------------------------------------------------

    def find(
        self,
        connection: Connection,
        *,
        status: Collection[str] = (),
        open_only: bool = False,
        risk: Collection[str] = (),
        department_id: UUID | None = None,
        worker_id: UUID | None = None,
        overdue_on: date | None = None,
        case_ids: Collection[UUID] | None = None,
        limit: int = 500,
    ) -> list[CaseListing]:
        """Cases matching every filter given. `worker_id` matches the lead worker and
        current team members; `overdue_on` keeps open cases whose plan review fell due
        before that day; `case_ids` narrows to a blind-index lookup's result."""
        c = self.cases_table.c
        query = select(self.cases_table)
        if status:
            query = query.where(c.status.in_(list(status)))
        if open_only:
            query = query.where(c.status.in_(_OPEN))
        if risk:
            query = query.where(c.risk_level.in_(list(risk)))
        if department_id is not None:
            query = query.where(c.department_id == department_id)
        if worker_id is not None:
            t = self.team_table.c
            on_team = select(t.case_id).where(t.staff_id == worker_id, t.removed_at.is_(None))
            query = query.where(or_(c.lead_worker_id == worker_id, c.case_id.in_(on_team)))
        if overdue_on is not None:
            query = query.where(c.status.in_(_OPEN), c.next_review_on < overdue_on)
        if case_ids is not None:
            query = query.where(c.case_id.in_(list(case_ids)))
        query = query.order_by(c.opened_at.desc(), c.case_id).limit(limit)
        return [
            CaseListing(
                case_id=r.case_id,
                department_id=r.department_id,
                lead_worker_id=r.lead_worker_id,
                status=r.status,
                risk_level=r.risk_level,
                opened_at=r.opened_at,
                next_review_on=r.next_review_on,
                last_note_at=r.last_note_at,
                notes=r.notes,
                plan_version=r.plan_version,
                plan_pending_approval=r.pending_plan_version is not None,
            )
            for r in connection.execute(query)
        ]
