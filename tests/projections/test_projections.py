"""Projection machinery stories: a centre's events projected on both backends,
rebuilt from zero into an identical view, exactly once through crashes, cleared on
erasure, pinned reports, read-your-writes and status."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Connection, func, inspect, select

from casework.aggregates.case import (
    AssessmentDomain,
    ClosureReason,
    GoalOutcome,
    NoteKind,
    RiskLevel,
)
from casework.aggregates.discipline import Discipline
from casework.aggregates.referral import SharedPart, Urgency
from casework.aggregates.review import RecordKind
from casework.aggregates.supervision import SessionFormat
from casework.application import Casework
from casework.application.commands.cases import (
    BreakTheGlass,
    CloseCase,
    OutcomeEntry,
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
from casework.application.commands.reviews import ApproveRecord
from casework.application.commands.supervision import (
    RecordSupervisionDecision,
    SignSupervisionSession,
)
from casework.projections import Projections
from casework.projections.machinery.runner import Runner, ViewMoved
from casework.projections.machinery.view_base import View
from casework.projections.views.referral_chains import ReferralChainsView
from tests.builders.centre import FamilyCentre, family_centre, open_family_case, write_note
from tests.builders.referrals import refer, to_agency, to_department
from tests.builders.supervision import discuss, set_action, supervisor_holds
from tests.faults.served import all_rows

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Story:
    centre: FamilyCentre
    high_risk_case: UUID
    quiet_case: UUID
    goals: list[PlannedGoal]
    first_referral: UUID
    onward_referral: UUID
    session_id: UUID


def busy_centre(app: Casework) -> Story:
    """A high-risk family case with an assessment, an approved two-discipline plan,
    notes (one late), a referral chain to legal aid, a supervision session with
    action items, a break of the glass and a closure; and a quiet second case."""
    centre = family_centre(app)
    worker, supervisor = centre.worker, centre.supervisor
    case_id = open_family_case(app, centre, RiskLevel.HIGH)
    quiet = open_family_case(app, centre, RiskLevel.LOW, by=centre.second_worker)
    app.record_assessment(
        worker,
        case_id,
        RecordAssessment(
            discipline=Discipline.SOCIAL_WORK,
            domains=[
                RatedDomain(domain=AssessmentDomain.SAFETY, rating=4, narrative="threats at home")
            ],
            summary="safety first",
            occurred_at=MONDAY,
        ),
    )
    goals = [
        PlannedGoal(
            goal_id=uuid4(),
            title="safety plan",
            interventions=["safety planning", "protection order"],
            discipline=Discipline.SOCIAL_WORK,
            responsible_id=worker.staff_id,
            target_date=date(2026, 4, 1),
            review_date=date(2026, 3, 20),
        ),
        PlannedGoal(
            goal_id=uuid4(),
            title="maintenance",
            interventions=["legal advice"],
            discipline=Discipline.LAW,
            responsible_id=centre.second_worker.staff_id,
            target_date=date(2026, 5, 1),
            review_date=date(2026, 4, 15),
        ),
    ]
    app.propose_plan(
        worker, case_id, ProposePlan(goals=goals, occurred_at=MONDAY + timedelta(days=1))
    )
    app.approve_record(
        supervisor,
        case_id,
        RecordKind.PLAN,
        case_id,
        ApproveRecord(occurred_at=MONDAY + timedelta(days=2)),
    )
    write_note(app, worker, case_id, "visited", NoteKind.HOME_VISIT, 60, occurred_at=MONDAY)
    write_note(app, worker, case_id, "group", NoteKind.GROUP_SESSION, 90)
    elderly, summary = to_department(centre.elderly_id), [SharedPart.CASE_SUMMARY]
    day_care = "day care for the mother"
    first = refer(app, centre, case_id, elderly, day_care, Urgency.URGENT, summary, MONDAY)
    app.accept_referral(
        centre.elderly_head, first, AcceptReferral(occurred_at=MONDAY + timedelta(hours=20))
    )
    onward = app.refer_onward(
        centre.elderly_head,
        first,
        ReferOnward(
            receiver=to_agency(centre.legal_aid_id),
            reason="maintenance advice",
            urgency=Urgency.ROUTINE,
            shared=summary,
            occurred_at=MONDAY + timedelta(days=5),
        ),
    )
    supervisees = [worker.staff_id, centre.second_worker.staff_id]
    held_on = MONDAY + timedelta(days=8)
    session_id = supervisor_holds(
        app, centre, SessionFormat.GROUP, supervisees, 90, occurred_at=held_on
    )
    discuss(app, centre, session_id, case_id, "progress", ["keep going"])
    discuss(app, centre, session_id, quiet, "fine")
    app.record_supervision_decision(
        supervisor, session_id, RecordSupervisionDecision(decision="weekly visits")
    )
    set_action(app, centre, session_id, worker, "call school", date(2026, 3, 13))
    set_action(app, centre, session_id, centre.second_worker, "find a lawyer", date(2026, 4, 1))
    app.sign_supervision_session(supervisor, session_id, SignSupervisionSession())
    app.break_the_glass(
        centre.head, case_id, BreakTheGlass(reason="worker unreachable, client at risk")
    )
    closure_id = app.close_case(
        worker,
        case_id,
        CloseCase(
            reason=ClosureReason.GOALS_MET,
            outcomes=[OutcomeEntry(goal_id=g.goal_id, outcome=GoalOutcome.ACHIEVED) for g in goals],
            summary="safe now",
        ),
    )
    app.approve_record(supervisor, case_id, RecordKind.CLOSURE, closure_id, ApproveRecord())
    return Story(centre, case_id, quiet, goals, first, onward, session_id)


@pytest.fixture
def projections(store: Casework) -> Iterator[Projections]:
    projections = Projections(store)
    yield projections
    projections.close()


def test_a_view_rebuilt_from_zero_equals_the_one_built_as_events_came(
    store: Casework, projections: Projections
) -> None:
    story = busy_centre(store)
    # Built in small batches, as a live runner would while people work.
    runner = Runner(store, projections.engine, projections._serving_views(), batch_size=3)
    while runner.step():
        pass
    store.reopen_case(story.centre.worker, story.high_risk_case, ReopenCase(reason="new threats"))
    write_note(store, story.centre.second_worker, story.quiet_case, "call", NoteKind.PHONE, 10)
    projections.catch_up()
    incremental = all_rows(projections)
    assert incremental["audit_timeline.cwv_audit_timeline_entries"]
    assert story.high_risk_case in {r[0] for r in incremental["case_index.cwv_case_index_cases"]}

    progress: list[tuple[str, int, int]] = []
    for name in list(projections.view_classes):
        old = projections.serving()[name]
        assert projections.rebuild(name, lambda *p: progress.append(p)) == old + 1
    assert all_rows(projections) == incremental
    assert progress[-1][1] == progress[-1][2] == store.last_position()


def indexes_of(projections: Projections) -> set[str]:
    found = set()
    with projections.engine.connect() as connection:
        inspector = inspect(connection)
        for name, generation in projections.serving().items():
            for table in projections.view_classes[name](generation).tables:
                found |= {ix["name"] for ix in inspector.get_indexes(table.name)}
    return found


def test_a_new_view_gets_its_indexes_once_it_has_caught_up(
    store: Casework, projections: Projections
) -> None:
    # Built in bulk at the end: cheaper than keeping them up to date row by row.
    busy_centre(store)
    wanted = {
        str(ix.name) for v in projections._serving_views() for t in v.tables for ix in t.indexes
    }
    assert any("audit_timeline" in name and "case_id" in name for name in wanted)
    assert not wanted & indexes_of(projections)

    projections.catch_up()

    assert wanted <= indexes_of(projections)


@pytest.mark.parametrize("catching_up", ["batch by batch", "until caught up"])
def test_each_event_is_projected_once_even_when_a_batch_fails_half_way(
    app: Casework, monkeypatch: pytest.MonkeyPatch, catching_up: str
) -> None:
    projections = Projections(app)
    busy_centre(app)
    failures = iter([True, False])

    def power_cut(connection: Connection) -> None:
        raise RuntimeError("the power went out")

    def take_then_fail(self: View, dialect: Any) -> list[Any]:
        # The timeline's rows are written, then the transaction dies.
        writes = original_take(self, dialect)
        if self.name == "audit_timeline" and next(failures, False):
            writes.append(power_cut)
        return writes

    original_take = View.take
    monkeypatch.setattr(View, "take", take_then_fail)
    runner = Runner(app, projections.engine, projections._serving_views(), batch_size=7)
    catch_up = runner.step if catching_up == "batch by batch" else runner.drain
    with pytest.raises(RuntimeError):
        catch_up()
    assert set(runner.positions.values()) == {0}
    with projections.engine.connect() as connection:
        for view in runner.views:
            for table in view.tables:
                assert connection.scalar(select(func.count()).select_from(table)) == 0
    while catch_up():
        pass
    monkeypatch.setattr(View, "take", original_take)
    assert runner.position == app.last_position()
    once = all_rows(projections)
    for name in projections.view_classes:
        projections.rebuild(name)
    assert all_rows(projections) == once
    projections.close()


def test_a_second_runner_on_the_same_view_does_not_apply_events_twice(
    store: Casework, projections: Projections
) -> None:
    busy_centre(store)
    first = Runner(store, projections.engine, projections._serving_views(), batch_size=5)
    second = Runner(store, projections.engine, projections._serving_views(), batch_size=5)
    assert first.step() == 5
    with pytest.raises(ViewMoved):
        second.step()
    second.reload()
    while second.step():
        pass
    with pytest.raises(ViewMoved):
        first.step()
    with projections.read("audit_timeline") as (view, connection):
        positions = connection.scalars(select(view.entries_table.c.position)).all()
    assert positions and len(positions) == len(set(positions))


def test_erasing_a_case_clears_its_rows_in_every_view_and_keeps_them_out(
    store: Casework, projections: Projections
) -> None:
    story = busy_centre(store)
    projections.catch_up()
    before = all_rows(projections)

    assert projections.erase_case(story.high_risk_case) > 0
    store.keyring.destroy(story.high_risk_case, datetime.now(tz=UTC))
    write_note(store, story.centre.second_worker, story.quiet_case, "ok")
    projections.catch_up()
    for name in list(projections.view_classes):
        projections.rebuild(name)

    after = all_rows(projections)
    for table, rows in after.items():
        assert not any(story.high_risk_case in row for row in rows), table
    quiet_before = [r for r in before["case_index.cwv_case_index_cases"] if story.quiet_case in r]
    quiet_after = [r for r in after["case_index.cwv_case_index_cases"] if story.quiet_case in r]
    assert quiet_before and quiet_after
    with projections.read("supervision_history") as (view, connection):
        sessions = view.of_worker(connection, story.centre.worker.staff_id)
    assert [s.session_id for s in sessions] == [story.session_id]


def test_a_case_erased_while_a_batch_is_being_written_stays_out_of_every_view(
    store: Casework, projections: Projections, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = busy_centre(store)
    erasures = iter([story.high_risk_case])

    def erase_then_commit(self: Runner, batch: Any, connection: Connection) -> None:
        # The compliance reviewer erases the case just as the first batch is written.
        case_id = next(erasures, None)
        if case_id is not None:
            projections.erase_case(case_id)
        original_commit(self, batch, connection)

    original_commit = Runner._commit
    monkeypatch.setattr(Runner, "_commit", erase_then_commit)
    runner = Runner(store, projections.engine, projections._serving_views(), batch_size=7)
    runner.drain()

    assert runner.position == store.last_position()
    after = all_rows(projections)
    for table, rows in after.items():
        assert not any(story.high_risk_case in row for row in rows), table
    assert any(story.quiet_case in r for r in after["case_index.cwv_case_index_cases"])


def test_an_indicator_report_pinned_to_a_position_does_not_change_later(app: Casework) -> None:
    projections = Projections(app)
    story = busy_centre(app)
    projections.catch_up()
    pinned_at = app.last_position()
    on = date(2026, 4, 20)
    with projections.read("caseload") as (view, connection):
        first = view.report(connection, pinned_at, on)

    write_note(app, story.centre.second_worker, story.quiet_case, "call", NoteKind.PHONE, 15)
    app.reopen_case(story.centre.worker, story.high_risk_case, ReopenCase(reason="new threats"))
    open_family_case(app, story.centre, RiskLevel.CRITICAL)
    projections.catch_up()
    with projections.read("caseload") as (view, connection):
        again = view.report(connection, pinned_at, on)
        now = view.report(connection, app.last_position(), on)

    assert again == first
    assert now != first
    family = first.by_department[story.centre.family_id]
    assert family.open_cases == 1  # the high-risk case was closed
    counts = {(m.indicator, m.detail): m.count for m in first.monthly}
    assert counts[("intake", "community_committee")] == 2
    assert counts[("note", "group_session")] == 1
    assert counts[("group_session", "")] == 1
    assert counts[("closure", "goals_met")] == 1
    assert counts[("break_glass", "")] == 1
    assert counts[("referral_made", "department")] == 1
    assert counts[("referral_made", "agency")] == 1
    assert counts[("supervision_session", "group")] == 1
    projections.close()


def test_a_command_waits_for_the_views_to_show_its_own_write(app: Casework) -> None:
    projections = Projections(app)
    centre = family_centre(app)
    open_family_case(app, centre)
    position = app.last_position()
    assert not projections.wait_for(position, timeout=0.05)
    projections.catch_up()
    assert projections.wait_for(position, timeout=0.05)
    assert projections.wait_for(position, names=["case_index"])
    projections.close()


def test_status_shows_each_views_position_lag_and_health(app: Casework) -> None:
    projections = Projections(app)
    centre = family_centre(app)
    open_family_case(app, centre)
    status = {s.name: s for s in projections.status()}
    assert set(status) == set(projections.view_classes)
    assert all(s.lag == app.last_position() and s.position == 0 for s in status.values())
    assert {s.health for s in status.values()} == {"stopped: no runner"}

    projections.catch_up()
    status = {s.name: s for s in projections.status()}
    assert all(s.lag == 0 and s.health == "current" for s in status.values())
    assert all(s.generation == 1 and s.building is None for s in status.values())
    projections.close()


def test_the_old_view_keeps_serving_while_a_rebuild_runs_and_its_runner_moves_over(
    app: Casework,
) -> None:
    projections = Projections(app)
    story = busy_centre(app)
    projections.catch_up()
    old_runner = Runner(app, projections.engine, projections._serving_views())
    seen_during: list[tuple[int, int]] = []

    def progress(name: str, position: int, head: int) -> None:
        with projections.read("case_index") as (view, connection):
            listed = view.find(connection)
        seen_during.append((view.generation, len(listed)))

    assert projections.rebuild("case_index", progress) == 2
    assert seen_during and set(seen_during) == {(1, 2)}  # the old, complete view
    assert projections.serving()["case_index"] == 2

    write_note(app, story.centre.second_worker, story.quiet_case, "hi")
    with pytest.raises(ViewMoved):
        old_runner.step()  # its generation of case_index was retired
    projections.catch_up()
    with projections.read("case_index") as (view, connection):
        (quiet,) = view.find(connection, case_ids=[story.quiet_case])
    assert quiet.notes == 1
    projections.close()


def test_a_view_whose_definition_changed_is_rebuilt_before_it_serves(
    app: Casework, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_centre(app)
    Projections(app).catch_up()
    monkeypatch.setattr(ReferralChainsView, "version", ReferralChainsView.version + 1)
    projections = Projections(app)
    status = {s.name: s for s in projections.status()}
    assert status["referral_chains"].health == "outdated: rebuild it"
    assert status["case_index"].health == "current"

    projections.catch_up()
    assert projections.serving()["referral_chains"] == 2
    assert projections.serving()["case_index"] == 1
    assert {s.health for s in projections.status()} == {"current"}
    projections.close()
