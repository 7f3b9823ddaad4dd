"""Stories of the people around a case: specialists joining and leaving its team,
a worker handing over before they leave, and emergency access."""

from datetime import UTC, date, datetime, timedelta

import pytest

from casework.access import AccessDenied, Action, RecordKind, may
from casework.aggregates.base import Actor, InvalidValue, Role
from casework.aggregates.case import (
    AlreadyOnTeam,
    CaseStatus,
    ClosureReason,
    ConsentMissing,
    EmergencyAccessNotOpen,
    NoteKind,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.aggregates.staff import HandOverRequired, StaffHasLeft
from casework.application import Casework
from casework.application.commands.cases import (
    BreakTheGlass,
    CloseCase,
    HandOverCase,
    RecordConsent,
    RemoveTeamMember,
    ReopenCase,
)
from casework.application.commands.organisation import AssignSupervisor, RecordLeaving
from tests.builders.centre import enrol, family_centre, join_team, open_family_case, write_note

LAW, PSYCHOLOGY = Discipline.LAW, Discipline.PSYCHOLOGY


def test_a_legal_and_a_psychology_specialist_join_a_family_case(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre, disciplines=(Discipline.SOCIAL_WORK, LAW))
    join_team(app, centre.worker, case_id, centre.lawyer, LAW, TeamScope.SUMMARY)
    # Psychology is not in the client's consent yet: the specialist cannot join.
    with pytest.raises(ConsentMissing, match="psychology"):
        join_team(app, centre.worker, case_id, centre.psychologist, PSYCHOLOGY)
    app.record_consent(
        centre.worker,
        case_id,
        RecordConsent(
            given=True, on=date(2026, 3, 5), disciplines=[Discipline.SOCIAL_WORK, LAW, PSYCHOLOGY]
        ),
    )
    join_team(app, centre.worker, case_id, centre.psychologist, PSYCHOLOGY)
    with pytest.raises(AlreadyOnTeam):
        join_team(app, centre.head, case_id, centre.lawyer, LAW)
    with pytest.raises(InvalidValue, match="does not practise psychology"):
        join_team(app, centre.worker, case_id, centre.lawyer, PSYCHOLOGY)

    # Each writes in their own discipline; the lawyer (summary scope) sees the plan and
    # legal notes but not the psychologist's, who (full scope) sees everything.
    legal = write_note(
        app,
        centre.lawyer,
        case_id,
        "explained custody law",
        NoteKind.OFFICE_INTERVIEW,
        40,
        discipline=LAW,
    )
    write_note(
        app,
        centre.psychologist,
        case_id,
        "grief work",
        NoteKind.OFFICE_INTERVIEW,
        50,
        discipline=PSYCHOLOGY,
    )
    case = app.repository.get(case_id)
    assert case.notes[legal].discipline == LAW
    now = datetime.now(tz=UTC)
    lawyer = app.actor_context(centre.lawyer)
    psychologist = app.actor_context(centre.psychologist)
    assert may(lawyer, Action.SEE, RecordKind.PLAN, case, now)
    assert may(lawyer, Action.SEE, RecordKind.NOTE, case, now, LAW)
    assert not may(lawyer, Action.SEE, RecordKind.NOTE, case, now, PSYCHOLOGY)
    assert may(psychologist, Action.SEE, RecordKind.NOTE, case, now, LAW)
    assert not may(psychologist, Action.WRITE, RecordKind.NOTE, case, now, LAW)

    # Removing the lawyer ends their access from that moment; the history stays.
    with pytest.raises(AccessDenied, match="writes only psychology notes and assessments"):
        app.remove_team_member(
            centre.psychologist,
            case_id,
            RemoveTeamMember(staff_id=centre.lawyer.staff_id, discipline=LAW, reason="x"),
        )
    app.remove_team_member(
        centre.worker,
        case_id,
        RemoveTeamMember(staff_id=centre.lawyer.staff_id, discipline=LAW, reason="advice given"),
    )
    case = app.repository.get(case_id)
    later = datetime.now(tz=UTC)
    assert not may(lawyer, Action.SEE, RecordKind.PLAN, case, later)
    assert may(lawyer, Action.SEE, RecordKind.PLAN, case, now)
    member = next(m for m in case.team if m.staff_id == centre.lawyer.staff_id)
    assert member.removed_at is not None and member.added_at <= member.removed_at


def test_a_team_membership_with_an_end_date_expires_by_itself(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    ends = datetime.now(tz=UTC) + timedelta(days=30)
    join_team(app, centre.worker, case_id, centre.lawyer, LAW, ends_at=ends)
    case = app.repository.get(case_id)
    lawyer = app.actor_context(centre.lawyer)
    assert may(lawyer, Action.SEE, RecordKind.CLOSURE, case, ends - timedelta(minutes=1))
    assert not may(lawyer, Action.SEE, RecordKind.SUMMARY, case, ends)


def test_a_worker_leaves_only_after_handing_over_their_open_cases(app: Casework) -> None:
    centre = family_centre(app)
    first = open_family_case(app, centre)
    second = open_family_case(app, centre)
    app.close_case(
        centre.worker,
        second,
        CloseCase(reason=ClosureReason.CLIENT_WITHDREW, outcomes=[], summary="client withdrew"),
    )

    with pytest.raises(HandOverRequired, match=str(first)) as refused:
        app.staff_leaves(
            centre.director, centre.worker.staff_id, RecordLeaving(on=date(2026, 6, 30))
        )
    assert refused.value.details["case_ids"] == [str(first)]

    app.hand_over_case(
        centre.head,
        first,
        HandOverCase(to_staff_id=centre.second_worker.staff_id, reason="陈静 leaves the centre"),
    )
    assert app.repository.get(first).lead_worker_id == centre.second_worker.staff_id
    assert first in app.get_staff(centre.second_worker.staff_id).lead_case_ids
    app.staff_leaves(centre.director, centre.worker.staff_id, RecordLeaving(on=date(2026, 6, 30)))
    leaver = app.get_staff(centre.worker.staff_id)
    assert not leaver.active and leaver.left_on == date(2026, 6, 30)
    with pytest.raises(StaffHasLeft):
        app.actor_context(centre.worker)
    # Their closed case comes back: it needs a lead who is still here.
    with pytest.raises(StaffHasLeft):
        app.reopen_case(centre.head, second, ReopenCase(reason="client asked for help again"))
    app.hand_over_case(
        centre.head,
        second,
        HandOverCase(to_staff_id=centre.second_worker.staff_id, reason="陈静 has left"),
    )
    app.reopen_case(centre.head, second, ReopenCase(reason="client asked for help again"))
    assert app.repository.get(second).status == CaseStatus.INTAKE


def test_break_the_glass_is_time_limited_recorded_and_flagged(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    youth_worker = enrol(app, centre, "何伟 He Wei", centre.youth_id, Role.CASEWORKER)
    app.assign_supervisor(
        centre.director,
        youth_worker,
        AssignSupervisor(supervisor_id=centre.supervisor.staff_id, starts_on=date(2026, 1, 1)),
    )
    on_duty = app.actor_context(Actor(youth_worker, Role.CASEWORKER))
    case = app.repository.get(case_id)
    now = datetime.now(tz=UTC)
    assert not may(on_duty, Action.SEE, RecordKind.NOTE, case, now)

    grant_id = app.break_the_glass(
        Actor(youth_worker, Role.CASEWORKER),
        case_id,
        BreakTheGlass(reason="client at the door at night, lead worker unreachable"),
    )
    case = app.repository.get(case_id)
    grant = case.emergency_access[0]
    assert grant.grant_id == grant_id and grant.until - grant.started_at == timedelta(hours=4)
    assert set(grant.flagged_to) == {centre.supervisor.staff_id, centre.director.staff_id}
    assert may(on_duty, Action.SEE, RecordKind.NOTE, case, now + timedelta(minutes=1))
    assert not may(on_duty, Action.WRITE, RecordKind.PLAN, case, now + timedelta(minutes=1))
    assert not may(on_duty, Action.SEE, RecordKind.NOTE, case, now + timedelta(hours=5))

    app.end_emergency_access(case_id, Actor(youth_worker, Role.CASEWORKER), grant_id)
    case = app.repository.get(case_id)
    assert not may(on_duty, Action.SEE, RecordKind.NOTE, case, datetime.now(tz=UTC))
    assert [type(e).__name__ for e in app.events.get(case_id)][-2:] == [
        "EmergencyAccessStarted",
        "EmergencyAccessEnded",
    ]
    with pytest.raises(EmergencyAccessNotOpen):
        app.end_emergency_access(case_id, centre.worker, grant_id)


def test_an_erased_case_needs_no_hand_over(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    app.keyring.destroy(case_id, datetime.now(tz=UTC))
    app.staff_leaves(centre.director, centre.worker.staff_id, RecordLeaving(on=date(2026, 6, 30)))
    assert not app.get_staff(centre.worker.staff_id).active
