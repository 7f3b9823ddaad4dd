"""Stories of a case from intake to closure, told through the service layer."""

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from casework.access import AccessDenied
from casework.aggregates.base import InvalidValue
from casework.aggregates.case import (
    AssessmentDomain,
    AssessmentRequired,
    CaseClosed,
    CaseStatus,
    ClosureNotPending,
    ClosureReason,
    ConsentMissing,
    GoalOutcome,
    GoalOutcomeMissing,
    NoteKind,
    OutcomeOfGoal,
    PlanState,
    PlanVersionNotPending,
    RiskLevel,
)
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.commands.cases import (
    AddAddendum,
    BreakTheGlass,
    CloseCase,
    OutcomeEntry,
    PlannedGoal,
    ProposePlan,
    RatedDomain,
    RecordAssessment,
    RecordConsent,
    ReopenCase,
    RerateRisk,
    ReviewPlan,
)
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.builders.centre import (
    FamilyCentre,
    family_centre,
    join_team,
    open_family_case,
    write_note,
)

SOCIAL = Discipline.SOCIAL_WORK


def goal(centre: FamilyCentre, title: str = "孩子安全 the son is safe at home") -> PlannedGoal:
    return PlannedGoal(
        goal_id=uuid4(),
        title=title,
        interventions=["safety planning", "school liaison"],
        discipline=SOCIAL,
        responsible_id=centre.worker.staff_id,
        target_date=date(2026, 9, 30),
        review_date=date(2026, 6, 30),
    )


def assess(app: Casework, centre: FamilyCentre, case_id: UUID) -> None:
    app.record_assessment(
        centre.worker,
        case_id,
        RecordAssessment(
            discipline=SOCIAL,
            domains=[
                RatedDomain(
                    domain=AssessmentDomain.FAMILY,
                    rating=4,
                    narrative="frequent quarrels, one threat",
                ),
                RatedDomain(
                    domain=AssessmentDomain.SAFETY,
                    rating=3,
                    narrative="son stays with grandmother when tense",
                ),
            ],
            summary="family under strain; safety plan needed",
        ),
    )


