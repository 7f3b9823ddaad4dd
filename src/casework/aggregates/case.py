"""The case (个案): one client's (or household's) record, from intake to closure."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from casework.aggregates.base import Actor, InvalidValue, Record


class NoteKind(StrEnum):
    HOME_VISIT = "home_visit"
    OFFICE_INTERVIEW = "office_interview"
    PHONE = "phone"
    GROUP_SESSION = "group_session"
    RESOURCE_LINKING = "resource_linking"
    ACCOMPANIMENT = "accompaniment"
    ADVOCACY = "advocacy"


class Case(Record):
    presenting_problem: str
    lead_worker_id: UUID
    note_ids: list[UUID]

    class Opened(Record.Created):
        presenting_problem: str
        lead_worker_id: UUID

    class NoteRecorded(Record.Event):
        note_id: UUID
        kind: NoteKind
        narrative: str
        duration_minutes: int

        def apply(self, case: "Case") -> None:
            case.note_ids.append(self.note_id)

    def __init__(self, presenting_problem: str, lead_worker_id: UUID) -> None:
        self.presenting_problem = presenting_problem
        self.lead_worker_id = lead_worker_id
        self.note_ids = []

    def case_id_for_keys(self) -> UUID:
        return self.id

    @classmethod
    def open(
        cls,
        by: Actor,
        presenting_problem: str,
        lead_worker_id: UUID,
        occurred_at: datetime | None = None,
    ) -> "Case":
        if not presenting_problem.strip():
            raise InvalidValue("presenting_problem", "must not be empty")
        return cls.start(
            cls.Opened,
            by,
            occurred_at,
            presenting_problem=presenting_problem,
            lead_worker_id=lead_worker_id,
        )

    def record_note(
        self,
        by: Actor,
        kind: NoteKind,
        narrative: str,
        duration_minutes: int,
        occurred_at: datetime | None = None,
    ) -> UUID:
        if not narrative.strip():
            raise InvalidValue("narrative", "must not be empty")
        if duration_minutes < 0:
            raise InvalidValue("duration_minutes", "must be zero or more")
        note_id = uuid4()
        self.record(
            self.NoteRecorded,
            by,
            occurred_at,
            note_id=note_id,
            kind=NoteKind(kind),
            narrative=narrative,
            duration_minutes=duration_minutes,
        )
        return note_id
