"""Supervision commands: record a session, discuss cases in it, sign it, follow it up.

Who may do what (applied here, to the session loaded): the session's supervisor
records it, its notes, the cases discussed, its decisions and action items; its
participants sign it and add addenda; an action item is marked done by its owner or
the supervisor. A session is seen by its participants (and, read-only, by compliance
reviewers); a wellbeing note only by the supervisor and the supervisee it concerns.
What a session said about a case is case content: seen by those who may see the case
and took part in the session, or who oversee the case by role (its department head,
the centre director, a supervisor of someone on it, a compliance reviewer), and each
reading is recorded as a read of that case.
"""

import copy
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from casework.access import (
    Action,
    Decision,
    may,
    may_read_staff,
    may_read_supervision_note,
    may_set_supervision_frequency,
)
from casework.aggregates.access_record import AccessAction
from casework.aggregates.base import Actor, Role, now
from casework.aggregates.case import Case, RecordKind
from casework.aggregates.case_discussion import CaseDiscussion
from casework.aggregates.organisation import ORGANISATION_ID, Organisation
from casework.aggregates.staff import Staff
from casework.aggregates.supervision import SessionNote, SupervisionSession, Topic
from casework.aggregates.supervision import discussion_id as discussion_id_of
from casework.aggregates.supervision_schedule import SupervisionSchedule, schedule_id
from casework.application.authorisation import Authorisation
from casework.application.commands.supervision import (
    AddActionItem,
    AddSupervisionAddendum,
    DiscussCase,
    MarkActionItemDone,
    RecordSupervisionDecision,
    RecordSupervisionSession,
    SetSupervisionFrequency,
    SignSupervisionSession,
    WriteSupervisionNote,
)
from casework.application.core import T
from casework.application.errors import NotFound

# Roles whose holders are supervised (the frequency policy applies to them).
SUPERVISED_ROLES = frozenset({Role.CASEWORKER, Role.SPECIALIST, Role.DEPARTMENT_HEAD})
# Who sees a case's supervision discussion without having taken part in the session
# (when they may see the case at all).
OVERSEEING_ROLES = frozenset(
    {Role.DEPARTMENT_HEAD, Role.CENTRE_DIRECTOR, Role.SUPERVISOR, Role.COMPLIANCE_REVIEWER}
)
_SESSION = ["supervision_session"]
_DISCUSSION = ["case_discussion"]
_SCHEDULE = ["supervision_schedule"]


@dataclass(frozen=True)
class SupervisionDue:
    staff_id: UUID
    name: str
    last_supervised_on: date | None
    due_on: date | None  # None: never supervised and no policy set

    def is_overdue(self, on: date) -> bool:
        return self.due_on is None or on > self.due_on


