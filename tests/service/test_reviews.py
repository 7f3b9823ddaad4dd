"""Case-record review stories: revision cycles, approvals that lapse when the record is
amended, high-risk plans and closures approved here, and who may approve."""

from datetime import date
from uuid import UUID, uuid4

import pytest

from casework.aggregates.base import Actor
from casework.aggregates.case import (
    AssessmentDomain,
    ClosureReason,
    DomainRating,
    Goal,
    GoalOutcome,
    NoteKind,
    OutcomeOfGoal,
    PlanState,
    RiskLevel,
)
from casework.aggregates.discipline import Discipline
from casework.aggregates.review import (
    AlreadyApproved,
    NoRevisionRequested,
    NotAuthorisedToApprove,
    NotAuthorisedToReview,
    NotAuthorOrLead,
    OwnRecord,
    RecordKind,
    RevisionNotMade,
    Verdict,
)
from casework.application import Casework
from casework.application.commands.reviews import ApproveRecord, RequestRevision, SubmitRevision
from tests.builders.centre import (
    FamilyCentre,
    family_centre,
    join_team,
    open_family_case,
)


def write_note(app: Casework, case_id: UUID, by: Actor, narrative: str) -> UUID:
    case = app.repository.get(case_id)
    note_id = case.record_note(by, NoteKind.HOME_VISIT, narrative, 45)
    app.save(case)
    return note_id


def send_back(
    app: Casework, by: Actor, case_id: UUID, kind: RecordKind, record_id: UUID, comments: str
) -> None:
    """`by` sends a record back to its author for revision, with comments."""
    app.request_revision(by, case_id, kind, record_id, RequestRevision(comments=comments))


def add_addendum(app: Casework, case_id: UUID, note_id: UUID, by: Actor, text: str) -> None:
    case = app.repository.get(case_id)
    case.add_addendum(by, "note", note_id, text, "asked for by my supervisor")
    app.save(case)


def plan_a_high_risk_case(app: Casework, centre: FamilyCentre) -> tuple[UUID, UUID]:
    case_id = open_family_case(app, centre, risk_level=RiskLevel.HIGH)
    case = app.repository.get(case_id)
    case.record_assessment(
        centre.worker,
        Discipline.SOCIAL_WORK,
        [DomainRating(AssessmentDomain.SAFETY, 4, "threats from the son-in-law")],
        "the mother is at risk at home",
    )
    goal = Goal(
        uuid4(),
        "a safe place to live",
        ["apply for a protection order"],
        Discipline.LAW,
        centre.worker.staff_id,
        date(2026, 9, 1),
        date(2026, 6, 1),
    )
    case.propose_plan(centre.worker, [goal])
    app.save(case)
    return case_id, goal.goal_id


def close_a_high_risk_case(
    app: Casework, centre: FamilyCentre, summary: str
) -> tuple[UUID, UUID, UUID]:
    """A high-risk case whose plan the supervisor approved, closed with its goal met:
    (case, goal, closure); the closure waits for approval."""
    case_id, goal_id = plan_a_high_risk_case(app, centre)
    app.approve_record(centre.supervisor, case_id, RecordKind.PLAN, case_id, ApproveRecord())
    case = app.repository.get(case_id)
    closure_id = case.close(
        centre.worker,
        ClosureReason.GOALS_MET,
        [OutcomeOfGoal(goal_id, GoalOutcome.ACHIEVED)],
        summary,
    )
    app.save(case)
    return case_id, goal_id, closure_id


