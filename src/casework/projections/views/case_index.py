"""Case index: the list behind "my cases" and "department cases", with filters by
status, risk, department, worker and overdue review. Client lookup goes through the
blind indexes first and narrows this list by the case ids found there."""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    false,
    or_,
    select,
)

from casework.aggregates.case import OPEN_STATUSES, Case
from casework.projections.machinery.column_types import Id, UtcDateTime
from casework.projections.machinery.view_base import Handler, Item, View
from casework.projections.views import shared_case_row

_OPEN = [s.value for s in OPEN_STATUSES]


class CaseOrder(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    RISK = "risk"
    NEXT_REVIEW = "next_review"
    LAST_NOTE = "last_note"


_RISK_FIRST = {"critical": 0, "high": 1, "medium": 2, "low": 3}
# What each order's key holds before the case id, as a cursor carries it: an instant
# or a day (ISO text, "" for none), whether the value is missing (missing sorts last),
# or a risk's rank.
_KEY_PARTS = {
    CaseOrder.NEWEST: ("instant",),
    CaseOrder.OLDEST: ("instant",),
    CaseOrder.RISK: ("rank", "instant"),
    CaseOrder.NEXT_REVIEW: ("missing", "day"),
    CaseOrder.LAST_NOTE: ("missing", "instant"),
}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a key of this order")
    return value


def _kind(of: type, value: Any) -> Any:
    if type(value) is not of:
        raise ValueError("not a key of this order")
    return value


_READ_PART: dict[str, Callable[[Any], Any]] = {
    "instant": lambda v: datetime.fromisoformat(_text(v)) if v else None,
    "day": lambda v: date.fromisoformat(_text(v)) if v else None,
    "missing": lambda v: _kind(bool, v),
    "rank": lambda v: _kind(int, v),
    "id": lambda v: UUID(_text(v)),
}


def _iso(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def order_key(listing: "CaseListing", order: CaseOrder) -> tuple[Any, ...]:
    """Where `listing` stands in `order`, in JSON scalars (what a cursor carries)."""
    parts: dict[CaseOrder, tuple[Any, ...]] = {
        CaseOrder.NEWEST: (_iso(listing.opened_at),),
        CaseOrder.OLDEST: (_iso(listing.opened_at),),
        CaseOrder.RISK: (_RISK_FIRST[listing.risk_level], _iso(listing.opened_at)),
        CaseOrder.NEXT_REVIEW: (listing.next_review_on is None, _iso(listing.next_review_on)),
        CaseOrder.LAST_NOTE: (listing.last_note_at is None, _iso(listing.last_note_at)),
    }
    return (*parts[order], str(listing.case_id))


def _read_key(order: CaseOrder, key: tuple[Any, ...]) -> list[Any]:
    """A key from `order_key` back in the columns' values; ValueError if it is none."""
    kinds = (*_KEY_PARTS[order], "id")
    if len(key) != len(kinds):
        raise ValueError("not a key of this order")
    return [_READ_PART[kind](part) for kind, part in zip(kinds, key, strict=True)]


@dataclass(frozen=True)
class Reach:
    """The cases someone could possibly see, as this view finds them: every case, or
    those of `centre_id`, of `department_id`, led by or with on their team (now or
    before) one of `workers`, or where `grantee` broke the glass (even if it expired)."""

    everything: bool = False
    centre_id: UUID | None = None
    department_id: UUID | None = None
    workers: frozenset[UUID] = frozenset()
    grantee: UUID | None = None


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
        # Who broke the glass on which case: what a list asks besides the team.
        self.grants_table = self.table(
            "emergency_access",
            Column("grant_id", Id, primary_key=True),
            Column("case_id", Id, nullable=False),
            Column("staff_id", Id, nullable=False, index=True),
        )
        self.cases = self.keyed(self.cases_table)
        self.team = self.partitioned(self.team_table, "case_id")
        self.grants = self.appended(self.grants_table)

    def handles(self) -> dict[type, Handler]:
        handlers: dict[type, Handler] = dict.fromkeys(shared_case_row.CHANGES, self.changed)
        handlers.update(
            {
                Case.Opened: self.opened,
                Case.NoteRecorded: self.noted,
                Case.TeamMemberAdded: self.member_added,
                Case.TeamMemberRemoved: self.member_removed,
                Case.EmergencyAccessStarted: self.glass_broken,
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

    def glass_broken(self, item: Item) -> None:
        e = item.event
        self.grants.add(
            {"grant_id": e.grant_id, "case_id": e.originator_id, "staff_id": e.staff_id}
        )

    # -- reading -------------------------------------------------------------------

    def find(
        self,
        connection: Connection,
        *,
        status: Collection[str] = (),
        open_only: bool = False,
        risk: Collection[str] = (),
        department_id: UUID | None = None,
        lead_worker_id: UUID | None = None,
        worker_id: UUID | None = None,
        overdue_on: date | None = None,
        case_ids: Collection[UUID] | None = None,
        reach: Reach | None = None,
        order: CaseOrder = CaseOrder.NEWEST,
        after: tuple[Any, ...] | None = None,
        limit: int = 500,
    ) -> list[CaseListing]:
        """Cases matching every filter given, in `order`, from just after the line whose
        `order_key` is `after` (ValueError if it is no key of that order). `worker_id`
        matches the lead worker and current team members; `overdue_on` keeps open cases
        whose plan review fell due before that day; `case_ids` narrows to a blind-index
        lookup's result, `reach` to the cases a reader could see."""
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
        if lead_worker_id is not None:
            query = query.where(c.lead_worker_id == lead_worker_id)
        if worker_id is not None:
            t = self.team_table.c
            on_team = select(t.case_id).where(t.staff_id == worker_id, t.removed_at.is_(None))
            query = query.where(or_(c.lead_worker_id == worker_id, c.case_id.in_(on_team)))
        if overdue_on is not None:
            query = query.where(c.status.in_(_OPEN), c.next_review_on < overdue_on)
        if case_ids is not None:
            query = query.where(c.case_id.in_(list(case_ids)))
        if reach is not None and not reach.everything:
            values = self._reach_values(reach)
            query = query.where(self._reach_clause(frozenset(values))).params(values)
        terms = self._sorted_by(order)
        if after is not None:
            query = query.where(_beyond(terms, _read_key(order, after)))
        query = query.order_by(*(t.desc() if down else t for t, down in terms)).limit(limit)
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

    def _sorted_by(self, order: CaseOrder) -> list[tuple[ColumnElement[Any], bool]]:
        """The terms `order` sorts by (each with whether it descends), the case id
        last, so no two lines share a place."""
        c = self.cases_table.c
        terms: dict[CaseOrder, list[tuple[ColumnElement[Any], bool]]] = {
            CaseOrder.NEWEST: [(c.opened_at, True)],
            CaseOrder.OLDEST: [(c.opened_at, False)],
            CaseOrder.RISK: [(case(_RISK_FIRST, value=c.risk_level), False), (c.opened_at, True)],
            CaseOrder.NEXT_REVIEW: [(c.next_review_on.is_(None), False), (c.next_review_on, False)],
            CaseOrder.LAST_NOTE: [(c.last_note_at.is_(None), False), (c.last_note_at, True)],
        }
        return [*terms[order], (c.case_id, False)]

    def within(self, connection: Connection, reach: Reach) -> list[UUID]:
        """The ids of the cases in `reach`, oldest first."""
        values = self._reach_values(reach)
        parts = frozenset(values)

        def build() -> Select[tuple[UUID]]:
            c = self.cases_table.c
            query = select(c.case_id).order_by(c.opened_at, c.case_id)
            return query if reach.everything else query.where(self._reach_clause(parts))

        query = self.statement(("within", reach.everything, parts), build)
        return list(connection.scalars(query, values))

    def _reach_values(self, reach: Reach) -> dict[str, Any]:
        """The values of the parts of `reach` that narrow it (none if everything)."""
        values: dict[str, Any] = {}
        if reach.everything:
            return values
        if reach.centre_id is not None:
            values["centre_id"] = reach.centre_id
        if reach.department_id is not None:
            values["department_id"] = reach.department_id
        if reach.workers:
            values["workers"] = list(reach.workers)
        if reach.grantee is not None and not self.outdated:  # no such table before
            values["grantee"] = reach.grantee
        return values

    def _reach_clause(self, parts: frozenset[str]) -> ColumnElement[bool]:
        """The cases in a reach of these parts, their values bound by name."""
        c, t = self.cases_table.c, self.team_table.c
        clauses: list[ColumnElement[bool]] = []
        if "centre_id" in parts:
            clauses.append(c.centre_id == bindparam("centre_id"))
        if "department_id" in parts:
            clauses.append(c.department_id == bindparam("department_id"))
        if "workers" in parts:
            workers = bindparam("workers", expanding=True)
            on_team = select(t.case_id).where(t.staff_id.in_(workers))
            clauses += [c.lead_worker_id.in_(workers), c.case_id.in_(on_team)]
        if "grantee" in parts:
            g = self.grants_table.c
            granted = select(g.case_id).where(g.staff_id == bindparam("grantee"))
            clauses.append(c.case_id.in_(granted))
        return or_(false(), *clauses)


def _beyond(terms: list[tuple[ColumnElement[Any], bool]], values: list[Any]) -> ColumnElement[bool]:
    """The lines after the one whose terms hold `values`: equal in the first terms and
    beyond it in the next. Nothing is beyond a missing value within its term, and only
    a missing one is beyond a present one (`missing` terms ascend)."""
    beyond = []
    for i, (term, descending) in enumerate(terms):
        value = values[i]
        if value is None or value is True:
            continue
        before = zip(terms[:i], values[:i], strict=True)
        equal = [t.is_(None) if v is None else t == v for (t, _), v in before]
        if value is False:
            beyond.append(and_(*equal, term))
        else:
            beyond.append(and_(*equal, term < value if descending else term > value))
    return or_(false(), *beyond)
