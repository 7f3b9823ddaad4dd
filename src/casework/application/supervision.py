"""Supervision commands: record a session, discuss cases in it, sign it, follow it up."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from casework.access import may_read_supervision_note
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import Case
from casework.aggregates.case_discussion import CaseDiscussion
from casework.aggregates.organisation import ORGANISATION_ID, Organisation
from casework.aggregates.staff import Staff
from casework.aggregates.supervision import SessionFormat, SessionNote, SupervisionSession, Topic
from casework.aggregates.supervision import discussion_id as discussion_id_of
from casework.aggregates.supervision_schedule import SupervisionSchedule, schedule_id
from casework.application.core import CaseworkCore, T
from casework.application.errors import NotFound

# Roles whose holders are supervised (the frequency policy applies to them).
SUPERVISED_ROLES = frozenset({Role.CASEWORKER, Role.SPECIALIST, Role.DEPARTMENT_HEAD})


@dataclass(frozen=True)
class SupervisionDue:
    staff_id: UUID
    name: str
    last_supervised_on: date | None
    due_on: date | None  # None: never supervised and no policy set

    def is_overdue(self, on: date) -> bool:
        return self.due_on is None or on > self.due_on


class SupervisionCommands(CaseworkCore):
    def record_supervision_session(
        self,
        by: Actor,
        session_format: SessionFormat,
        supervisor_id: UUID,
        supervisee_ids: list[UUID],
        duration_minutes: int,
        topics: list[Topic],
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Record a session held; each supervisee's schedule counts it as supervision."""
        for staff_id in (supervisor_id, *supervisee_ids):
            self.load(staff_id, Staff, "staff member")
        session = SupervisionSession.hold(
            by,
            session_format,
            supervisor_id,
            supervisee_ids,
            duration_minutes,
            topics,
            occurred_at,
        )
        schedules = []
        for staff_id in session.supervisee_ids:
            schedule = self._schedule_or_default(by, staff_id)
            schedule.record_supervision(by, session.id, session.held_at.date())
            schedules.append(schedule)
        self.save(session, *schedules)
        return session.id

    def get_supervision_session(
        self, session_id: UUID, version: int | None = None
    ) -> SupervisionSession:
        return self.load(session_id, SupervisionSession, "supervision session", version)

    def supervision_notes_for(self, session_id: UUID, reader: Actor) -> list[SessionNote]:
        """The session's notes this reader may see (wellbeing notes are private)."""
        session = self.get_supervision_session(session_id)
        return [n for n in session.notes if may_read_supervision_note(reader, session, n)]

    def write_supervision_note(
        self,
        session_id: UUID,
        by: Actor,
        topic: Topic,
        text: str,
        about_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_session(
            session_id,
            expected_version,
            lambda s: s.write_note(by, topic, text, about_id, occurred_at),
        )

    def discuss_case_in_supervision(
        self,
        session_id: UUID,
        by: Actor,
        case_id: UUID,
        summary: str,
        advice: list[str],
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        """Write (or, before sign-off, rewrite) what the session said about a case."""
        session = self.get_supervision_session(session_id)
        self.expect_version(session, expected_version)
        self.load(case_id, Case, "case")  # a discussion is of a case that exists
        discussed_before = case_id in session.case_ids
        session.discuss_case(by, case_id, occurred_at)
        if discussed_before:
            discussion = self.get_case_discussion(session_id, case_id)
            discussion.revise(by, summary, advice, occurred_at)
        else:
            discussion = CaseDiscussion.write(by, session, case_id, summary, advice, occurred_at)
        self.save(session, discussion)
        return discussion.id

    def get_case_discussion(
        self, session_id: UUID, case_id: UUID, version: int | None = None
    ) -> CaseDiscussion:
        return self.load(
            discussion_id_of(session_id, case_id), CaseDiscussion, "case discussion", version
        )

    def record_supervision_decision(
        self,
        session_id: UUID,
        by: Actor,
        decision: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._update_session(
            session_id, expected_version, lambda s: s.record_decision(by, decision, occurred_at)
        )

    def add_action_item(
        self,
        session_id: UUID,
        by: Actor,
        owner_id: UUID,
        description: str,
        due_on: date,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_session(
            session_id,
            expected_version,
            lambda s: s.add_action_item(by, owner_id, description, due_on, occurred_at),
        )

    def mark_action_item_done(
        self,
        session_id: UUID,
        by: Actor,
        item_id: UUID,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._update_session(
            session_id,
            expected_version,
            lambda s: s.mark_action_item_done(by, item_id, occurred_at),
        )

    def sign_supervision_session(
        self,
        session_id: UUID,
        by: Actor,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._update_session(session_id, expected_version, lambda s: s.sign(by, occurred_at))

    def add_supervision_addendum(
        self,
        session_id: UUID,
        by: Actor,
        text: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_session(
            session_id, expected_version, lambda s: s.add_addendum(by, text, occurred_at)
        )

    def add_case_discussion_addendum(
        self,
        session_id: UUID,
        case_id: UUID,
        by: Actor,
        text: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        """Correct a signed session's discussion of a case."""
        self.get_supervision_session(session_id).require_signed_off()
        return self.update(
            discussion_id_of(session_id, case_id),
            CaseDiscussion,
            "case discussion",
            expected_version,
            lambda d: d.add_addendum(by, text, occurred_at),
        )

    def set_supervision_frequency(
        self,
        by: Actor,
        staff_id: UUID,
        every_days: int = 28,
        new_staff_every_days: int = 14,
        new_staff_months: int = 6,
        started_on: date | None = None,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Set (or change) how often a staff member is to be supervised."""
        self.load(staff_id, Staff, "staff member")
        try:
            schedule = self.get_supervision_schedule(staff_id)
        except NotFound:
            schedule = SupervisionSchedule.set_policy(
                by,
                staff_id,
                every_days,
                new_staff_every_days,
                new_staff_months,
                started_on,
                occurred_at,
            )
        else:
            schedule.change_policy(
                by, every_days, new_staff_every_days, new_staff_months, started_on, occurred_at
            )
        self.save(schedule)
        return schedule.id

    def get_supervision_schedule(self, staff_id: UUID) -> SupervisionSchedule:
        return self.load(schedule_id(staff_id), SupervisionSchedule, "supervision schedule")

    def supervision_due(self) -> list[SupervisionDue]:
        """When each active member of staff who is supervised is next due, soonest
        first (those never supervised first of all)."""
        organisation: Organisation = self.load(ORGANISATION_ID, Organisation, "organisation")
        due = []
        for staff_id in organisation.staff_ids:
            staff: Staff = self.load(staff_id, Staff, "staff member")
            if not staff.active or not SUPERVISED_ROLES & set(staff.roles):
                continue
            try:
                schedule = self.get_supervision_schedule(staff_id)
            except NotFound:
                due.append(SupervisionDue(staff_id, staff.name, None, None))
                continue
            due.append(
                SupervisionDue(staff_id, staff.name, schedule.last_supervised_on, schedule.due_on())
            )
        return sorted(due, key=lambda d: (d.due_on is not None, d.due_on or date.min, d.name))

    def _schedule_or_default(self, by: Actor, staff_id: UUID) -> SupervisionSchedule:
        try:
            return self.get_supervision_schedule(staff_id)
        except NotFound:
            return SupervisionSchedule.set_policy(by, staff_id)

    def _update_session(
        self,
        session_id: UUID,
        expected_version: int | None,
        command: Callable[[SupervisionSession], T],
    ) -> T:
        return self.update(
            session_id, SupervisionSession, "supervision session", expected_version, command
        )
