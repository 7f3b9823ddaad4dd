"""Caseload and service indicators, per worker and per department: open cases by risk
and stage, overdue plan reviews, records awaiting review, and monthly counts (intakes,
notes by kind, late entries, breaks of the glass, referrals made and received,
closures by reason, supervision sessions).

Every row carries the log position that produced it and none is ever changed, so a
report pinned to a position gives the same numbers however many events come later
(erasure of a case is the one thing that removes rows).
"""

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    Select,
    String,
    bindparam,
    case,
    func,
    select,
)

from casework.aggregates.case import OPEN_STATUSES, Case, NoteKind
from casework.aggregates.referral import HolderKind, Referral
from casework.aggregates.review import Review
from casework.aggregates.supervision import SupervisionSession
from casework.projections.machinery.column_types import Id, Position
from casework.projections.machinery.view_base import Handler, Item, View
from casework.projections.views import shared_case_row

_OPEN = {s.value for s in OPEN_STATUSES}
_REVIEWED = (Review.RevisionRequested, Review.RevisionSubmitted, Review.Approved)
# What a case's history row records; a new row is written only when one changes.
_TRACKED = ("department_id", "lead_worker_id", "status", "risk_level", "next_review_on")


@dataclass
class Caseload:
    """One worker's or one department's caseload at a log position, on a day."""

    open_by_risk: Counter[str] = field(default_factory=Counter)
    open_by_status: Counter[str] = field(default_factory=Counter)
    overdue_reviews: int = 0
    awaiting_review: int = 0

    @property
    def open_cases(self) -> int:
        return sum(self.open_by_status.values())


@dataclass(frozen=True)
class MonthlyCount:
    month: str
    indicator: str
    detail: str
    count: int


@dataclass
class IndicatorReport:
    position: int
    on: date
    by_worker: dict[UUID, Caseload]
    by_department: dict[UUID, Caseload]
    monthly: list[MonthlyCount]


def _month(at: datetime) -> str:
    """The month in the recorder's own time zone (the offset they gave)."""
    return at.isoformat()[:7]


