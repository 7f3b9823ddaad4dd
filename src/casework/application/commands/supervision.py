"""Supervision commands (ADR 0053). The session addressed is where they are sent (and
the case discussed, the action item marked done, the person whose supervision
frequency is set), not a field; a new session and a session's discussion of a case
name what they are about."""

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from casework.aggregates.supervision import SessionFormat, Topic
from casework.application.commands.fields import Command, Narrative, OccurredAt, Reason

# Days between supervisions, and how long someone counts as new.
Days = Annotated[int, msgspec.Meta(ge=1, le=366)]
Months = Annotated[int, msgspec.Meta(ge=0, le=60)]
SessionMinutes = Annotated[
    int, msgspec.Meta(ge=1, le=24 * 60, description="how long the session took")
]


class RecordSupervisionSession(Command):
    """Record a session held: by its supervisor, who names themself."""

    session_format: SessionFormat
    supervisor_id: UUID
    supervisee_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=50)]
    duration_minutes: SessionMinutes
    topics: Annotated[list[Topic], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    occurred_at: OccurredAt = None


class WriteSupervisionNote(Command):
    """A note of the session (a wellbeing note is private to its supervisee)."""

    topic: Topic
    text: Narrative
    about_id: Annotated[
        UUID | None, msgspec.Meta(description="the supervisee a wellbeing note concerns")
    ] = None
    occurred_at: OccurredAt = None


class DiscussCase(Command):
    """What the session said about a case (written, or before sign-off rewritten)."""

    case_id: UUID
    summary: Narrative
    advice: Annotated[list[Reason], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    occurred_at: OccurredAt = None


class RecordSupervisionDecision(Command):
    """A decision of the session (or, on a case it discussed, of that case)."""

    decision: Reason
    occurred_at: OccurredAt = None


class AddActionItem(Command):
    """Something to do, by its owner, by a day."""

    owner_id: UUID
    description: Reason
    due_on: date
    occurred_at: OccurredAt = None


class MarkActionItemDone(Command):
    """The action item addressed is done (its owner or the session's supervisor)."""

    occurred_at: OccurredAt = None


class SignSupervisionSession(Command):
    """A participant signs the session off."""

    occurred_at: OccurredAt = None


class AddSupervisionAddendum(Command):
    """A correction to a signed session, or to its discussion of a case."""

    text: Narrative
    occurred_at: OccurredAt = None


class SetSupervisionFrequency(Command):
    """How often the person addressed is to be supervised (these are the defaults,
    applied to anyone supervised without a policy)."""

    every_days: Annotated[Days, msgspec.Meta(description="days between supervisions")] = 28
    new_staff_every_days: Annotated[
        Days, msgspec.Meta(description="days between supervisions while new")
    ] = 14
    new_staff_months: Annotated[
        Months, msgspec.Meta(description="how many months someone counts as new")
    ] = 6
    started_on: Annotated[
        date | None,
        msgspec.Meta(description="when they started in post"),
    ] = None
    occurred_at: OccurredAt = None
