"""Small steps shared by store tests and benchmarks: open a case, record notes on it."""

from uuid import UUID, uuid4

from casework.aggregates.base import Actor, Role
from casework.application import Casework

WORKER = Actor(uuid4(), Role.CASEWORKER)


def open_case(app: Casework, problem: str = "family conflict", by: Actor = WORKER) -> UUID:
    return app.open_case(by, problem, by.staff_id)


def record_note(
    app: Casework,
    case_id: UUID,
    narrative: str,
    by: Actor = WORKER,
    expected_version: int | None = None,
) -> UUID:
    return app.record_note(
        case_id, by, "home_visit", narrative, 30, expected_version=expected_version
    )
