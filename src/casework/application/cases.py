"""Case commands: load the case, call its command, save it in one transaction."""

from datetime import datetime
from uuid import UUID

from casework.aggregates.base import Actor
from casework.aggregates.case import Case, NoteKind
from casework.application.core import CaseworkCore


class CaseCommands(CaseworkCore):
    def open_case(
        self,
        by: Actor,
        presenting_problem: str,
        lead_worker_id: UUID,
        occurred_at: datetime | None = None,
    ) -> UUID:
        case = Case.open(by, presenting_problem, lead_worker_id, occurred_at)
        self.save(case)
        return case.id

    def get_case(self, case_id: UUID, version: int | None = None) -> Case:
        return self.load(case_id, Case, "case", version)

    def record_note(
        self,
        case_id: UUID,
        by: Actor,
        kind: NoteKind,
        narrative: str,
        duration_minutes: int,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        case = self.get_case(case_id)
        self.expect_version(case, expected_version)
        note_id = case.record_note(by, kind, narrative, duration_minutes, occurred_at)
        self.save(case)
        return note_id