class CaseloadView(View):
    name = "caseload"
    title = "Caseload and service indicators (per worker, per department, per month)"

    def define(self) -> None:
        self.cases_table = self.table(
            "cases",
            *shared_case_row.case_columns(),
            Column("awaiting_review", Integer, nullable=False),
        )
        self.history_table = self.table(
            "case_history",
            # One row per event that changed a case, appended in log order (on SQLite
            # the position is the rowid); looked up by case through the index below.
            Column("position", Position, primary_key=True, autoincrement=False),
            Column("case_id", Id, nullable=False),
            Column("department_id", Id, nullable=False),
            Column("lead_worker_id", Id, nullable=False),
            Column("status", String(16), nullable=False),
            Column("risk_level", String(16), nullable=False),
            Column("next_review_on", Date),
            Column("awaiting_review", Integer, nullable=False),
        )
        h = self.history_table.c
        Index(f"ix_{self.history_table.name}_case_position", h.case_id, h.position)
        self.reviews_table = self.table(
            "reviews",
            Column("review_id", Id, primary_key=True),
            Column("case_id", Id, nullable=False, index=True),
            Column("state", String(24), nullable=False),
        )
        self.facts_table = self.table(
            "facts",
            # Appended only, never looked up by key: the runner's position says what
            # is in; no primary key to maintain on every insert.
            Column("position", Position, nullable=False),
            Column("case_id", Id, index=True),
            Column("month", String(7), nullable=False),
            Column("department_id", Id),
            Column("worker_id", Id),
            Column("indicator", String(32), nullable=False),
            Column("detail", String(32), nullable=False),
            # A note recorded late is one fact, counted as a note and as a late entry.
            Column("late", Boolean, nullable=False),
        )
        self.cases = self.keyed(self.cases_table)
        self.history = self.appended(self.history_table)
        self.reviews = self.keyed(self.reviews_table)
        self.facts = self.appended(self.facts_table)

    def handles(self) -> dict[type, Handler]:
        handlers: dict[type, Handler] = dict.fromkeys(shared_case_row.CHANGES, self.changed)
        handlers.update(
            {
                Case.Opened: self.opened,
                Case.NoteRecorded: self.noted,
                Case.EmergencyAccessStarted: self.glass_broken,
                Referral.Sent: self.referred,
                Review.RevisionRequested: self.reviewed,
                Review.RevisionSubmitted: self.reviewed,
                Review.Approved: self.reviewed,
                SupervisionSession.Recorded: self.supervised,
            }
        )
        return handlers

    def prepare(self, items: list[Item], new: Collection[UUID]) -> None:
        self.cases.prime((i.case_id for i in items if i.case_id is not None), new)
        self.reviews.prime(i.event.originator_id for i in items if type(i.event) in _REVIEWED)

    # -- writing -------------------------------------------------------------------

    def _fact(
        self,
        item: Item,
        indicator: str,
        detail: str = "",
        department_id: UUID | None = None,
        worker_id: UUID | None = None,
        late: bool = False,
    ) -> None:
        self.facts.add(
            {
                "position": item.position,
                "case_id": item.case_id,
                "month": _month(item.event.occurred_at),
                "department_id": department_id,
                "worker_id": worker_id,
                "indicator": indicator,
                "detail": detail,
                "late": late,
            }
        )

    def _record(self, item: Item, row: dict[str, Any], before: tuple[Any, ...]) -> None:
        self.cases.put(row)
        now = tuple(row[k] for k in (*_TRACKED, "awaiting_review"))
        if now != before:
            self.history.add(
                {
                    "case_id": row["case_id"],
                    "position": item.position,
                    **{k: row[k] for k in (*_TRACKED, "awaiting_review")},
                }
            )

    @staticmethod
    def _state(row: dict[str, Any] | None) -> tuple[Any, ...]:
        return () if row is None else tuple(row[k] for k in (*_TRACKED, "awaiting_review"))

    def opened(self, item: Item) -> None:
        e = item.event
        row = shared_case_row.opened_row(e)
        row["awaiting_review"] = 0
        self._record(item, row, ())
        self._fact(item, "intake", e.referral_source.value, e.department_id, e.lead_worker_id)

    def _case(self, item: Item) -> dict[str, Any]:
        row = self.cases.get(item.case_id)
        if row is None:
            raise LookupError(f"caseload has no case {item.case_id}")
        return row

    def changed(self, item: Item) -> None:
        e = item.event
        row = self._case(item)
        before = self._state(row)
        was_closed = row["status"] == "closed"
        pending_before = self._pending(row)
        shared_case_row.CHANGES[type(e)](row, e)
        row["awaiting_review"] += self._pending(row) - pending_before
        self._record(item, row, before)
        if row["status"] == "closed" and not was_closed:
            self._fact(
                item, "closure", row["closure_reason"] or "", row["department_id"], e.actor_id
            )
        if type(e) is Case.Reopened:
            self._fact(item, "reopening", "", row["department_id"], e.actor_id)

    @staticmethod
    def _pending(row: dict[str, Any]) -> int:
        """Approvals a case waits for: a pending plan version, a pending closure."""
        return (row["pending_plan_version"] is not None) + bool(row["closure_pending_approval"])

    def noted(self, item: Item) -> None:
        e = item.event
        row = self._case(item)
        self._fact(item, "note", e.kind.value, row["department_id"], e.actor_id, e.late_entry)

    def glass_broken(self, item: Item) -> None:
        row = self._case(item)
        self._fact(item, "break_glass", "", row["department_id"], item.event.staff_id)

    def referred(self, item: Item) -> None:
        e = item.event
        row = self._case(item)
        sender = e.sender.id if e.sender.kind == HolderKind.DEPARTMENT else row["department_id"]
        self._fact(item, "referral_made", e.receiver.kind.value, sender, e.actor_id)
        receiver = e.receiver.id if e.receiver.kind == HolderKind.DEPARTMENT else None
        self._fact(item, "referral_received", e.receiver.kind.value, receiver, None)

    def reviewed(self, item: Item) -> None:
        """A resubmitted record awaits its reviewer until judged again."""
        e = item.event
        review = self.reviews.get(e.originator_id) or {
            "review_id": e.originator_id,
            "case_id": item.case_id,
            "state": "",
        }
        waiting_before = review["state"] == "resubmitted"
        review["state"] = "resubmitted" if type(e) is Review.RevisionSubmitted else "judged"
        self.reviews.put(review)
        change = (review["state"] == "resubmitted") - waiting_before
        if change:
            row = self._case(item)
            before = self._state(row)
            row["awaiting_review"] += change
            self._record(item, row, before)

    def supervised(self, item: Item) -> None:
        e = item.event
        self._fact(item, "supervision_session", e.session_format.value, None, e.supervisor_id)

    # -- reading -------------------------------------------------------------------

    def report(
        self,
        connection: Connection,
        position: int,
        on: date,
        case_ids: Collection[UUID] | None = None,
    ) -> IndicatorReport:
        """The indicators as the log stood at `position`, judged on day `on`: the same
        arguments give the same numbers, whatever was recorded since. With `case_ids`,
        over those cases only (the ones a reader may see)."""
        by_worker: defaultdict[UUID, Caseload] = defaultdict(Caseload)
        by_department: defaultdict[UUID, Caseload] = defaultdict(Caseload)
        given: dict[str, Any] = {"position": position}
        if case_ids is not None:
            given["case_ids"] = list(case_ids)
        over_cases = case_ids is not None
        rows = self.statement(("history", over_cases), lambda: self._history_at(over_cases))
        for r in connection.execute(rows, given):
            for load in (by_worker[r.lead_worker_id], by_department[r.department_id]):
                load.awaiting_review += r.awaiting_review
                if r.status in _OPEN:
                    load.open_by_risk[r.risk_level] += 1
                    load.open_by_status[r.status] += 1
                    if r.next_review_on is not None and r.next_review_on < on:
                        load.overdue_reviews += 1
        return IndicatorReport(
            position=position,
            on=on,
            by_worker=dict(by_worker),
            by_department=dict(by_department),
            monthly=self.monthly_by(connection, position, case_ids=case_ids),
        )

    def monthly_by(
        self,
        connection: Connection,
        position: int,
        *,
        department_id: UUID | None = None,
        worker_id: UUID | None = None,
        case_ids: Collection[UUID] | None = None,
    ) -> list[MonthlyCount]:
        """Monthly counts for one department or one worker (or over `case_ids` only),
        pinned to `position`."""
        given: dict[str, Any] = {"position": position}
        if department_id is not None:
            given["department_id"] = department_id
        if worker_id is not None:
            given["worker_id"] = worker_id
        if case_ids is not None:
            given["case_ids"] = list(case_ids)
        filters = frozenset(given)
        query = self.statement(("monthly", filters), lambda: self._monthly(filters))
        counts = []
        for month, indicator, detail, count, late_count in connection.execute(query, given):
            counts.append(MonthlyCount(month, indicator, detail, count))
            if late_count:
                counts.append(MonthlyCount(month, "late_entry", detail, late_count))
            if indicator == "note" and detail == NoteKind.GROUP_SESSION:
                counts.append(MonthlyCount(month, "group_session", "", count))
        return sorted(counts, key=lambda m: (m.month, m.indicator, m.detail))

    def _history_at(self, over_cases: bool) -> Select[Any]:
        """Each case's row as the log stood at `:position` (of `:case_ids` only, if
        `over_cases`)."""
        h = self.history_table.c
        later = self.history_table.alias("later")
        latest = (
            select(func.max(later.c.position))
            .where(later.c.case_id == h.case_id, later.c.position <= bindparam("position"))
            .scalar_subquery()
        )
        rows = select(self.history_table).where(h.position == latest)
        if over_cases:
            rows = rows.where(h.case_id.in_(bindparam("case_ids", expanding=True)))
        return rows

    def _monthly(self, filters: frozenset[str]) -> Select[Any]:
        """The monthly counts up to `:position`, filtered by those of `department_id`,
        `worker_id` and `case_ids` among `filters`."""
        f = self.facts_table.c
        late = func.sum(case((f.late, 1), else_=0))
        query = select(f.month, f.indicator, f.detail, func.count(), late)
        query = query.where(f.position <= bindparam("position"))
        if "department_id" in filters:
            query = query.where(f.department_id == bindparam("department_id"))
        if "worker_id" in filters:
            query = query.where(f.worker_id == bindparam("worker_id"))
        if "case_ids" in filters:
            query = query.where(f.case_id.in_(bindparam("case_ids", expanding=True)))
        return query.group_by(f.month, f.indicator, f.detail)
