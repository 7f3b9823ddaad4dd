"""What people read in each view, told as the centre's week in `busy_centre`."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from casework.aggregates.case import AssessmentDomain, RiskLevel
from casework.aggregates.discipline import Discipline
from casework.aggregates.referral import SharedPart, Urgency
from casework.application import Casework
from casework.application.commands.cases import (
    PlannedGoal,
    ProposePlan,
    RatedDomain,
    RecordAssessment,
    ReopenCase,
)
from casework.application.commands.referrals import (
    AcceptReferral,
    ReferOnward,
)
from casework.projections import Projections
from tests.builders.centre import open_family_case, write_note
from tests.builders.referrals import refer, to_department
from tests.projections.test_projections import MONDAY, Story, busy_centre


@pytest.fixture
def story(app: Casework) -> Story:
    return busy_centre(app)


@pytest.fixture
def projections(app: Casework, story: Story) -> Iterator[Projections]:
    projections = Projections(app)
    projections.catch_up()
    yield projections
    projections.close()


def test_the_case_plan_shows_goals_by_discipline_and_the_approval_lapsing_on_a_new_version(
    app: Casework, story: Story, projections: Projections
) -> None:
    with projections.read("case_plan") as (view, connection):
        plan = view.plan_of(connection, story.high_risk_case)
    assert plan is not None
    assert (plan.active_version, plan.approved_version, plan.pending_version) == (1, 1, None)
    assert not plan.amended_since_approval
    assert [(g.discipline, g.interventions, g.outcome) for g in plan.goals] == [
        ("social_work", 2, "achieved"),
        ("law", 1, "achieved"),
    ]
    assert {g.responsible_id for g in plan.goals} == {
        story.centre.worker.staff_id,
        story.centre.second_worker.staff_id,
    }

    app.reopen_case(story.centre.worker, story.high_risk_case, ReopenCase(reason="new threats"))
    app.propose_plan(story.centre.worker, story.high_risk_case, ProposePlan(goals=story.goals[:1]))
    projections.catch_up()
    with projections.read("case_plan") as (view, connection):
        plan = view.plan_of(connection, story.high_risk_case)
        overdue = view.overdue(connection, date(2026, 3, 25))
    assert plan is not None
    assert (plan.active_version, plan.pending_version, plan.latest_version) == (1, 2, 2)
    assert plan.amended_since_approval  # "approved v1; amended since"
    assert [g.plan_state for g in plan.goals] == ["active", "active", "pending_approval"]
    # The reopened case's active goals: the social-work review (20 March) is overdue.
    assert [(o.what, o.due) for o in overdue] == [("review", date(2026, 3, 20))]


def test_a_low_risk_plan_is_active_at_once_and_its_late_targets_show_as_overdue(
    app: Casework, story: Story, projections: Projections
) -> None:
    goal = PlannedGoal(
        goal_id=story.goals[0].goal_id,
        title="school attendance",
        interventions=["meet the teacher"],
        discipline=Discipline.EDUCATION,
        responsible_id=story.centre.second_worker.staff_id,
        target_date=date(2026, 3, 1),
        review_date=date(2026, 2, 20),
    )
    app.record_assessment(
        story.centre.second_worker,
        story.quiet_case,
        RecordAssessment(
            discipline=Discipline.SOCIAL_WORK,
            domains=[
                RatedDomain(domain=AssessmentDomain.EDUCATION, rating=3, narrative="missing school")
            ],
            summary="school first",
        ),
    )
    app.propose_plan(story.centre.second_worker, story.quiet_case, ProposePlan(goals=[goal]))
    projections.catch_up()
    with projections.read("case_plan") as (view, connection):
        overdue = view.overdue(
            connection, date(2026, 3, 5), responsible_id=story.centre.second_worker.staff_id
        )
        plan = view.plan_of(connection, story.quiet_case)
    assert plan is not None and plan.active_version == 1 and plan.approved_version is None
    assert [(o.case_id, o.what, o.discipline) for o in overdue] == [
        (story.quiet_case, "target", "education"),
        (story.quiet_case, "review", "education"),
    ]


def test_the_referral_chain_shows_every_hop_its_response_time_and_stalls(
    story: Story, projections: Projections
) -> None:
    with projections.read("referral_chains") as (view, connection):
        chain = view.chain(connection, story.first_referral)
        by_case = view.of_case(connection, story.high_risk_case)
        stalled = view.stalled(connection, MONDAY + timedelta(days=30))
        legal_aid = view.of_holder(connection, story.centre.legal_aid_id)
        holders = {h.holder_id: h for h in view.holders(connection)}
    assert [(h.hop, h.receiver_kind, h.status) for h in chain] == [
        (1, "department", "accepted"),
        (2, "agency", "sent"),
    ]
    assert chain[0].response_seconds == 20 * 3600
    assert chain[1].parent_id == story.first_referral and not chain[1].loop
    assert by_case == chain
    assert [h.referral_id for h in stalled] == [story.onward_referral]
    assert [h.referral_id for h in legal_aid] == [story.onward_referral]
    assert holders[story.centre.elderly_id].received == 1
    assert holders[story.centre.elderly_id].sent == 1
    assert holders[story.centre.elderly_id].mean_response_seconds == 20 * 3600


def test_a_chain_that_comes_back_to_the_family_department_is_a_loop(
    app: Casework, story: Story, projections: Projections
) -> None:
    case_id = open_family_case(app, story.centre, RiskLevel.MEDIUM)
    summary = [SharedPart.CASE_SUMMARY]
    elderly = to_department(story.centre.elderly_id)
    first = refer(app, story.centre, case_id, elderly, "day care", Urgency.ROUTINE, summary)
    app.accept_referral(story.centre.elderly_head, first, AcceptReferral())
    back = app.refer_onward(
        story.centre.elderly_head,
        first,
        ReferOnward(
            receiver=to_department(story.centre.family_id),
            reason="this is a family matter after all",
            urgency=Urgency.ROUTINE,
            shared=summary,
        ),
    )
    projections.catch_up()
    with projections.read("referral_chains") as (view, connection):
        loops = view.loops(connection)
    assert [h.referral_id for h in loops] == [back]


def test_supervision_history_by_worker_supervisor_and_case_with_what_is_overdue(
    story: Story, projections: Projections
) -> None:
    centre = story.centre
    with projections.read("supervision_history") as (view, connection):
        of_worker = view.of_worker(connection, centre.worker.staff_id)
        of_supervisor = view.of_supervisor(connection, centre.supervisor.staff_id)
        of_case = view.of_case(connection, story.quiet_case)
        items = view.open_action_items(connection, date(2026, 3, 20))
        unsigned = view.unsigned(connection, datetime(2026, 3, 20, tzinfo=UTC))
        due = {d.staff_id: d for d in view.supervision_due(connection, date(2026, 4, 10))}
        of_supervisees = view.supervision_due(
            connection, date(2026, 4, 10), supervisor_id=centre.supervisor.staff_id
        )
    assert of_worker == of_supervisor == of_case
    session = of_worker[0]
    assert (session.session_format, session.cases_discussed, session.decisions) == ("group", 2, 1)
    assert (session.action_items, session.signatures, session.signatures_needed) == (2, 1, 3)
    assert [(i.owner_id, i.overdue) for i in items] == [
        (centre.worker.staff_id, True),
        (centre.second_worker.staff_id, False),
    ]
    assert unsigned == [session]
    assert due[centre.worker.staff_id].last_supervised_on == date(2026, 3, 10)
    assert due[centre.worker.staff_id].due_on == date(2026, 4, 7)
    assert due[centre.worker.staff_id].overdue
    assert due[centre.worker.staff_id].supervisor_ids == [centre.supervisor.staff_id]
    assert {d.staff_id for d in of_supervisees} == {
        centre.worker.staff_id,
        centre.second_worker.staff_id,
    }


def test_the_case_index_finds_my_cases_department_cases_and_filters(
    app: Casework, story: Story, projections: Projections
) -> None:
    centre = story.centre
    with projections.read("case_index") as (view, connection):
        mine = view.find(connection, worker_id=centre.worker.staff_id)
        open_cases = view.find(connection, open_only=True, department_id=centre.family_id)
        high = view.find(connection, risk=["high", "critical"])
        closed = view.find(connection, status=["closed"])
        narrowed = view.find(connection, case_ids=[story.quiet_case])
    assert [c.case_id for c in mine] == [story.high_risk_case]
    assert [c.case_id for c in open_cases] == [story.quiet_case]
    assert [c.case_id for c in high] == [c.case_id for c in closed] == [story.high_risk_case]
    assert [c.case_id for c in narrowed] == [story.quiet_case]
    assert (high[0].notes, high[0].plan_version) == (2, 1)

    app.reopen_case(centre.worker, story.high_risk_case, ReopenCase(reason="new threats"))
    projections.catch_up()
    with projections.read("case_index") as (view, connection):
        overdue = view.find(connection, overdue_on=date(2026, 3, 21))
    assert [c.case_id for c in overdue] == [story.high_risk_case]


def test_the_audit_timeline_lists_every_event_of_a_case_with_who_and_when(
    app: Casework, story: Story, projections: Projections
) -> None:
    with projections.read("audit_timeline") as (view, connection):
        timeline = view.of_case(connection, story.high_risk_case)
    kinds = [(e.record_type, e.kind) for e in timeline]
    assert kinds[0] == ("Case", "Opened")
    assert ("Case", "NoteRecorded") in kinds
    assert ("Referral", "Sent") in kinds and ("Review", "Approved") in kinds
    assert ("CaseDiscussion", "Written") in kinds
    assert ("Case", "EmergencyAccessStarted") in kinds
    assert [e.position for e in timeline] == sorted(e.position for e in timeline)
    glass = next(e for e in timeline if e.kind == "EmergencyAccessStarted")
    assert (glass.actor_id, glass.actor_role) == (
        story.centre.head.staff_id,
        "department_head",
    )
    assert all(e.recorded_at is not None for e in timeline)
    note = app.repository.get(story.high_risk_case).notes
    assert {e.touched_id for e in timeline if e.kind == "NoteRecorded"} == set(note)


def test_caseloads_per_worker_and_department(
    app: Casework, story: Story, projections: Projections
) -> None:
    centre = story.centre
    write_note(
        app,
        centre.second_worker,
        story.quiet_case,
        "called late",
        occurred_at=datetime.now(tz=UTC) - timedelta(days=4),
    )
    projections.catch_up()
    with projections.read("caseload") as (view, connection):
        report = view.report(connection, app.last_position(), date(2026, 4, 20))
        mine = view.monthly_by(
            connection, app.last_position(), worker_id=centre.second_worker.staff_id
        )
    second = report.by_worker[centre.second_worker.staff_id]
    assert second.open_by_risk == {"low": 1} and second.open_cases == 1
    assert report.by_worker[centre.worker.staff_id].open_cases == 0
    assert report.by_department[centre.family_id].open_by_status == {"intake": 1}
    assert {(m.indicator, m.detail) for m in mine} >= {
        ("late_entry", "phone"),
        ("note", "phone"),
        ("intake", "community_committee"),
    }
