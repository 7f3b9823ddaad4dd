"""Supervision sessions: recording one, what it covered and decided, and the session
as its reader may see it (private wellbeing notes left out by the service layer)."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.schemas.common import Body, Instant, Narrative, Reason
from casework.aggregates.case_discussion import CaseDiscussion
from casework.aggregates.supervision import (
    ActionItem,
    Addendum,
    SessionFormat,
    SessionNote,
    SupervisionSession,
    Topic,
)

SessionMinutes = Annotated[int, msgspec.Meta(ge=1, le=24 * 60)]


class RecordSession(Body):
    session_format: SessionFormat
    supervisor_id: UUID
    supervisee_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=50)]
    duration_minutes: SessionMinutes
    topics: Annotated[list[Topic], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    occurred_at: Instant | None = None


class SessionNoteBody(Body):
    topic: Topic
    text: Narrative
    about_id: UUID | None = None  # the supervisee a wellbeing note concerns
    occurred_at: Instant | None = None


class DiscussionBody(Body):
    case_id: UUID
    summary: Narrative
    advice: Annotated[list[Reason], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    occurred_at: Instant | None = None


class DecisionBody(Body):
    decision: Reason
    occurred_at: Instant | None = None


class ActionItemBody(Body):
    owner_id: UUID
    description: Reason
    due_on: date
    occurred_at: Instant | None = None


class WhenBody(Body):
    """A step that says only when it happened (sign-off, an item done)."""

    occurred_at: Instant | None = None


class AddendumBody(Body):
    text: Narrative
    occurred_at: Instant | None = None


class SessionView(msgspec.Struct, kw_only=True, frozen=True):
    session_id: UUID
    version: int
    session_format: SessionFormat
    supervisor_id: UUID
    supervisee_ids: list[UUID]
    duration_minutes: int
    held_at: datetime
    topics: list[Topic]
    case_ids: list[UUID]
    notes: list[SessionNote]
    decisions: list[str]
    action_items: list[ActionItem]
    signed_by: list[UUID]
    addenda: list[Addendum]


def session_view(session: SupervisionSession) -> SessionView:
    return SessionView(
        session_id=session.id,
        version=session.version,
        session_format=session.session_format,
        supervisor_id=session.supervisor_id,
        supervisee_ids=list(session.supervisee_ids),
        duration_minutes=session.duration_minutes,
        held_at=session.held_at,
        topics=list(session.topics),
        case_ids=list(session.case_ids),
        notes=list(session.notes),
        decisions=list(session.decisions),
        action_items=list(session.action_items),
        signed_by=list(session.signed_by),
        addenda=list(session.addenda),
    )


class DiscussionView(msgspec.Struct, kw_only=True, frozen=True):
    discussion_id: UUID
    version: int
    session_id: UUID
    case_id: UUID
    supervisor_id: UUID
    summary: str
    advice: list[str]
    addenda: list[Addendum]


def discussion_view(discussion: CaseDiscussion) -> DiscussionView:
    return DiscussionView(
        discussion_id=discussion.id,
        version=discussion.version,
        session_id=discussion.session_id,
        case_id=discussion.case_id,
        supervisor_id=discussion.supervisor_id,
        summary=discussion.summary,
        advice=list(discussion.advice),
        addenda=list(discussion.addenda),
    )
