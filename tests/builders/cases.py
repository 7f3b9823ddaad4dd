"""Small steps shared by store tests and benchmarks: open a case, record notes on it."""

from datetime import date, datetime
from uuid import UUID, uuid4

from casework.aggregates.base import Actor, Role
from casework.aggregates.case import Case, Client, Consent, NoteKind, ReferralSource
from casework.aggregates.discipline import Discipline
from casework.application import Casework

WORKER = Actor(uuid4(), Role.CASEWORKER)
CONSENT = Consent(given=True, on=date(2026, 1, 1), disciplines=[Discipline.SOCIAL_WORK])


def unsaved_case(
    problem: str = "family conflict", by: Actor = WORKER, occurred_at: datetime | None = None
) -> Case:
    """A case built by the domain alone (consent for social work), not yet saved."""
    return Case.open(
        by,
        [Client(uuid4(), "test client")],
        problem,
        ReferralSource.SELF,
        uuid4(),
        uuid4(),
        by.staff_id,
        consent=CONSENT,
        occurred_at=occurred_at,
    )


def open_case(
    app: Casework,
    problem: str = "family conflict",
    by: Actor = WORKER,
    occurred_at: datetime | None = None,
) -> UUID:
    """Store the case's opening event alone (the store under test sees one event and
    one key per case; domain stories open cases through the service with a centre)."""
    case = unsaved_case(problem, by, occurred_at)
    app.save(case)
    return case.id


def record_note(
    app: Casework,
    case_id: UUID,
    narrative: str,
    by: Actor = WORKER,
    expected_version: int | None = None,
    occurred_at: datetime | None = None,
) -> UUID:
    """A note written by the domain and saved by the store alone: `WORKER` is not on
    staff, so this exercises the store, not the service layer's access rule."""
    case = app.repository.get(case_id)
    app.expect_version(case, expected_version)
    note_id = case.record_note(by, NoteKind.HOME_VISIT, narrative, 30, occurred_at)
    app.save(case)
    return note_id
