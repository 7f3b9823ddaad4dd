"""Audit timeline: every event of a case, in log order, with who (staff id and role),
when it happened, when it was recorded, what kind of event, and which record it
touched. Structure only: no narrative, no names."""

import typing
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from uuid import UUID

from sqlalchemy import Column, Connection, Integer, String, select

from casework.projections.machinery.column_types import Id, Position, UtcDateTime
from casework.projections.machinery.view_base import Handler, Item, View

# Fields that name the record inside a case an event touched, most specific first.
_TOUCHED = (
    "note_id",
    "assessment_id",
    "record_id",
    "closure_id",
    "grant_id",
    "item_id",
    "onward_id",
    "review_id",
    "session_id",
    "addendum_id",
)


@cache
def _shape(event_class: type) -> tuple[str, str, str | None]:
    """Record type, event kind, and the field naming the record touched, per class."""
    record_type, _, kind = event_class.__qualname__.rpartition(".")
    fields = typing.get_type_hints(event_class)
    touched = next((f for f in _TOUCHED if fields.get(f) is UUID), None)
    return record_type or kind, kind, touched


@dataclass(frozen=True)
class TimelineEntry:
    position: int
    record_type: str
    record_id: UUID
    version: int
    kind: str
    actor_id: UUID | None
    actor_role: str | None
    occurred_at: datetime | None
    recorded_at: datetime
    touched_id: UUID | None


class AuditTimelineView(View):
    name = "audit_timeline"
    title = "Audit timeline (every event of a case: who, when, what)"

    def define(self) -> None:
        self.entries_table = self.table(
            "entries",
            # Appended in log order: on SQLite the position is the rowid, so the rows
            # go to the end of the table and only the small case index is random.
            Column("position", Position, primary_key=True, autoincrement=False),
            Column("case_id", Id, nullable=False, index=True),
            Column("record_type", String(64), nullable=False),
            Column("record_id", Id, nullable=False),
            Column("version", Integer, nullable=False),
            Column("kind", String(64), nullable=False),
            Column("actor_id", Id),
            Column("actor_role", String(32)),
            Column("occurred_at", UtcDateTime),
            Column("recorded_at", UtcDateTime, nullable=False),
            Column("touched_id", Id),
        )
        self.entries = self.appended(self.entries_table)

    def handles(self) -> dict[type, Handler]:
        return {}  # every event of a case, whatever its class: see apply_all

    def apply_all(self, items: Iterable[Item]) -> None:
        for item in items:
            e = item.event
            case_id = item.case_id or getattr(e, "case_id", None)
            if case_id is None:
                continue
            record_type, kind, touched = _shape(type(e))
            role = getattr(e, "actor_role", None)
            self.entries.add(
                {
                    "position": item.position,
                    "case_id": case_id,
                    "record_type": record_type,
                    "record_id": e.originator_id,
                    "version": e.originator_version,
                    "kind": kind,
                    "actor_id": getattr(e, "actor_id", None),
                    "actor_role": None if role is None else str(role),
                    "occurred_at": getattr(e, "occurred_at", None),
                    "recorded_at": e.timestamp,
                    "touched_id": None if touched is None else getattr(e, touched),
                }
            )

    def of_case(
        self, connection: Connection, case_id: UUID, after: int = 0, limit: int = 1000
    ) -> list[TimelineEntry]:
        c = self.entries_table.c
        query = (
            select(self.entries_table)
            .where(c.case_id == case_id, c.position > after)
            .order_by(c.position)
            .limit(limit)
        )
        return [
            TimelineEntry(
                position=r.position,
                record_type=r.record_type,
                record_id=r.record_id,
                version=r.version,
                kind=r.kind,
                actor_id=r.actor_id,
                actor_role=r.actor_role,
                occurred_at=r.occurred_at,
                recorded_at=r.recorded_at,
                touched_id=r.touched_id,
            )
            for r in connection.execute(query)
        ]
