"""The demo centre's reviews of records: some notes go back for revision before they
are approved, one is amended after approval, and a supervisor draws an audit sample."""

import random
from datetime import datetime, timedelta
from uuid import UUID

from casework.aggregates.base import Actor, Role
from casework.aggregates.case import Case
from casework.aggregates.review import RecordKind
from casework.aggregates.staff import Staff
from casework.application import Casework
from casework.application.commands.cases import AddAddendum
from casework.application.commands.reviews import ApproveRecord, RequestRevision, SubmitRevision
from casework.demo.supervision import as_first_role


def review_notes(
    app: Casework, rng: random.Random, today: datetime, staff: dict[UUID, Staff], cases: list[Case]
) -> None:
    """Up to 12 notes on `cases` reviewed by their author's supervisor; one audit sample."""
    notes = [(c, n) for c in cases for n in c.notes.values() if staff[n.by].active]
    for n, (case, note) in enumerate(rng.sample(notes, min(12, len(notes)))):
        supervisors = staff[note.by].supervisors_on(today.date())
        if not supervisors:
            continue
        reviewer = Actor(supervisors[0], Role.SUPERVISOR)
        author = as_first_role(staff[note.by])
        if n % 3 == 0:
            app.request_revision(
                reviewer,
                case.id,
                RecordKind.NOTE,
                note.note_id,
                RequestRevision(comments="请补充观察到的情况 please add what you observed"),
            )
            _addendum(
                app,
                case.id,
                note.note_id,
                author,
                "补充：案主情绪稳定 addendum: the client was calm",
            )
            app.submit_revision(author, case.id, RecordKind.NOTE, note.note_id, SubmitRevision())
        app.approve_record(reviewer, case.id, RecordKind.NOTE, note.note_id, ApproveRecord())
        if n == 1:  # an amendment after approval: "approved v1; amended since"
            _addendum(app, case.id, note.note_id, author, "更正：时长90分钟 correction: 90 minutes")
    workers = [
        s for s in staff.values() if s.active and s.lead_case_ids and s.supervisors_on(today.date())
    ]
    if workers:
        worker = rng.choice(workers)
        auditor = Actor(worker.supervisors_on(today.date())[0], Role.SUPERVISOR)
        start = today.date() - timedelta(days=90)
        app.draw_audit_sample(auditor, worker.id, start, today.date(), 5, rng.randrange(2**32))


def _addendum(app: Casework, case_id: UUID, note_id: UUID, by: Actor, text: str) -> None:
    reason = "督导要求 asked for in review"
    correction = AddAddendum(record_kind="note", record_id=note_id, narrative=text, reason=reason)
    app.add_addendum(by, case_id, correction)
