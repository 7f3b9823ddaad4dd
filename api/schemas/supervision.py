"""Supervision sessions as their reader may see them (private wellbeing notes left out
by the service layer). The request bodies are the commands themselves
(`casework.application.commands.supervision`, ADR 0053)."""

from datetime import datetime
from uuid import UUID

import msgspec

from api.schemas.common import shown_as
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
    return shown_as(SessionView, session, session_id=session.id)


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
    return shown_as(DiscussionView, discussion, discussion_id=discussion.id)
