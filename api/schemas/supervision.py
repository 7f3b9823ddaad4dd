"""Supervision sessions as their reader may see them (private wellbeing notes left out
by the service layer). The request bodies are the commands themselves
(`casework.application.commands.supervision`, ADR 0053)."""

from datetime import datetime
from uuid import UUID

import msgspec

from casework.aggregates.case_discussion import CaseDiscussion
from casework.aggregates.supervision import (
    ActionItem,
    Addendum,
    SessionFormat,
    SessionNote,
    SupervisionSession,
    Topic,
)


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