class SupervisionCommands(Authorisation):
    def record_supervision_session(self, by: Actor, command: RecordSupervisionSession) -> UUID:
        """Record a session held (by its supervisor); each supervisee's schedule counts
        it as supervision."""
        self.context_of(by, AccessAction.WRITE, None)
        supervisor_id = command.supervisor_id
        if by.staff_id != supervisor_id:
            self.refuse(
                by,
                AccessAction.WRITE,
                "may not record this supervision session",
                "a session is recorded by the supervisor who held it",
                record_kinds=_SESSION,
            )
        for staff_id in (supervisor_id, *command.supervisee_ids):
            self.load(staff_id, Staff, "staff member")
        session = SupervisionSession.hold(
            by,
            command.session_format,
            supervisor_id,
            list(command.supervisee_ids),
            command.duration_minutes,
            list(command.topics),
            command.occurred_at,
        )
        schedules = []
        for staff_id in session.supervisee_ids:
            schedule = self._schedule_or_default(by, staff_id)
            schedule.record_supervision(by, session.id, session.held_at.date())
            schedules.append(schedule)
        self.save(session, *schedules)
        return session.id

    def get_supervision_session(
        self, by: Actor, session_id: UUID, version: int | None = None
    ) -> SupervisionSession:
        """The session as `by` may see it (a copy holding only the notes they may read),
        for its participants and compliance reviewers; recorded."""
        session = self._session(session_id, version)
        notes = self._notes_seen(by, session)
        seen = copy.copy(session)
        seen.notes = notes
        return seen

    def supervision_notes_for(self, by: Actor, session_id: UUID) -> list[SessionNote]:
        """The session's notes this reader may see (wellbeing notes are private); a
        reader who is not a participant sees none (refused and recorded)."""
        return self._notes_seen(by, self._session(session_id))

    def write_supervision_note(
        self,
        by: Actor,
        session_id: UUID,
        command: WriteSupervisionNote,
        expected_version: int | None = None,
    ) -> UUID:
        c = command
        return self._update_session(
            session_id,
            expected_version,
            lambda s: s.write_note(by, c.topic, c.text, c.about_id, c.occurred_at),
            lambda s: self._require_supervisor(by, s, "may not write a note in this session"),
        )

    def discuss_case_in_supervision(
        self,
        by: Actor,
        session_id: UUID,
        command: DiscussCase,
        expected_version: int | None = None,
    ) -> UUID:
        """Write (or, before sign-off, rewrite) what the session said about a case: its
        supervisor, who must be able to see the case."""
        case_id, summary, advice = command.case_id, command.summary, list(command.advice)
        occurred_at = command.occurred_at
        session = self._session(session_id)
        self.expect_version(session, expected_version)
        self._require_supervisor(by, session, "may not discuss a case in this session")
        case: Case = self.load(case_id, Case, "case")  # a discussion is of a case that exists
        decision = may(
            self.context_of(by, AccessAction.WRITE, case_id),
            Action.SEE,
            RecordKind.SUMMARY,
            case,
            now(),
        )
        if not decision:
            self.refuse(
                by,
                AccessAction.WRITE,
                "may not discuss this case",
                decision.reason,
                case_id=case_id,
                record_kinds=_DISCUSSION,
            )
        discussed_before = case_id in session.case_ids
        session.discuss_case(by, case_id, occurred_at)
        if discussed_before:
            discussion = self._discussion(session_id, case_id)
            discussion.revise(by, summary, advice, occurred_at)
        else:
            discussion = CaseDiscussion.write(by, session, case_id, summary, advice, occurred_at)
        self.save(session, discussion)
        return discussion.id

    def get_case_discussion(
        self, by: Actor, session_id: UUID, case_id: UUID, version: int | None = None
    ) -> CaseDiscussion:
        """What a session said about a case: case content, recorded as a read of the case."""
        discussion = self._discussion(session_id, case_id, version)
        case: Case = self.load(case_id, Case, "case")
        context = self.context_of(by, AccessAction.READ, case_id)
        decision = may(context, Action.SEE, RecordKind.SUMMARY, case, now())
        outsider = (
            by.staff_id != case.lead_worker_id
            and by.role not in OVERSEEING_ROLES
            and by.staff_id not in self._session(session_id).participants
        )
        if decision and outsider:
            decision = Decision(
                False,
                "a supervision discussion is for the case's lead, the session's "
                "participants and those who oversee the case",
            )
        self.record_reading(
            by,
            decision,
            "may not see this case discussion",
            case_id=case_id,
            record_kinds=_DISCUSSION,
            record_ids=[discussion.id],
        )
        return discussion

    def _session(self, session_id: UUID, version: int | None = None) -> SupervisionSession:
        """The session as stored (no access check: for the service layer only)."""
        return self.load(session_id, SupervisionSession, "supervision session", version)

    def _discussion(
        self, session_id: UUID, case_id: UUID, version: int | None = None
    ) -> CaseDiscussion:
        return self.load(
            discussion_id_of(session_id, case_id), CaseDiscussion, "case discussion", version
        )

    def _notes_seen(self, by: Actor, session: SupervisionSession) -> list[SessionNote]:
        """The notes `by` may read, recorded; someone who is neither a participant nor a
        compliance reviewer is refused (and that is recorded)."""
        self.context_of(by, AccessAction.READ, None)
        reviewer = by.role is Role.COMPLIANCE_REVIEWER
        if by.staff_id not in session.participants and not reviewer:
            self.refuse(
                by,
                AccessAction.READ,
                "may not see this supervision session",
                "a supervision session is for its participants",
                record_kinds=_SESSION,
                record_ids=[session.id],
            )
        notes = [
            n
            for n in session.notes
            if may_read_supervision_note(by, session, n)
            or (reviewer and n.topic is not Topic.WELLBEING)
        ]
        hidden = len(session.notes) - len(notes)
        self.record_access(
            by,
            AccessAction.READ,
            record_kinds=_SESSION,
            record_ids=[session.id],
            reason=("compliance review (read-only)" if reviewer else "participant of the session")
            + (f"; {hidden} private note(s) hidden" if hidden else ""),
        )
        return notes

    def _require_one_of(
        self,
        by: Actor,
        session: SupervisionSession,
        allowed: Collection[UUID],
        message: str,
        reason: str,
    ) -> None:
        """`by` holds the role they act in today and is one of `allowed`; otherwise the
        refusal is recorded against the session and raised."""
        self.context_of(by, AccessAction.WRITE, None)
        if by.staff_id not in allowed:
            self.refuse(
                by,
                AccessAction.WRITE,
                message,
                reason,
                record_kinds=_SESSION,
                record_ids=[session.id],
            )

    def _require_supervisor(self, by: Actor, session: SupervisionSession, message: str) -> None:
        """The session's supervisor, holding the role they act in today."""
        self._require_one_of(
            by,
            session,
            [session.supervisor_id],
            message,
            "only the session's supervisor records what the session covered and decided",
        )

    def _require_role_today(self, by: Actor) -> None:
        """Signing: the session itself checks that `by` took part."""
        self.context_of(by, AccessAction.WRITE, None)

    def _require_participant(self, by: Actor, session: SupervisionSession, message: str) -> None:
        self._require_one_of(
            by,
            session,
            session.participants,
            message,
            "only the session's supervisor and supervisees do this",
        )

    def record_supervision_decision(
        self,
        by: Actor,
        session_id: UUID,
        command: RecordSupervisionDecision,
        expected_version: int | None = None,
    ) -> None:
        self._update_session(
            session_id,
            expected_version,
            lambda s: s.record_decision(by, command.decision, command.occurred_at),
            lambda s: self._require_supervisor(by, s, "may not record a decision of this session"),
        )

    def add_action_item(
        self,
        by: Actor,
        session_id: UUID,
        command: AddActionItem,
        expected_version: int | None = None,
    ) -> UUID:
        c = command
        return self._update_session(
            session_id,
            expected_version,
            lambda s: s.add_action_item(by, c.owner_id, c.description, c.due_on, c.occurred_at),
            lambda s: self._require_supervisor(by, s, "may not add an action item to this session"),
        )

    def mark_action_item_done(
        self,
        by: Actor,
        session_id: UUID,
        item_id: UUID,
        command: MarkActionItemDone,
        expected_version: int | None = None,
    ) -> None:
        self._update_session(
            session_id,
            expected_version,
            lambda s: s.mark_action_item_done(by, item_id, command.occurred_at),
            lambda s: self._require_item_follower(by, s, item_id),
        )

    def sign_supervision_session(
        self,
        by: Actor,
        session_id: UUID,
        command: SignSupervisionSession,
        expected_version: int | None = None,
    ) -> None:
        self._update_session(
            session_id,
            expected_version,
            lambda s: s.sign(by, command.occurred_at),
            lambda s: self._require_role_today(by),
        )

    def add_supervision_addendum(
        self,
        by: Actor,
        session_id: UUID,
        command: AddSupervisionAddendum,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_session(
            session_id,
            expected_version,
            lambda s: s.add_addendum(by, command.text, command.occurred_at),
            lambda s: self._require_participant(by, s, "may not add an addendum to this session"),
        )

    def add_case_discussion_addendum(
        self,
        by: Actor,
        session_id: UUID,
        case_id: UUID,
        command: AddSupervisionAddendum,
        expected_version: int | None = None,
    ) -> UUID:
        """Correct a signed session's discussion of a case (a participant of the session)."""
        session = self._session(session_id)
        self._require_participant(by, session, "may not add an addendum to this discussion")
        session.require_signed_off()
        return self.update(
            discussion_id_of(session_id, case_id),
            CaseDiscussion,
            "case discussion",
            expected_version,
            lambda d: d.add_addendum(by, command.text, command.occurred_at),
        )

    def set_supervision_frequency(
        self, by: Actor, staff_id: UUID, command: SetSupervisionFrequency
    ) -> UUID:
        """Set (or change) how often a staff member is to be supervised: by an
        administrator or someone who oversees them (`may_set_supervision_frequency`)."""
        staff: Staff = self.load(staff_id, Staff, "staff member")
        self.require(
            by,
            AccessAction.WRITE,
            lambda context: may_set_supervision_frequency(context, staff),
            "may not set how often this person is supervised",
            record_kinds=_SCHEDULE,
            record_ids=[staff_id],
        )
        policy = (
            command.every_days,
            command.new_staff_every_days,
            command.new_staff_months,
            command.started_on,
            command.occurred_at,
        )
        try:
            schedule = self._schedule(staff_id)
        except NotFound:
            schedule = SupervisionSchedule.set_policy(by, staff_id, *policy)
        else:
            schedule.change_policy(by, *policy)
        self.save(schedule)
        return schedule.id

    def get_supervision_schedule(self, by: Actor, staff_id: UUID) -> SupervisionSchedule:
        """Someone's supervision schedule, for those who may read their staff record."""
        staff: Staff = self.load(staff_id, Staff, "staff member")
        self.require(
            by,
            AccessAction.READ,
            lambda context: may_read_staff(context, staff),
            "may not read this person's supervision schedule",
            record_kinds=_SCHEDULE,
            record_ids=[staff_id],
        )
        return self._schedule(staff_id)

    def _schedule(self, staff_id: UUID) -> SupervisionSchedule:
        return self.load(schedule_id(staff_id), SupervisionSchedule, "supervision schedule")

    def supervision_due(self, by: Actor) -> list[SupervisionDue]:
        """When each active member of staff who is supervised, and whose staff record
        `by` may read (`may_read_staff`), is next due, soonest first (those never
        supervised first of all)."""
        context = self.context_of(by, AccessAction.READ, None)
        organisation: Organisation = self.load(ORGANISATION_ID, Organisation, "organisation")
        due = []
        for staff_id in organisation.staff_ids:
            staff: Staff = self.load(staff_id, Staff, "staff member")
            if not staff.active or not SUPERVISED_ROLES & set(staff.roles):
                continue
            if not may_read_staff(context, staff):
                continue
            try:
                schedule = self._schedule(staff_id)
            except NotFound:
                due.append(SupervisionDue(staff_id, staff.name, None, None))
                continue
            due.append(
                SupervisionDue(staff_id, staff.name, schedule.last_supervised_on, schedule.due_on())
            )
        return sorted(due, key=lambda d: (d.due_on is not None, d.due_on or date.min, d.name))

    def _schedule_or_default(self, by: Actor, staff_id: UUID) -> SupervisionSchedule:
        try:
            return self._schedule(staff_id)
        except NotFound:
            return SupervisionSchedule.set_policy(by, staff_id)

    def _update_session(
        self,
        session_id: UUID,
        expected_version: int | None,
        command: Callable[[SupervisionSession], T],
        guard: Callable[[SupervisionSession], None],
    ) -> T:
        """Load the session, let `guard` refuse (recorded), run the command, save."""

        def guarded(session: SupervisionSession) -> T:
            guard(session)
            return command(session)

        return self.update(
            session_id, SupervisionSession, "supervision session", expected_version, guarded
        )

    def _require_item_follower(self, by: Actor, session: SupervisionSession, item_id: UUID) -> None:
        """An action item is marked done by its owner or the session's supervisor."""
        item = next((i for i in session.action_items if i.item_id == item_id), None)
        if item is None:  # an unknown item is the session's own refusal
            self._require_role_today(by)
            return
        self._require_one_of(
            by,
            session,
            [session.supervisor_id, item.owner_id],
            "may not mark this action item done",
            "an action item is marked done by its owner or the session's supervisor",
        )
