"""Supervision stories: a group session on three cases, sign-off, addenda, follow-up,
private wellbeing notes and overdue supervision."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from casework.access import AccessDenied
from casework.aggregates.base import Actor, InvalidValue
from casework.aggregates.supervision import (
    AlreadySigned,
    NotASessionParticipant,
    SessionFormat,
    SessionNotSigned,
    SessionSignedOff,
    Topic,
)
from casework.application import Casework
from casework.application.commands.supervision import (
    AddSupervisionAddendum,
    MarkActionItemDone,
    RecordSupervisionDecision,
    SetSupervisionFrequency,
    SignSupervisionSession,
    WriteSupervisionNote,
)
from casework.application.errors import NotFound
from tests.builders.centre import FamilyCentre, family_centre, open_family_case
from tests.builders.supervision import discuss, set_action, supervisor_holds

HELD_AT = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def sign(app: Casework, signer: Actor, session_id: UUID) -> None:
    app.sign_supervision_session(signer, session_id, SignSupervisionSession())


def group_session(app: Casework, centre: FamilyCentre) -> UUID:
    supervisees = [centre.worker.staff_id, centre.second_worker.staff_id]
    return supervisor_holds(app, centre, SessionFormat.GROUP, supervisees, 90, occurred_at=HELD_AT)


def test_a_group_session_discusses_three_cases_and_everyone_signs(app: Casework) -> None:
    centre = family_centre(app)
    cases = [open_family_case(app, centre) for _ in range(3)]
    session_id = group_session(app, centre)
    for number, case_id in enumerate(cases, 1):
        discuss(
            app,
            centre,
            session_id,
            case_id,
            f"case {number}: the daughter's caregiving strain",
            ["hold a family meeting", "screen for elder abuse"],
        )
    app.record_supervision_decision(
        centre.supervisor,
        session_id,
        RecordSupervisionDecision(decision="case 2 moves to weekly home visits"),
    )
    first_item = set_action(
        app, centre, session_id, centre.worker, "book the family meeting", date(2026, 3, 17)
    )
    set_action(
        app,
        centre,
        session_id,
        centre.second_worker,
        "refer case 3 for a legal consultation",
        date(2026, 3, 24),
    )
    for signer in (centre.supervisor, centre.worker, centre.second_worker):
        sign(app, signer, session_id)

    session = app.get_supervision_session(centre.supervisor, session_id)
    assert session.signed_off
    assert session.case_ids == cases
    assert session.decisions == ["case 2 moves to weekly home visits"]
    assert [i.owner_id for i in session.action_items] == [
        centre.worker.staff_id,
        centre.second_worker.staff_id,
    ]
    assert [i.item_id for i in session.overdue_action_items(date(2026, 3, 20))] == [first_item]

    app.mark_action_item_done(centre.worker, session_id, first_item, MarkActionItemDone())
    assert (
        app.get_supervision_session(centre.supervisor, session_id).overdue_action_items(
            date(2026, 3, 20)
        )
        == []
    )

    discussion = app.get_case_discussion(centre.supervisor, session_id, cases[0])
    assert discussion.summary == "case 1: the daughter's caregiving strain"
    # What was said about a case is sealed under that case's key, not the organisation's.
    assert discussion.case_id_for_keys() == cases[0]
    assert session.case_id_for_keys() is None


def test_a_signed_record_is_closed_to_edits_and_corrected_by_addenda(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    session_id = group_session(app, centre)
    discuss(app, centre, session_id, case_id, "caregiver strain", ["respite care"])
    with pytest.raises(SessionNotSigned):
        app.add_supervision_addendum(
            centre.supervisor, session_id, AddSupervisionAddendum(text="too early")
        )
    for signer in (centre.supervisor, centre.worker, centre.second_worker):
        sign(app, signer, session_id)

    with pytest.raises(SessionSignedOff, match="add an addendum"):
        app.record_supervision_decision(
            centre.supervisor, session_id, RecordSupervisionDecision(decision="an afterthought")
        )
    with pytest.raises(SessionSignedOff):
        discuss(app, centre, session_id, case_id, "rewritten")

    app.add_supervision_addendum(
        centre.supervisor,
        session_id,
        AddSupervisionAddendum(text="the session lasted 100 minutes"),
    )
    app.add_case_discussion_addendum(
        centre.supervisor,
        session_id,
        case_id,
        AddSupervisionAddendum(text="respite care is for the mother, not the daughter"),
    )
    assert [a.text for a in app.get_supervision_session(centre.supervisor, session_id).addenda] == [
        "the session lasted 100 minutes"
    ]
    discussion = app.get_case_discussion(centre.supervisor, session_id, case_id)
    assert discussion.summary == "caregiver strain"
    assert discussion.addenda[0].author_id == centre.supervisor.staff_id


def test_an_edit_after_some_signatures_asks_them_to_sign_again(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    session_id = group_session(app, centre)
    sign(app, centre.worker, session_id)
    discuss(app, centre, session_id, case_id, "first draft")
    discuss(app, centre, session_id, case_id, "second draft")

    session = app.get_supervision_session(centre.supervisor, session_id)
    assert session.signed_by == []
    assert session.case_ids == [case_id]
    assert app.get_case_discussion(centre.supervisor, session_id, case_id).summary == "second draft"


def test_only_participants_sign_and_only_once(app: Casework) -> None:
    centre = family_centre(app)
    session_id = group_session(app, centre)
    with pytest.raises(NotASessionParticipant):
        sign(app, centre.head, session_id)
    sign(app, centre.worker, session_id)
    with pytest.raises(AlreadySigned):
        sign(app, centre.worker, session_id)


def test_an_unsigned_record_older_than_a_week_is_flagged(app: Casework) -> None:
    centre = family_centre(app)
    session = app.get_supervision_session(centre.supervisor, group_session(app, centre))
    assert not session.awaits_sign_off(HELD_AT + timedelta(days=6))
    assert session.awaits_sign_off(HELD_AT + timedelta(days=8))


def test_wellbeing_notes_are_private_to_the_supervisor_and_that_supervisee(
    app: Casework,
) -> None:
    centre = family_centre(app)
    session_id = group_session(app, centre)
    app.write_supervision_note(
        centre.supervisor,
        session_id,
        WriteSupervisionNote(
            topic=Topic.PROFESSIONAL_DEVELOPMENT, text="motivational interviewing"
        ),
    )
    app.write_supervision_note(
        centre.supervisor,
        session_id,
        WriteSupervisionNote(
            topic=Topic.WELLBEING,
            text="signs of burnout after the third night call this month",
            about_id=centre.worker.staff_id,
        ),
    )

    def topics_seen_by(reader: Actor) -> list[Topic]:
        return [n.topic for n in app.supervision_notes_for(reader, session_id)]

    assert topics_seen_by(centre.supervisor) == [Topic.PROFESSIONAL_DEVELOPMENT, Topic.WELLBEING]
    assert topics_seen_by(centre.worker) == [Topic.PROFESSIONAL_DEVELOPMENT, Topic.WELLBEING]
    assert topics_seen_by(centre.second_worker) == [Topic.PROFESSIONAL_DEVELOPMENT]
    with pytest.raises(AccessDenied, match="for its participants"):
        topics_seen_by(centre.director)  # not a participant: refused, and recorded
    with pytest.raises(InvalidValue, match="about"):
        app.write_supervision_note(
            centre.supervisor,
            session_id,
            WriteSupervisionNote(topic=Topic.WELLBEING, text="tired"),
        )


def test_session_formats_need_the_right_supervisees(app: Casework) -> None:
    centre = family_centre(app)
    with pytest.raises(InvalidValue, match="supervisees"):
        supervisor_holds(app, centre, SessionFormat.GROUP, [centre.worker.staff_id])
    with pytest.raises(InvalidValue, match="supervisees"):
        supervisor_holds(app, centre, SessionFormat.INDIVIDUAL, [centre.supervisor.staff_id])
    with pytest.raises(InvalidValue, match="duration_minutes"):
        supervisor_holds(app, centre, SessionFormat.INDIVIDUAL, [centre.worker.staff_id], 0)


def test_new_staff_are_due_every_two_weeks_then_every_four(app: Casework) -> None:
    centre = family_centre(app)
    newcomer = centre.second_worker.staff_id
    app.set_supervision_frequency(
        centre.director, newcomer, SetSupervisionFrequency(started_on=date(2026, 1, 5))
    )
    assert app.get_supervision_schedule(centre.director, newcomer).due_on() == date(2026, 1, 19)

    def supervised_on(day: datetime, topic: Topic) -> None:
        supervisor_holds(app, centre, SessionFormat.INDIVIDUAL, [newcomer], 60, (topic,), day)

    supervised_on(datetime(2026, 1, 16, 10, tzinfo=UTC), Topic.WELLBEING)
    schedule = app.get_supervision_schedule(centre.director, newcomer)
    assert schedule.due_on() == date(2026, 1, 30)
    assert not schedule.is_overdue(date(2026, 1, 30))
    assert schedule.is_overdue(date(2026, 2, 2))

    supervised_on(datetime(2026, 7, 10, 10, tzinfo=UTC), Topic.CASE_PRACTICE)
    assert app.get_supervision_schedule(centre.director, newcomer).due_on() == date(2026, 8, 7)


def test_a_supervisee_without_a_set_policy_gets_the_default(app: Casework) -> None:
    centre = family_centre(app)
    group_session(app, centre)
    schedule = app.get_supervision_schedule(centre.director, centre.worker.staff_id)
    assert schedule.last_supervised_on == HELD_AT.date()
    assert schedule.due_on() == HELD_AT.date() + timedelta(days=28)

    app.set_supervision_frequency(
        centre.director, centre.worker.staff_id, SetSupervisionFrequency(every_days=14)
    )
    schedule = app.get_supervision_schedule(centre.worker, centre.worker.staff_id)
    assert schedule.due_on() == date(2026, 3, 24)
    with pytest.raises(InvalidValue, match="every_days"):
        app.set_supervision_frequency(
            centre.director, centre.worker.staff_id, SetSupervisionFrequency(every_days=0)
        )


def test_only_those_who_oversee_someone_set_how_often_they_are_supervised(
    app: Casework,
) -> None:
    centre = family_centre(app)
    worker = centre.worker.staff_id
    for refused in (centre.worker, centre.second_worker, centre.elderly_head):
        with pytest.raises(AccessDenied, match="may not set how often"):
            app.set_supervision_frequency(refused, worker, SetSupervisionFrequency(every_days=14))
    with pytest.raises(AccessDenied, match="may not read this person's supervision schedule"):
        app.get_supervision_schedule(centre.second_worker, worker)
    app.set_supervision_frequency(centre.supervisor, worker, SetSupervisionFrequency(every_days=21))
    assert app.get_supervision_schedule(centre.head, worker).every_days == 21
    # Each sees when the people they may read about are due: a caseworker only themselves.
    assert [d.staff_id for d in app.supervision_due(centre.worker)] == [worker]
    assert worker in {d.staff_id for d in app.supervision_due(centre.director)}


def test_action_items_name_what_is_to_be_done_and_are_done_once(app: Casework) -> None:
    centre = family_centre(app)
    session_id = group_session(app, centre)
    with pytest.raises(InvalidValue, match="description"):
        set_action(app, centre, session_id, centre.worker, " ", HELD_AT.date())
    item_id = set_action(
        app, centre, session_id, centre.worker, "read the guideline", date(2026, 3, 31)
    )
    done = MarkActionItemDone()
    app.mark_action_item_done(centre.worker, session_id, item_id, done)
    with pytest.raises(InvalidValue, match="action_item: is already done"):
        app.mark_action_item_done(centre.worker, session_id, item_id, done)
    with pytest.raises(InvalidValue, match="action_item: this session has no action item"):
        app.mark_action_item_done(centre.worker, session_id, uuid4(), done)


def test_only_staff_are_supervised_and_only_cases_that_exist_are_discussed(
    app: Casework,
) -> None:
    centre = family_centre(app)
    session_id = group_session(app, centre)
    with pytest.raises(NotFound, match="no case"):
        discuss(app, centre, session_id, uuid4(), "who?")
    with pytest.raises(NotFound, match="no staff member"):
        supervisor_holds(app, centre, SessionFormat.INDIVIDUAL, [uuid4()])
    assert app.get_supervision_session(centre.supervisor, session_id).case_ids == []
