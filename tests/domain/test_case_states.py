"""No sequence of commands takes a case to an invalid state: a refused command records
nothing, and replaying the recorded events rebuilds exactly the same case."""

from datetime import date
from typing import Any
from uuid import uuid4

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from casework.aggregates.base import Actor, Role, RuleBroken
from casework.aggregates.case import (
    AssessmentDomain,
    Case,
    CaseStatus,
    Client,
    ClosureReason,
    Consent,
    DomainRating,
    Goal,
    GoalOutcome,
    NoteKind,
    OutcomeOfGoal,
    PlanState,
    ReferralSource,
    RiskLevel,
    TeamScope,
)
from casework.aggregates.discipline import Discipline

LEAD = Actor(uuid4(), Role.CASEWORKER)
SUPERVISOR = Actor(uuid4(), Role.SUPERVISOR)
SPECIALIST = uuid4()
disciplines = st.sampled_from(list(Discipline))


class CaseLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []

    @initialize(risk=st.sampled_from(list(RiskLevel)))
    def open_case(self, risk: RiskLevel) -> None:
        consent = Consent(given=True, on=date(2026, 1, 1), disciplines=[Discipline.SOCIAL_WORK])
        self.case = Case.open(
            LEAD, [Client(uuid4(), "client")], "problem", ReferralSource.SELF, uuid4(), uuid4(),
            LEAD.staff_id, risk, "rationale", consent=consent,
        )  # fmt: skip
        self.events += self.case.collect_events()

    def attempt(self, command: Any, *args: Any, **kwargs: Any) -> None:
        version = self.case.version
        try:
            command(*args, **kwargs)
        except RuleBroken:
            assert self.case.version == version, "a refused command changed the case"
        self.events += self.case.collect_events()

    # Mostly valid ratings (1-5), now and then one out of range.
    @rule(domain=st.sampled_from(list(AssessmentDomain)), rating=st.sampled_from([1, 3, 5, 0, 6]))
    def assess(self, domain: AssessmentDomain, rating: int) -> None:
        self.attempt(
            self.case.record_assessment,
            LEAD, Discipline.SOCIAL_WORK, [DomainRating(domain, rating, "narrative")], "summary",
        )  # fmt: skip

    @rule(goals=st.integers(0, 2))
    def propose_plan(self, goals: int) -> None:
        self.attempt(
            self.case.propose_plan,
            LEAD,
            [
                Goal(uuid4(), f"goal {n}", [], Discipline.SOCIAL_WORK, LEAD.staff_id,
                     date(2026, 9, 1), date(2026, 6, 1))
                for n in range(goals)
            ],
        )  # fmt: skip

    @rule(offset=st.sampled_from([0, 0, 0, -1, 1]))
    def approve_plan(self, offset: int) -> None:
        """Mostly the version waiting for approval; sometimes a wrong one."""
        self.attempt(
            self.case.approve_plan_version, SUPERVISOR, len(self.case.plan_versions) + offset,
            uuid4(),
        )  # fmt: skip

    @rule()
    def advance(self) -> None:
        """The usual next step of a young case, so that long lives are common."""
        if self.case.status == CaseStatus.INTAKE:
            self.assess(AssessmentDomain.FAMILY, 3)
        elif self.case.status == CaseStatus.ASSESSED and self.case.pending_plan is None:
            self.propose_plan(1)

    @rule(level=st.sampled_from(list(RiskLevel)))
    def rerate(self, level: RiskLevel) -> None:
        self.attempt(self.case.rerate_risk, LEAD, level, "new information")

    @rule(discipline=disciplines)
    def note(self, discipline: Discipline) -> None:
        self.attempt(self.case.record_note, LEAD, NoteKind.PHONE, "call", 10, discipline=discipline)

    @rule()
    def addendum(self) -> None:
        note_id = next(iter(self.case.notes), uuid4())
        self.attempt(self.case.add_addendum, LEAD, "note", note_id, "correction", "typo")

    @rule(given=st.sampled_from([True, True, False]), discipline=disciplines)
    def consent(self, given: bool, discipline: Discipline) -> None:
        self.attempt(
            self.case.record_consent, LEAD, given, date(2026, 2, 1),
            [Discipline.SOCIAL_WORK, discipline],
        )  # fmt: skip

    @rule(discipline=disciplines, scope=st.sampled_from(list(TeamScope)))
    def add_member(self, discipline: Discipline, scope: TeamScope) -> None:
        self.attempt(self.case.add_team_member, LEAD, SPECIALIST, discipline, scope)

    @rule(discipline=disciplines)
    def remove_member(self, discipline: Discipline) -> None:
        self.attempt(self.case.remove_team_member, LEAD, SPECIALIST, discipline, "done")

    # Closing at intake is a story of its own; here, let plans happen first.
    @precondition(lambda machine: machine.case.status != CaseStatus.INTAKE)
    @rule(complete=st.booleans())
    def close(self, complete: bool) -> None:
        plan = self.case.active_plan
        goals = plan.goals if plan and complete else (plan.goals[:-1] if plan else [])
        outcomes = [OutcomeOfGoal(g.goal_id, GoalOutcome.ACHIEVED) for g in goals]
        self.attempt(self.case.close, LEAD, ClosureReason.GOALS_MET, outcomes, "summary")

    @rule()
    def amend_closure(self) -> None:
        closure_id = self.case.closures[-1].closure_id if self.case.closures else uuid4()
        plan = self.case.active_plan
        outcomes = [
            OutcomeOfGoal(g.goal_id, GoalOutcome.PARTLY_ACHIEVED)
            for g in (plan.goals if plan else [])
        ]
        self.attempt(self.case.amend_closure, LEAD, closure_id, outcomes, "amended", "asked")

    @rule()
    def approve_closure(self) -> None:
        self.attempt(self.case.approve_closure, SUPERVISOR, uuid4())

    @rule()
    def reopen(self) -> None:
        self.attempt(self.case.reopen, LEAD, "new incident")

    @invariant()
    def status_matches_the_records(self) -> None:
        case = self.case
        states = [p.state for p in case.plan_versions]
        assert states.count(PlanState.ACTIVE) <= 1 and states.count(PlanState.PENDING_APPROVAL) <= 1
        if case.status == CaseStatus.INTAKE:
            assert not case.assessments
        if case.status == CaseStatus.ASSESSED:
            assert case.assessments and case.active_plan is None
        if case.status == CaseStatus.ACTIVE:
            assert case.active_plan is not None
        if case.status == CaseStatus.CLOSING:
            closure = case.closures[-1]
            assert closure.needs_approval and closure.approved_by_review is None
        if case.status == CaseStatus.CLOSED:
            closure = case.closures[-1]
            assert not closure.needs_approval or closure.approved_by_review is not None
        closed = case.status in (CaseStatus.CLOSING, CaseStatus.CLOSED)
        assert len(case.closures) == len(case.reopenings) + closed

    @invariant()
    def replaying_the_events_rebuilds_the_same_case(self) -> None:
        rebuilt = None
        for event in self.events:
            rebuilt = event.mutate(rebuilt)
        state = {k: v for k, v in vars(self.case).items() if k != "_pending_events"}
        assert {k: v for k, v in vars(rebuilt).items() if k != "_pending_events"} == state


CaseLifecycle.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_no_sequence_of_commands_reaches_an_invalid_state = CaseLifecycle.TestCase
