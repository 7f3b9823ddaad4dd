"""Supervision sessions (督导记录): who met, what was covered, what was decided, who signs.

What was said about a case is case content: it lives in a `CaseDiscussion`
(case_discussion.py), sealed under that case's key; the session only links the case.
Wellbeing notes name the supervisee they concern and are for the supervisor and that
supervisee only (`casework.access.may_read_supervision_note`).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from casework.aggregates.base import Actor, InvalidValue, Record, RuleBroken, aware, required_text

# An unsigned record older than this is flagged.
SIGN_OFF_WITHIN = timedelta(days=7)


class SessionFormat(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"
    PEER = "peer"


class Topic(StrEnum):
    CASE_PRACTICE = "case_practice"
    PROFESSIONAL_DEVELOPMENT = "professional_development"
    WELLBEING = "wellbeing"


@dataclass(frozen=True)
class SessionNote:
    note_id: UUID
    topic: Topic
    text: str
    about_id: UUID | None  # the supervisee a wellbeing note concerns


@dataclass(frozen=True)
class ActionItem:
    item_id: UUID
    owner_id: UUID
    description: str
    due_on: date
    done_at: datetime | None = None

    def is_overdue(self, on: date) -> bool:
        return self.done_at is None and on > self.due_on


@dataclass(frozen=True)
class Addendum:
    addendum_id: UUID
    author_id: UUID
    text: str
    occurred_at: datetime


class SessionSignedOff(RuleBroken):
    """A signed record is closed to edits: corrections are addenda."""

    rule = "session_signed_off"


class NotASessionParticipant(RuleBroken):
    """Only the supervisor and the supervisees of a session sign it."""

    rule = "not_a_session_participant"


class AlreadySigned(RuleBroken):
    rule = "already_signed"


class SessionNotSigned(RuleBroken):
    """Addenda correct a signed record; before sign-off, edit the record itself."""

    rule = "session_not_signed"


def discussion_id(session_id: UUID, case_id: UUID) -> UUID:
    """The one discussion record of a case in a session."""
    return uuid5(NAMESPACE_URL, f"casework:supervision:{session_id}:case:{case_id}")


# What a session and a case discussion both record, in the same way. Each record
# declares its own events from these (`class DecisionRecorded(Decided)`), so that
# their stored topics stay its own.
class Decided(Record.Event):
    decision: str

    def apply(self, minutes: "Minutes") -> None:
        minutes.decisions.append(self.decision)


class ActionItemNoted(Record.Event):
    item: ActionItem

    def apply(self, minutes: "Minutes") -> None:
        minutes.action_items.append(self.item)


class ActionItemFollowedUp(Record.Event):
    item_id: UUID

    def apply(self, minutes: "Minutes") -> None:
        minutes.action_items = [
            replace(i, done_at=self.occurred_at) if i.item_id == self.item_id else i
            for i in minutes.action_items
        ]


class AddendumWritten(Record.Event):
    addendum_id: UUID
    text: str

    def apply(self, minutes: "Minutes") -> None:
        minutes.addenda.append(
            Addendum(self.addendum_id, self.actor_id, self.text, self.occurred_at)
        )


class Minutes(Record):
    """A supervision record with decisions, action items and addenda: a session, or
    what it said about one case."""

    called: ClassVar[str]  # how its refusals name it
    decisions: list[str]
    action_items: list[ActionItem]
    addenda: list[Addendum]

    DecisionRecorded: ClassVar[type[Decided]]
    ActionItemAdded: ClassVar[type[ActionItemNoted]]
    ActionItemDone: ClassVar[type[ActionItemFollowedUp]]
    AddendumAdded: ClassVar[type[AddendumWritten]]

    def record_decision(
        self, by: Actor, decision: str, occurred_at: datetime | None = None
    ) -> None:
        required_text("decision", decision)
        self._before_edit(by, occurred_at)
        self.record(self.DecisionRecorded, by, occurred_at, decision=decision)

    def add_action_item(
        self,
        by: Actor,
        owner_id: UUID,
        description: str,
        due_on: date,
        occurred_at: datetime | None = None,
    ) -> UUID:
        required_text("description", description, "say what is to be done")
        if not isinstance(due_on, date) or isinstance(due_on, datetime):
            raise InvalidValue("due_on", "must be a date")
        self._before_edit(by, occurred_at)
        item = ActionItem(uuid4(), owner_id, description, due_on)
        self.record(self.ActionItemAdded, by, occurred_at, item=item)
        return item.item_id

    def mark_action_item_done(
        self, by: Actor, item_id: UUID, occurred_at: datetime | None = None
    ) -> None:
        """Follow-up of an action item; allowed after sign-off (it is not an edit)."""
        item = next((i for i in self.action_items if i.item_id == item_id), None)
        if item is None:
            raise InvalidValue("action_item", f"this {self.called} has no action item {item_id}")
        if item.done_at is not None:
            raise InvalidValue("action_item", "is already done")
        self.record(self.ActionItemDone, by, occurred_at, item_id=item_id)

    def add_addendum(self, by: Actor, text: str, occurred_at: datetime | None = None) -> UUID:
        required_text("text", text)
        addendum_id = uuid4()
        self.record(self.AddendumAdded, by, occurred_at, addendum_id=addendum_id, text=text)
        return addendum_id

    def _before_edit(self, by: Actor, occurred_at: datetime | None) -> None:
        """What an edit needs first: nothing of its own for a case discussion, whose
        session checks it (`SupervisionSession.before_case_discussion_edit`)."""


class SupervisionSession(Minutes):
    called = "session"
    session_format: SessionFormat
    supervisor_id: UUID
    supervisee_ids: list[UUID]
    duration_minutes: int
    held_at: datetime
    topics: list[Topic]
    case_ids: list[UUID]
    notes: list[SessionNote]
    signed_by: list[UUID]

    class Recorded(Record.Created):
        session_format: SessionFormat
        supervisor_id: UUID
        supervisee_ids: list[UUID]
        duration_minutes: int
        topics: list[Topic]

        def apply(self, session: "SupervisionSession") -> None:
            session.held_at = self.occurred_at

    class NoteWritten(Record.Event):
        note: SessionNote

        def apply(self, session: "SupervisionSession") -> None:
            session.notes.append(self.note)
            if self.note.topic not in session.topics:
                session.topics.append(self.note.topic)

    class CaseDiscussed(Record.Event):
        case_id: UUID

        def apply(self, session: "SupervisionSession") -> None:
            if self.case_id not in session.case_ids:
                session.case_ids.append(self.case_id)
            if Topic.CASE_PRACTICE not in session.topics:
                session.topics.append(Topic.CASE_PRACTICE)

    class DecisionRecorded(Decided):
        pass

    class ActionItemAdded(ActionItemNoted):
        pass

    class SignaturesCleared(Record.Event):
        """The record changed after some signed it: they sign what it now says."""

        cleared: list[UUID]

        def apply(self, session: "SupervisionSession") -> None:
            session.signed_by = []

    class Signed(Record.Event):
        def apply(self, session: "SupervisionSession") -> None:
            session.signed_by.append(self.actor_id)

    class ActionItemDone(ActionItemFollowedUp):
        pass

    class AddendumAdded(AddendumWritten):
        pass

    def __init__(
        self,
        session_format: SessionFormat,
        supervisor_id: UUID,
        supervisee_ids: list[UUID],
        duration_minutes: int,
        topics: list[Topic],
    ) -> None:
        self.session_format = session_format
        self.supervisor_id = supervisor_id
        self.supervisee_ids = list(supervisee_ids)
        self.duration_minutes = duration_minutes
        self.topics = list(topics)
        self.case_ids = []
        self.notes = []
        self.decisions = []
        self.action_items = []
        self.signed_by = []
        self.addenda = []

    @classmethod
    def hold(
        cls,
        by: Actor,
        session_format: SessionFormat,
        supervisor_id: UUID,
        supervisee_ids: list[UUID],
        duration_minutes: int,
        topics: list[Topic],
        occurred_at: datetime | None = None,
    ) -> "SupervisionSession":
        session_format = SessionFormat(session_format)
        supervisees = list(dict.fromkeys(supervisee_ids))
        if supervisor_id in supervisees:
            raise InvalidValue("supervisees", "the supervisor is not one of their own supervisees")
        fewest = {SessionFormat.INDIVIDUAL: 1, SessionFormat.GROUP: 2, SessionFormat.PEER: 1}
        if len(supervisees) < fewest[session_format] or (
            session_format is SessionFormat.INDIVIDUAL and len(supervisees) > 1
        ):
            raise InvalidValue(
                "supervisees",
                "an individual session has one supervisee, a group session two or more, "
                "a peer session one or more",
            )
        if duration_minutes <= 0:
            raise InvalidValue("duration_minutes", "must be more than zero")
        return cls.start(
            cls.Recorded,
            by,
            occurred_at,
            session_format=session_format,
            supervisor_id=supervisor_id,
            supervisee_ids=supervisees,
            duration_minutes=duration_minutes,
            topics=[Topic(t) for t in dict.fromkeys(topics)],
        )

    @property
    def participants(self) -> list[UUID]:
        return [self.supervisor_id, *self.supervisee_ids]

    @property
    def signed_off(self) -> bool:
        return set(self.signed_by) == set(self.participants)

    def awaits_sign_off(self, at: datetime) -> bool:
        """Flag: not signed by everyone a week after the session."""
        return not self.signed_off and aware(at, "at") - self.held_at > SIGN_OFF_WITHIN

    def overdue_action_items(self, on: date) -> list[ActionItem]:
        return [i for i in self.action_items if i.is_overdue(on)]

    def write_note(
        self,
        by: Actor,
        topic: Topic,
        text: str,
        about_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> UUID:
        topic = Topic(topic)
        required_text("text", text)
        if topic is Topic.WELLBEING and about_id not in self.supervisee_ids:
            raise InvalidValue(
                "about", "a wellbeing note names the supervisee of this session it concerns"
            )
        self._before_edit(by, occurred_at)
        note = SessionNote(uuid4(), topic, text, about_id if topic is Topic.WELLBEING else None)
        self.record(self.NoteWritten, by, occurred_at, note=note)
        return note.note_id

    def discuss_case(self, by: Actor, case_id: UUID, occurred_at: datetime | None = None) -> UUID:
        """Link a case (its discussion's content goes in the `CaseDiscussion`)."""
        self._before_edit(by, occurred_at)
        self.record(self.CaseDiscussed, by, occurred_at, case_id=case_id)
        return discussion_id(self.id, case_id)

    def before_case_discussion_edit(
        self, by: Actor, case_id: UUID, occurred_at: datetime | None = None
    ) -> None:
        """A decision or action item about a case discussed here goes in its
        `CaseDiscussion`: an edit of the session like any other (open, signatures
        cleared)."""
        if case_id not in self.case_ids:
            raise InvalidValue("case", f"this session has not discussed case {case_id}")
        self._before_edit(by, occurred_at)

    def sign(self, by: Actor, occurred_at: datetime | None = None) -> None:
        if by.staff_id not in self.participants:
            raise NotASessionParticipant(
                "only the supervisor and the supervisees of this session sign it",
                staff_id=str(by.staff_id),
            )
        if by.staff_id in self.signed_by:
            raise AlreadySigned("you have already signed this record")
        self.record(self.Signed, by, occurred_at)

    def add_addendum(self, by: Actor, text: str, occurred_at: datetime | None = None) -> UUID:
        self.require_signed_off()
        return super().add_addendum(by, text, occurred_at)

    def require_signed_off(self) -> None:
        if not self.signed_off:
            raise SessionNotSigned(
                "the record is not signed by everyone yet; edit it instead of adding an addendum"
            )

    def require_open_for_edits(self) -> None:
        if self.signed_off:
            raise SessionSignedOff(
                "this supervision record is signed by everyone and "
                "closed to edits; add an addendum to correct it"
            )

    def _before_edit(self, by: Actor, occurred_at: datetime | None) -> None:
        """Open for edits; an edit clears the signatures given so far."""
        self.require_open_for_edits()
        if self.signed_by:
            self.record(self.SignaturesCleared, by, occurred_at, cleared=list(self.signed_by))
