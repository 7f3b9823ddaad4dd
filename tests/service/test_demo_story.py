"""The demo's bulk path (`CaseStory`: one load, the access rule before every command,
one save per batch) stores what the service layer's case commands store, one command
per transaction: the same events with the same contents, and the same refusals."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from casework.access import AccessDenied
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import (
    AssessmentDomain,
    DomainRating,
    Goal,
    NoteKind,
    RecordKind,
    ReferralSource,
    RiskLevel,
    Sex,
)
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.commands.cases import (
    AddAddendum,
    ClientDetails,
    OpenCase,
    PlannedGoal,
    ProposePlan,
    RatedDomain,
    RecordAssessment,
    RecordConsent,
    RecordNote,
    ReviewPlan,
)
from casework.demo.cast import People, found_centre
from casework.demo.story import CaseStory
from tests.builders.centre import write_note

SW = Discipline.SOCIAL_WORK
START = datetime(2025, 10, 1, 9, tzinfo=UTC)


def _open(app: Casework, people: People, name: str) -> tuple[UUID, Actor]:
    lead = people.leads["family"][0]
    client = ClientDetails(name=name, sex=Sex.FEMALE, date_of_birth=date(1992, 5, 1))
    case_id = app.open_case(
        lead,
        OpenCase(
            clients=[client],
            presenting_problem="亲子关系紧张 strained parent-child relationship",
            referral_source=ReferralSource.SELF,
            department_id=people.department_ids["family"],
            lead_worker_id=lead.staff_id,
            risk_level=RiskLevel.LOW,
            consent=RecordConsent(given=True, on=START.date(), disciplines=[SW]),
            occurred_at=START,
        ),
    )
    return case_id, lead


def _goal() -> Goal:
    return Goal(
        goal_id=uuid4(),
        title="改善亲子沟通 better communication",
        interventions=["个案辅导 casework sessions"],
        discipline=SW,
        responsible_id=uuid4(),
        target_date=START.date() + timedelta(days=120),
        review_date=START.date() + timedelta(days=40),
    )


def _plan_goal(goal: Goal) -> PlannedGoal:
    return PlannedGoal(
        title=goal.title,
        interventions=goal.interventions,
        discipline=goal.discipline,
        responsible_id=goal.responsible_id,
        target_date=goal.target_date,
        review_date=goal.review_date,
        goal_id=goal.goal_id,
    )


def _at(days: int) -> datetime:
    return START + timedelta(days=days)


def _normalised(app: Casework, case_id: UUID) -> list[tuple[str, dict[str, Any]]]:
    """The case's events after its opening, each generated id replaced by the order in
    which it first appears (so two streams compare by what they say)."""
    names: dict[UUID, str] = {}

    def same(value: Any) -> Any:
        if isinstance(value, UUID):
            return names.setdefault(value, f"id{len(names)}")
        return value

    return [
        (
            type(event).__qualname__,
            {
                k: same(v)
                for k, v in sorted(vars(event).items())
                if k not in ("originator_id", "timestamp")
            },
        )
        for event in list(app.events.get(case_id))[1:]
    ]


def test_a_case_story_stores_what_the_service_layers_commands_store(app: Casework) -> None:
    people = found_centre(app)
    one_by_one, lead = _open(app, people, "陈芳 Chen Fang")
    batched, _ = _open(app, people, "李静 Li Jing")
    goal = _goal()
    ratings = [DomainRating(AssessmentDomain.FAMILY, 3, "详见面谈")]
    late_after = timedelta(hours=app.settings.late_entry_hours)

    assessment = RecordAssessment(
        discipline=SW,
        domains=[RatedDomain(domain=AssessmentDomain.FAMILY, rating=3, narrative="详见面谈")],
        summary="初步评估 initial",
        occurred_at=_at(1),
    )
    app.record_assessment(lead, one_by_one, assessment)
    app.propose_plan(lead, one_by_one, ProposePlan(goals=[_plan_goal(goal)], occurred_at=_at(2)))
    notes = [
        write_note(
            app, lead, one_by_one, f"电话 call {n}", NoteKind.PHONE, 30, occurred_at=_at(3 + n)
        )
        for n in range(7)
    ]
    correction = AddAddendum(
        record_kind="note",
        record_id=notes[2],
        narrative="更正 correction",
        reason="wrong date",
        occurred_at=_at(11),
    )
    app.add_addendum(lead, one_by_one, correction)
    review = ReviewPlan(
        summary="按进度 on track", next_review_on=_at(60).date(), occurred_at=_at(12)
    )
    app.review_plan(lead, one_by_one, review)

    story = CaseStory(app, batched, batch=3)
    story.by(lead, RecordKind.ASSESSMENT, SW).record_assessment(
        lead, SW, ratings, "初步评估 initial", _at(1)
    )
    story.by(lead, RecordKind.PLAN).propose_plan(lead, [goal], _at(2))
    ids = [
        story.by(lead, RecordKind.NOTE, SW).record_note(
            lead, NoteKind.PHONE, f"电话 call {n}", 30, _at(3 + n), SW, None, late_after
        )
        for n in range(7)
    ]
    story.by(lead, RecordKind.NOTE, SW).add_addendum(
        lead, "note", ids[2], "更正 correction", "wrong date", _at(11)
    )
    story.by(lead, RecordKind.PLAN).review_plan(lead, "按进度 on track", _at(60).date(), _at(12))
    story.save()

    assert len(_normalised(app, batched)) == 11
    assert _normalised(app, batched) == _normalised(app, one_by_one)
    assert app.repository.get(batched).notes.keys() == set(ids)


def test_a_case_story_refuses_whom_the_service_layer_refuses(app: Casework) -> None:
    people = found_centre(app)
    case_id, _lead = _open(app, people, "王敏 Wang Min")
    outsider = people.leads["elderly"][0]  # another department's caseworker
    note = RecordNote(kind=NoteKind.PHONE, narrative="电话 call", duration_minutes=30)
    with pytest.raises(AccessDenied) as by_service:
        app.record_note(outsider, case_id, note)
    story = CaseStory(app, case_id)
    with pytest.raises(AccessDenied) as by_story:
        story.by(outsider, RecordKind.NOTE, SW)
    assert str(by_story.value) == str(by_service.value)
    story.save()
    assert app.repository.get(case_id).version == 1, "nothing was written"
    auditor = Actor(
        people.by_name["孙审计 Sun Jian (evaluation)"].staff_id, Role.COMPLIANCE_REVIEWER
    )
    refusals = [
        e
        for e in app.who_read_case(auditor, case_id)
        if e.outcome == AccessOutcome.REFUSED and e.staff_id == outsider.staff_id
    ]
    assert [(e.action, e.reason) for e in refusals] == [
        (AccessAction.WRITE, refusals[0].reason)
    ] * 2