def test_intake_assessment_plan_notes_review_closure_and_reopening(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    case = app.repository.get(case_id)
    assert case.status == CaseStatus.INTAKE
    assert case.centre_id == centre.centre_id and case.lead_worker_id == centre.worker.staff_id
    assert case.id in app.get_staff(centre.worker.staff_id).lead_case_ids

    with pytest.raises(AssessmentRequired, match="assess the case before"):
        app.propose_plan(centre.worker, case_id, ProposePlan(goals=[goal(centre)]))
    assess(app, centre, case_id)
    assert app.repository.get(case_id).status == CaseStatus.ASSESSED

    safety = goal(centre)
    assert app.propose_plan(centre.worker, case_id, ProposePlan(goals=[safety])) == 1
    case = app.repository.get(case_id)
    assert case.status == CaseStatus.ACTIVE and case.active_plan.goals == [safety.to_goal()]

    note_id = write_note(
        app,
        centre.worker,
        case_id,
        "家访：母子情绪平稳",
        NoteKind.HOME_VISIT,
        60,
        goal_id=safety.goal_id,
    )
    app.review_plan(
        centre.worker,
        case_id,
        ReviewPlan(summary="safety plan holding", next_review_on=date(2026, 8, 31)),
    )
    assert app.repository.get(case_id).next_review_on == date(2026, 8, 31)

    with pytest.raises(GoalOutcomeMissing, match="the son is safe"):
        app.close_case(
            centre.worker,
            case_id,
            CloseCase(reason=ClosureReason.GOALS_MET, outcomes=[], summary="goals met"),
        )
    app.close_case(
        centre.worker,
        case_id,
        CloseCase(
            reason=ClosureReason.GOALS_MET,
            outcomes=[OutcomeEntry(goal_id=safety.goal_id, outcome=GoalOutcome.ACHIEVED)],
            summary="家庭关系改善 relationship improved; son safe",
        ),
    )
    assert app.repository.get(case_id).status == CaseStatus.CLOSED

    with pytest.raises(CaseClosed, match="the case is closed; a case note"):
        write_note(app, centre.worker, case_id, "follow-up call", NoteKind.PHONE, 10)

    app.reopen_case(
        centre.worker, case_id, ReopenCase(reason="new incident reported by the school")
    )
    case = app.repository.get(case_id)
    assert case.status == CaseStatus.ACTIVE
    assert len(case.closures) == 1 and len(case.reopenings) == 1
    assert note_id in case.notes


def test_a_high_risk_plan_and_closure_wait_for_supervisor_approval(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre, RiskLevel.HIGH)
    assess(app, centre, case_id)
    safety = goal(centre)
    version = app.propose_plan(centre.worker, case_id, ProposePlan(goals=[safety]))
    case = app.repository.get(case_id)
    assert case.active_plan is None and case.pending_plan.version == version
    assert case.status == CaseStatus.ASSESSED

    review_id = uuid4()
    case.approve_plan_version(centre.supervisor, version, review_id)
    app.save(case)
    case = app.repository.get(case_id)
    assert case.active_plan.approved_by_review == review_id and case.status == CaseStatus.ACTIVE
    with pytest.raises(PlanVersionNotPending):
        case.approve_plan_version(centre.supervisor, version, review_id)

    # A second version waits too; the approved first stays active meanwhile.
    assert (
        app.propose_plan(
            centre.worker, case_id, ProposePlan(goals=[safety, goal(centre, "housing")])
        )
        == 2
    )
    case = app.repository.get(case_id)
    assert [p.state for p in case.plan_versions] == [PlanState.ACTIVE, PlanState.PENDING_APPROVAL]

    closure_id = app.close_case(
        centre.worker,
        case_id,
        CloseCase(
            reason=ClosureReason.MOVED_AWAY,
            outcomes=[OutcomeEntry(goal_id=safety.goal_id, outcome=GoalOutcome.PARTLY_ACHIEVED)],
            summary="family moved to another district",
        ),
    )
    case = app.repository.get(case_id)
    assert case.status == CaseStatus.CLOSING
    revision, content = case.record_content("closure", closure_id)
    assert revision == 1
    app.amend_closure(
        case_id,
        centre.worker,
        closure_id,
        [OutcomeOfGoal(safety.goal_id, GoalOutcome.PARTLY_ACHIEVED, "referred onward")],
        "moved; referred to the new district's centre",
        "supervisor asked for the onward referral",
    )
    case = app.repository.get(case_id)
    amended_revision, amended = case.record_content("closure", closure_id)
    assert (
        amended_revision == 2
        and hashlib.sha256(amended).digest() != hashlib.sha256(content).digest()
    )
    case.approve_closure(centre.supervisor, uuid4())
    app.save(case)
    assert app.repository.get(case_id).status == CaseStatus.CLOSED
    with pytest.raises(ClosureNotPending):
        app.repository.get(case_id).approve_closure(centre.supervisor, uuid4())


def test_a_correction_is_an_addendum_and_the_original_stays(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    note_id = write_note(app, centre.worker, case_id, "spoke to the son", NoteKind.PHONE, 15)
    before = app.repository.get(case_id).record_content("note", note_id)
    app.add_addendum(
        centre.worker,
        case_id,
        AddAddendum(
            record_kind="note",
            record_id=note_id,
            narrative="spoke to the mother, not the son",
            reason="wrong person",
        ),
    )
    case = app.repository.get(case_id)
    note = case.notes[note_id]
    assert note.narrative == "spoke to the son"
    assert [a.narrative for a in note.addenda] == ["spoke to the mother, not the son"]
    assert note.addenda[0].reason == "wrong person"
    after = case.record_content("note", note_id)
    assert (before[0], after[0]) == (1, 2) and before[1] != after[1]
    # Reading the content again gives the same bytes: a reviewer's hash is stable.
    assert case.record_content("note", note_id) == after


def test_a_note_written_long_after_the_visit_is_flagged_late(
    tmp_path: Path, master_key: MasterKey
) -> None:
    settings = Settings.from_env(
        {"CASEWORK_DATA_DIR": str(tmp_path), "CASEWORK_LATE_ENTRY_HOURS": "24"}
    )
    app = Casework(settings, master_key)
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    recent = datetime.now(tz=UTC) - timedelta(hours=20)
    days_ago = datetime.now(tz=UTC) - timedelta(hours=30)
    on_time = write_note(
        app, centre.worker, case_id, "visit", NoteKind.HOME_VISIT, 45, occurred_at=recent
    )
    late = write_note(
        app, centre.worker, case_id, "visit", NoteKind.HOME_VISIT, 45, occurred_at=days_ago
    )
    notes = app.repository.get(case_id).notes
    assert notes[on_time].late_entry is False and notes[late].late_entry is True
    with pytest.raises(InvalidValue, match="occurred_at"):
        write_note(app, centre.worker, case_id, "call", occurred_at=recent + timedelta(days=2))
    app.close()


def test_no_intervention_without_consent_for_that_discipline(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre, disciplines=(SOCIAL,))
    with pytest.raises(ConsentMissing, match="consent does not cover discipline psychology"):
        write_note(
            app,
            centre.worker,
            case_id,
            "counselling",
            NoteKind.OFFICE_INTERVIEW,
            50,
            discipline=Discipline.PSYCHOLOGY,
        )
    app.record_consent(centre.worker, case_id, RecordConsent(given=False, on=date(2026, 4, 1)))
    with pytest.raises(ConsentMissing, match="withdrew consent on 2026-04-01"):
        write_note(app, centre.worker, case_id, "call")
    case = app.repository.get(case_id)
    assert not case.consent_allows()
    assert [c.given for c in case.consent_history] == [True, False]


def test_a_plan_review_date_passing_makes_the_review_overdue(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    assess(app, centre, case_id)
    app.propose_plan(centre.worker, case_id, ProposePlan(goals=[goal(centre)]))
    case = app.repository.get(case_id)
    assert not case.review_overdue(date(2026, 6, 30))
    assert case.review_overdue(date(2026, 7, 1))
    app.review_plan(
        centre.worker, case_id, ReviewPlan(summary="on track", next_review_on=date(2026, 12, 31))
    )
    assert not app.repository.get(case_id).review_overdue(date(2026, 7, 1))


def test_only_the_lead_or_the_department_head_writes_the_plan(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    assess(app, centre, case_id)
    with pytest.raises(AccessDenied, match="not the lead caseworker and not on the case team"):
        app.propose_plan(centre.second_worker, case_id, ProposePlan(goals=[goal(centre)]))
    assert app.propose_plan(centre.head, case_id, ProposePlan(goals=[goal(centre)])) == 1


def test_risk_is_rerated_with_a_reason(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    app.rerate_risk(
        centre.worker,
        case_id,
        RerateRisk(risk_level=RiskLevel.CRITICAL, reason="husband threatened with a knife"),
    )
    case = app.repository.get(case_id)
    assert case.risk_level == RiskLevel.CRITICAL
    assert case.risk_rationale == "husband threatened with a knife"


def test_a_snapshot_of_a_busy_case_restores_every_attribute(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre, RiskLevel.HIGH)
    assess(app, centre, case_id)
    safety = goal(centre)
    app.propose_plan(centre.worker, case_id, ProposePlan(goals=[safety]))
    note_id = write_note(app, centre.worker, case_id, "call")
    app.add_addendum(
        centre.worker,
        case_id,
        AddAddendum(
            record_kind="note", record_id=note_id, narrative="it was a video call", reason="detail"
        ),
    )
    join_team(app, centre.worker, case_id, centre.lawyer, Discipline.LAW, "summary")
    app.break_the_glass(
        centre.second_worker, case_id, BreakTheGlass(reason="client in crisis at night")
    )
    app.close_case(
        centre.worker,
        case_id,
        CloseCase(
            reason=ClosureReason.OTHER, outcomes=[], summary="family declined further service"
        ),
    )
    replayed = app.repository.get(case_id)
    app.take_snapshot(case_id)
    restored = app.repository.get(case_id)
    assert vars(restored).keys() == vars(replayed).keys()
    for name, value in vars(replayed).items():
        assert getattr(restored, name) == value, name


def test_a_plan_still_waiting_when_the_case_closes_cannot_reopen_it_by_approval(
    app: Casework,
) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre, RiskLevel.HIGH)
    assess(app, centre, case_id)
    version = app.propose_plan(centre.worker, case_id, ProposePlan(goals=[goal(centre)]))
    app.close_case(
        centre.worker,
        case_id,
        CloseCase(reason=ClosureReason.CLIENT_WITHDREW, outcomes=[], summary="withdrew"),
    )
    case = app.repository.get(case_id)
    assert case.status == CaseStatus.CLOSING
    with pytest.raises(CaseClosed, match="a plan approval"):
        case.approve_plan_version(centre.supervisor, version, uuid4())
    assert case.pending_plan is not None and case.status == CaseStatus.CLOSING
