"""Supervision history: sessions per worker, per supervisor and per case; how many
decisions and action items each had; open and overdue action items; records not yet
signed by everyone; and who is overdue for supervision under their policy.
What was said (notes, decisions, action item wording) is text: not here."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Date, Integer, String, select

from casework.aggregates.staff import Staff
from casework.aggregates.supervision import SupervisionSession
from casework.aggregates.supervision_schedule import SupervisionSchedule, add_months
from casework.projections.machinery.column_types import Id, UtcDateTime
from casework.projections.machinery.view_base import Handler, Item, View

# An unsigned session record is flagged this long after the session.
UNSIGNED_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class SessionSummary:
    session_id: UUID
    supervisor_id: UUID
    session_format: str
    held_at: datetime
    duration_minutes: int
    supervisees: int
    cases_discussed: int
    decisions: int
    action_items: int
    signatures: int
    signatures_needed: int

    @property
    def signed_off(self) -> bool:
        return self.signatures >= self.signatures_needed


@dataclass(frozen=True)
class OpenActionItem:
    item_id: UUID
    session_id: UUID
    owner_id: UUID
    supervisor_id: UUID
    due_on: date
    overdue: bool


@dataclass(frozen=True)
class SupervisionDue:
    staff_id: UUID
    supervisor_ids: list[UUID]
    last_supervised_on: date | None
    due_on: date
    overdue: bool


class SupervisionHistoryView(View):
    name = "supervision_history"
    title = "Supervision history (sessions, action items, sign-off, overdue supervision)"

    def define(self) -> None:
        self.sessions_table = self.table(
            "sessions",
            Column("session_id", Id, primary_key=True),
            Column("supervisor_id", Id, nullable=False, index=True),
            Column("session_format", String(16), nullable=False),
            Column("held_at", UtcDateTime, nullable=False),
            Column("duration_minutes", Integer, nullable=False),
            Column("supervisees", Integer, nullable=False),
            Column("cases_discussed", Integer, nullable=False),
            Column("decisions", Integer, nullable=False),
            Column("action_items", Integer, nullable=False),
            Column("signatures", Integer, nullable=False),
            Column("signatures_needed", Integer, nullable=False),
            Column("addenda", Integer, nullable=False),
        )
        self.attendees_table = self.table(
            "attendees",
            Column("session_id", Id, primary_key=True),
            Column("staff_id", Id, primary_key=True, index=True),
            Column("signed", Integer, nullable=False),
        )
        self.session_cases_table = self.table(
            "session_cases",
            Column("session_id", Id, primary_key=True),
            Column("case_id", Id, primary_key=True, index=True),
        )
        self.items_table = self.table(
            "action_items",
            Column("item_id", Id, primary_key=True),
            Column("session_id", Id, nullable=False),
            Column("owner_id", Id, nullable=False, index=True),
            Column("supervisor_id", Id, nullable=False, index=True),
            Column("due_on", Date, nullable=False),
            Column("done_at", UtcDateTime),
        )
        self.schedules_table = self.table(
            "schedules",
            Column("schedule_id", Id, primary_key=True),
            Column("staff_id", Id, nullable=False, unique=True),
            Column("every_days", Integer, nullable=False),
            Column("new_staff_every_days", Integer, nullable=False),
            Column("new_staff_months", Integer, nullable=False),
            Column("started_on", Date),
            Column("set_on", Date, nullable=False),
            Column("last_supervised_on", Date),
        )
        self.links_table = self.table(
            "supervision_links",
            Column("supervisor_id", Id, primary_key=True),
            Column("supervisee_id", Id, primary_key=True, index=True),
            Column("starts_on", Date, primary_key=True),
            Column("ends_on", Date),
        )
        self.sessions = self.keyed(self.sessions_table)
        self.attendees = self.partitioned(self.attendees_table, "session_id")
        self.session_cases = self.partitioned(self.session_cases_table, "session_id")
        self.items = self.keyed(self.items_table)
        self.schedules = self.keyed(self.schedules_table)
        self.links = self.partitioned(self.links_table, "supervisee_id")

    def handles(self) -> dict[type, Handler]:
        s = SupervisionSession
        return {
            s.Recorded: self.recorded,
            s.CaseDiscussed: self.case_discussed,
            s.DecisionRecorded: self.decided,
            s.ActionItemAdded: self.item_added,
            s.ActionItemDone: self.item_done,
            s.Signed: self.signed,
            s.SignaturesCleared: self.signatures_cleared,
            s.AddendumAdded: self.addendum,
            SupervisionSchedule.Set: self.schedule_set,
            SupervisionSchedule.PolicyChanged: self.policy_changed,
            SupervisionSchedule.Supervised: self.supervised,
            Staff.SupervisionStarted: self.link_started,
            Staff.SupervisionEnded: self.link_ended,
        }

    def prepare(self, items: list[Item], new: Collection[UUID]) -> None:
        ids = {i.event.originator_id for i in items if type(i.event) in self.handlers}
        self.sessions.prime(ids, new)
        self.attendees.prime(ids, new)
        self.session_cases.prime(ids, new)
        self.schedules.prime(ids, new)
        self.items.prime(
            i.event.item_id for i in items if type(i.event) is SupervisionSession.ActionItemDone
        )
        self.links.prime(
            i.event.link.supervisee_id
            if type(i.event) is Staff.SupervisionStarted
            else i.event.supervisee_id
            for i in items
            if type(i.event) in (Staff.SupervisionStarted, Staff.SupervisionEnded)
        )

    def _session(self, item: Item) -> dict[str, Any]:
        row = self.sessions.get(item.event.originator_id)
        if row is None:
            raise LookupError(f"supervision_history has no session {item.event.originator_id}")
        self.sessions.put(row)
        return row

    def recorded(self, item: Item) -> None:
        e = item.event
        participants = list(dict.fromkeys([e.supervisor_id, *e.supervisee_ids]))
        self.sessions.put(
            {
                "session_id": e.originator_id,
                "supervisor_id": e.supervisor_id,
                "session_format": e.session_format.value,
                "held_at": e.occurred_at,
                "duration_minutes": e.duration_minutes,
                "supervisees": len(e.supervisee_ids),
                "cases_discussed": 0,
                "decisions": 0,
                "action_items": 0,
                "signatures": 0,
                "signatures_needed": len(participants),
                "addenda": 0,
            }
        )
        self.session_cases.replace(e.originator_id, [])
        self.attendees.replace(
            e.originator_id,
            [
                {"session_id": e.originator_id, "staff_id": staff_id, "signed": 0}
                for staff_id in participants
            ],
        )

    def case_discussed(self, item: Item) -> None:
        e = item.event
        discussed = self.session_cases.get(e.originator_id)
        if all(r["case_id"] != e.case_id for r in discussed):
            discussed.append({"session_id": e.originator_id, "case_id": e.case_id})
            self.session_cases.touch(e.originator_id)
            self._session(item)["cases_discussed"] += 1

    def decided(self, item: Item) -> None:
        self._session(item)["decisions"] += 1

    def addendum(self, item: Item) -> None:
        self._session(item)["addenda"] += 1

    def item_added(self, item: Item) -> None:
        e = item.event
        session = self._session(item)
        session["action_items"] += 1
        self.items.put(
            {
                "item_id": e.item.item_id,
                "session_id": e.originator_id,
                "owner_id": e.item.owner_id,
                "supervisor_id": session["supervisor_id"],
                "due_on": e.item.due_on,
                "done_at": e.item.done_at,
            }
        )

    def item_done(self, item: Item) -> None:
        row = self.items.get(item.event.item_id)
        if row is not None:
            row["done_at"] = item.event.occurred_at
            self.items.put(row)

    def signed(self, item: Item) -> None:
        e = item.event
        session = self._session(item)
        for attendee in self.attendees.get(e.originator_id):
            if attendee["staff_id"] == e.actor_id and not attendee["signed"]:
                attendee["signed"] = 1
                session["signatures"] += 1
        self.attendees.touch(e.originator_id)

    def signatures_cleared(self, item: Item) -> None:
        self._session(item)["signatures"] = 0
        for attendee in self.attendees.get(item.event.originator_id):
            attendee["signed"] = 0
        self.attendees.touch(item.event.originator_id)

    def schedule_set(self, item: Item) -> None:
        e = item.event
        self.schedules.put(
            {
                "schedule_id": e.originator_id,
                "staff_id": e.staff_id,
                "every_days": e.every_days,
                "new_staff_every_days": e.new_staff_every_days,
                "new_staff_months": e.new_staff_months,
                "started_on": e.started_on,
                "set_on": e.occurred_at.date(),
                "last_supervised_on": None,
            }
        )

    def _schedule(self, item: Item) -> dict[str, Any]:
        row = self.schedules.get(item.event.originator_id)
        if row is None:
            raise LookupError(f"supervision_history has no schedule {item.event.originator_id}")
        self.schedules.put(row)
        return row

    def policy_changed(self, item: Item) -> None:
        e = item.event
        self._schedule(item).update(
            every_days=e.every_days,
            new_staff_every_days=e.new_staff_every_days,
            new_staff_months=e.new_staff_months,
            started_on=e.started_on,
        )

    def supervised(self, item: Item) -> None:
        row = self._schedule(item)
        if row["last_supervised_on"] is None or item.event.on > row["last_supervised_on"]:
            row["last_supervised_on"] = item.event.on

    def link_started(self, item: Item) -> None:
        link = item.event.link
        links = self.links.get(link.supervisee_id)
        key = (link.supervisor_id, link.starts_on)
        if all((r["supervisor_id"], r["starts_on"]) != key for r in links):
            links.append(
                {
                    "supervisor_id": link.supervisor_id,
                    "supervisee_id": link.supervisee_id,
                    "starts_on": link.starts_on,
                    "ends_on": link.ends_on,
                }
            )
            self.links.touch(link.supervisee_id)

    def link_ended(self, item: Item) -> None:
        e = item.event
        for r in self.links.get(e.supervisee_id):
            if r["supervisor_id"] == e.supervisor_id and r["ends_on"] is None:
                r["ends_on"] = e.ends_on
        self.links.touch(e.supervisee_id)

    # -- reading -------------------------------------------------------------------

    def _summaries(self, connection: Connection, query: Any) -> list[SessionSummary]:
        s = self.sessions_table.c
        return [
            SessionSummary(
                session_id=r.session_id,
                supervisor_id=r.supervisor_id,
                session_format=r.session_format,
                held_at=r.held_at,
                duration_minutes=r.duration_minutes,
                supervisees=r.supervisees,
                cases_discussed=r.cases_discussed,
                decisions=r.decisions,
                action_items=r.action_items,
                signatures=r.signatures,
                signatures_needed=r.signatures_needed,
            )
            for r in connection.execute(query.order_by(s.held_at.desc(), s.session_id))
        ]

    def of_worker(self, connection: Connection, staff_id: UUID) -> list[SessionSummary]:
        a = self.attendees_table.c
        attended = select(a.session_id).where(a.staff_id == staff_id)
        s = self.sessions_table.c
        query = select(self.sessions_table).where(
            s.session_id.in_(attended), s.supervisor_id != staff_id
        )
        return self._summaries(connection, query)

    def of_supervisor(self, connection: Connection, supervisor_id: UUID) -> list[SessionSummary]:
        s = self.sessions_table.c
        return self._summaries(
            connection, select(self.sessions_table).where(s.supervisor_id == supervisor_id)
        )

    def of_case(self, connection: Connection, case_id: UUID) -> list[SessionSummary]:
        c = self.session_cases_table.c
        s = self.sessions_table.c
        discussed = select(c.session_id).where(c.case_id == case_id)
        return self._summaries(
            connection, select(self.sessions_table).where(s.session_id.in_(discussed))
        )

    def unsigned(self, connection: Connection, now: datetime) -> list[SessionSummary]:
        """Session records not signed by everyone a week after the session."""
        s = self.sessions_table.c
        query = select(self.sessions_table).where(s.held_at < now - UNSIGNED_AFTER)
        return [r for r in self._summaries(connection, query) if not r.signed_off]

    def open_action_items(
        self,
        connection: Connection,
        on: date,
        *,
        owner_id: UUID | None = None,
        supervisor_id: UUID | None = None,
    ) -> list[OpenActionItem]:
        i = self.items_table.c
        query = select(self.items_table).where(i.done_at.is_(None))
        if owner_id is not None:
            query = query.where(i.owner_id == owner_id)
        if supervisor_id is not None:
            query = query.where(i.supervisor_id == supervisor_id)
        return [
            OpenActionItem(
                r.item_id, r.session_id, r.owner_id, r.supervisor_id, r.due_on, r.due_on < on
            )
            for r in connection.execute(query.order_by(i.due_on, i.item_id))
        ]

    def supervision_due(
        self, connection: Connection, on: date, *, supervisor_id: UUID | None = None
    ) -> list[SupervisionDue]:
        """Each scheduled person's next supervision date under their policy, and
        whether it has passed (optionally only the supervisees of one supervisor)."""
        supervisors: dict[UUID, list[UUID]] = {}
        for r in connection.execute(select(self.links_table)):
            if r.starts_on <= on and (r.ends_on is None or on < r.ends_on):
                supervisors.setdefault(r.supervisee_id, []).append(r.supervisor_id)
        found = []
        for r in connection.execute(select(self.schedules_table)):
            mine = supervisors.get(r.staff_id, [])
            if supervisor_id is not None and supervisor_id not in mine:
                continue
            since = r.last_supervised_on or r.started_on or r.set_on
            is_new = r.started_on is not None and since < add_months(
                r.started_on, r.new_staff_months
            )
            due = since + timedelta(days=r.new_staff_every_days if is_new else r.every_days)
            found.append(SupervisionDue(r.staff_id, mine, r.last_supervised_on, due, on > due))
        return sorted(found, key=lambda d: (d.due_on, str(d.staff_id)))
