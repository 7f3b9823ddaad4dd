"""The centre's supervisor at work, as the supervision stories tell it: a session held
with some supervisees, what it said about a case, and the action items it set."""

from datetime import date, datetime
from uuid import UUID

from casework.aggregates.base import Actor
from casework.aggregates.supervision import SessionFormat, Topic
from casework.application import Casework
from casework.application.commands.supervision import (
    AddActionItem,
    DiscussCase,
    RecordSupervisionSession,
)
from tests.builders.centre import FamilyCentre


def supervisor_holds(
    app: Casework,
    centre: FamilyCentre,
    session_format: SessionFormat,
    supervisee_ids: list[UUID],
    minutes: int = 60,
    topics: tuple[Topic, ...] = (Topic.CASE_PRACTICE,),
    occurred_at: datetime | None = None,
) -> UUID:
    """The centre's supervisor records a session held with these supervisees."""
    return app.record_supervision_session(
        centre.supervisor,
        RecordSupervisionSession(
            session_format=session_format,
            supervisor_id=centre.supervisor.staff_id,
            supervisee_ids=supervisee_ids,
            duration_minutes=minutes,
            topics=list(topics),
            occurred_at=occurred_at,
        ),
    )


def one_to_one(app: Casework, centre: FamilyCentre, minutes: int = 60) -> UUID:
    """The supervisor's individual session with the family caseworker, on case practice."""
    supervisees = [centre.worker.staff_id]
    return supervisor_holds(app, centre, SessionFormat.INDIVIDUAL, supervisees, minutes)


def discuss(
    app: Casework,
    centre: FamilyCentre,
    session_id: UUID,
    case_id: UUID,
    summary: str,
    advice: list[str] | None = None,
) -> UUID:
    """The centre's supervisor writes what the session said about a case."""
    command = DiscussCase(case_id=case_id, summary=summary, advice=advice or [])
    return app.discuss_case_in_supervision(centre.supervisor, session_id, command)


def set_action(
    app: Casework,
    centre: FamilyCentre,
    session_id: UUID,
    owner: Actor,
    description: str,
    due_on: date,
) -> UUID:
    """The centre's supervisor sets `owner` something to do by `due_on`."""
    item = AddActionItem(owner_id=owner.staff_id, description=description, due_on=due_on)
    return app.add_action_item(centre.supervisor, session_id, item)