def test_a_note_sent_back_twice_is_approved_then_the_approval_lapses(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    note_id = write_note(app, case_id, centre.worker, "visited; the mother seemed fine")
    assert app.review_standing(centre.worker, case_id, RecordKind.NOTE, note_id) == "not reviewed"

    send_back(
        app,
        centre.supervisor,
        case_id,
        RecordKind.NOTE,
        note_id,
        "what did you observe of her care?",
    )
    with pytest.raises(RevisionNotMade):
        app.approve_record(centre.supervisor, case_id, RecordKind.NOTE, note_id, ApproveRecord())
    with pytest.raises(RevisionNotMade):
        app.submit_revision(centre.worker, case_id, RecordKind.NOTE, note_id, SubmitRevision())
    add_addendum(app, case_id, note_id, centre.worker, "she had bruises on her forearm")
    app.submit_revision(centre.worker, case_id, RecordKind.NOTE, note_id, SubmitRevision())
    assert (
        app.review_standing(centre.worker, case_id, RecordKind.NOTE, note_id)
        == "revision requested on v1 (revised since)"
    )

    send_back(
        app, centre.supervisor, case_id, RecordKind.NOTE, note_id, "did you ask how she got them?"
    )
    add_addendum(app, case_id, note_id, centre.worker, "she said she fell; the daughter hesitated")
    app.submit_revision(centre.worker, case_id, RecordKind.NOTE, note_id, SubmitRevision())
    review_id = app.approve_record(
        centre.supervisor, case_id, RecordKind.NOTE, note_id, ApproveRecord()
    )
    assert app.review_standing(centre.worker, case_id, RecordKind.NOTE, note_id) == "approved v3"

    review = app.get_review(centre.worker, case_id, RecordKind.NOTE, note_id)
    assert review.id == review_id
    assert [(j.verdict, j.revision) for j in review.judgements] == [
        (Verdict.REVISION_REQUESTED, 1),
        (Verdict.REVISION_REQUESTED, 2),
        (Verdict.APPROVED, 3),
    ]
    assert [(r.revision, r.answers_request) for r in review.resubmissions] == [(2, 0), (3, 1)]
    assert len({j.content_hash for j in review.judgements}) == 3
    assert review.judgements[-1].authority == "supervises the author"
    assert review.case_id_for_keys() == case_id

    add_addendum(app, case_id, note_id, centre.worker, "correction: the left forearm")
    assert (
        app.review_standing(centre.worker, case_id, RecordKind.NOTE, note_id)
        == "approved v3; amended since"
    )
    with pytest.raises(NoRevisionRequested):
        app.submit_revision(centre.worker, case_id, RecordKind.NOTE, note_id, SubmitRevision())
    app.approve_record(centre.supervisor, case_id, RecordKind.NOTE, note_id, ApproveRecord())
    assert app.review_standing(centre.worker, case_id, RecordKind.NOTE, note_id) == "approved v4"
    with pytest.raises(AlreadyApproved, match="v4 of this record is approved"):
        app.approve_record(centre.supervisor, case_id, RecordKind.NOTE, note_id, ApproveRecord())


def test_only_the_author_or_the_case_lead_sends_a_revision_back(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    join_team(store, centre.worker, case_id, centre.second_worker, Discipline.SOCIAL_WORK)
    note_id = write_note(store, case_id, centre.second_worker, "visited with 陈静")
    send_back(store, centre.supervisor, case_id, RecordKind.NOTE, note_id, "who else was there?")
    add_addendum(store, case_id, note_id, centre.second_worker, "her daughter was there too")

    for outsider in (centre.head, centre.supervisor, centre.director):
        with pytest.raises(NotAuthorOrLead, match="author or the case's lead"):
            store.submit_revision(outsider, case_id, RecordKind.NOTE, note_id, SubmitRevision())
    store.submit_revision(
        centre.worker, case_id, RecordKind.NOTE, note_id, SubmitRevision()
    )  # the case's lead
    review = store.get_review(centre.worker, case_id, RecordKind.NOTE, note_id)
    assert [r.author_id for r in review.resubmissions] == [centre.worker.staff_id]


def test_a_high_risk_plan_becomes_active_when_the_supervisor_approves_it(app: Casework) -> None:
    centre = family_centre(app)
    case_id, _ = plan_a_high_risk_case(app, centre)
    assert app.repository.get(case_id).pending_plan is not None

    review_id = app.approve_record(
        centre.supervisor, case_id, RecordKind.PLAN, case_id, ApproveRecord()
    )

    plan = app.repository.get(case_id).plan_versions[-1]
    assert plan.state is PlanState.ACTIVE
    assert plan.approved_by_review == review_id
    assert app.review_standing(centre.worker, case_id, RecordKind.PLAN, case_id) == "approved v1"


def test_a_high_risk_closure_is_approved_by_the_department_head(app: Casework) -> None:
    centre = family_centre(app)
    case_id, _, closure_id = close_a_high_risk_case(
        app, centre, "the mother lives with her son; the order is in force"
    )

    review_id = app.approve_record(
        centre.head, case_id, RecordKind.CLOSURE, closure_id, ApproveRecord()
    )

    closure = app.repository.get(case_id).closures[-1]
    assert closure.approved_by_review == review_id
    review = app.get_review(centre.worker, case_id, RecordKind.CLOSURE, closure_id)
    assert review.judgements[-1].authority == "head of the case's department"


def test_nobody_approves_their_own_record(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre, by=centre.head)
    note_id = write_note(app, case_id, centre.head, "intake interview")

    with pytest.raises(OwnRecord, match="you wrote this record"):
        app.approve_record(centre.head, case_id, RecordKind.NOTE, note_id, ApproveRecord())
    with pytest.raises(OwnRecord):
        send_back(app, centre.head, case_id, RecordKind.NOTE, note_id, "redo")
    app.approve_record(centre.director, case_id, RecordKind.NOTE, note_id, ApproveRecord())
    review = app.get_review(centre.head, case_id, RecordKind.NOTE, note_id)
    assert review.judgements[-1].authority == "director of the case's centre"


def test_only_the_authors_supervisor_the_department_head_or_the_director_review(
    app: Casework,
) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    note_id = write_note(app, case_id, centre.worker, "phone call with the daughter")

    for outsider in (centre.second_worker, centre.elderly_head):
        with pytest.raises(NotAuthorisedToApprove):
            app.approve_record(outsider, case_id, RecordKind.NOTE, note_id, ApproveRecord())
        with pytest.raises(NotAuthorisedToReview):
            send_back(app, outsider, case_id, RecordKind.NOTE, note_id, "more detail")
    assert app.review_standing(centre.worker, case_id, RecordKind.NOTE, note_id) == "not reviewed"


def test_a_plan_sent_back_is_revised_as_a_new_version_and_that_version_approved(
    app: Casework,
) -> None:
    centre = family_centre(app)
    case_id, goal_id = plan_a_high_risk_case(app, centre)
    send_back(
        app, centre.supervisor, case_id, RecordKind.PLAN, case_id, "add a goal for the daughter"
    )
    case = app.repository.get(case_id)
    first_goal = case.plan_versions[-1].goals[0]
    second_goal = Goal(
        uuid4(),
        "the daughter has respite",
        ["day care twice a week"],
        Discipline.SOCIAL_WORK,
        centre.worker.staff_id,
        date(2026, 9, 1),
        date(2026, 6, 1),
    )
    assert case.propose_plan(centre.worker, [first_goal, second_goal]) == 2
    app.save(case)
    app.submit_revision(centre.worker, case_id, RecordKind.PLAN, case_id, SubmitRevision())

    app.approve_record(centre.supervisor, case_id, RecordKind.PLAN, case_id, ApproveRecord())

    plan = app.repository.get(case_id).active_plan
    assert plan is not None and plan.version == 2 and len(plan.goals) == 2
    assert first_goal.goal_id == goal_id
    assert app.review_standing(centre.worker, case_id, RecordKind.PLAN, case_id) == "approved v2"


def test_a_closure_sent_back_is_amended_then_approved(app: Casework) -> None:
    centre = family_centre(app)
    case_id, goal_id, closure_id = close_a_high_risk_case(app, centre, "safe now")
    send_back(
        app, centre.supervisor, case_id, RecordKind.CLOSURE, closure_id, "is the order in force?"
    )
    case = app.repository.get(case_id)
    case.amend_closure(
        centre.worker,
        closure_id,
        [OutcomeOfGoal(goal_id, GoalOutcome.PARTLY_ACHIEVED)],
        "safe while the protection order is in force",
        "asked in review",
    )
    app.save(case)

    app.approve_record(centre.supervisor, case_id, RecordKind.CLOSURE, closure_id, ApproveRecord())

    assert app.repository.get(case_id).closures[-1].approved_by_review is not None
    assert (
        app.review_standing(centre.worker, case_id, RecordKind.CLOSURE, closure_id) == "approved v2"
    )
