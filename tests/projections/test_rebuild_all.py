"""A full rebuild reads the log once for all views, serves the new generation, and
leaves only it: after two rebuilds, one generation's tables per view, equal to a
fresh catch-up; a runner of a dropped generation moves over; reads that began before
a switch finish on the tables they found."""

from unittest.mock import patch

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from casework.application import Casework
from casework.projections import Projections
from casework.projections.machinery.generations import view_generations
from casework.projections.machinery.runner import Runner, ViewMoved
from tests.builders.centre import write_note
from tests.faults.served import all_rows
from tests.projections.test_projections import busy_centre


def view_tables(projections: Projections) -> set[str]:
    with projections.engine.connect() as connection:
        return {t for t in inspect(connection).get_table_names() if t.startswith("cwv_")}


def serving_tables(projections: Projections) -> set[str]:
    return {
        table.name
        for name, generation in projections.serving().items()
        for table in projections.view_classes[name](generation).tables
    } | {"cwv_generations", "cwv_erased_cases"}


def _could_lock(projections: Projections, mode: str) -> bool:
    """Whether another connection could take this lock on case_index's rows now."""
    with projections.engine.connect() as other:
        try:
            other.execute(
                text(f"SELECT 1 FROM cwv_generations WHERE view = 'case_index' {mode} NOWAIT")
            ).all()
        except OperationalError:
            return False
        return True


def test_two_full_rebuilds_leave_only_the_serving_generation(store: Casework) -> None:
    story = busy_centre(store)
    fresh = Projections(store)
    fresh.catch_up()
    caught_up = all_rows(fresh)
    fresh.close()

    projections = Projections(store)
    scans: list[int] = []
    select_notifications = store.recorder.select_notifications

    def counting(start: int, *args: object, **kwargs: object) -> object:
        if start == 0:
            scans.append(start)
        return select_notifications(start, *args, **kwargs)

    with patch.object(store.recorder, "select_notifications", counting):
        assert projections.rebuild_all() == dict.fromkeys(projections.view_classes, 2)
    assert len(scans) == 1, "one scan of the log for all the views"
    write_note(store, story.centre.second_worker, story.quiet_case, "call")
    progress: list[tuple[str, int, int]] = []
    assert projections.rebuild_all(progress=lambda *p: progress.append(p)) == dict.fromkeys(
        projections.view_classes, 3
    )
    assert progress[-1][0] == ", ".join(projections.view_classes)
    assert progress[-1][1] == progress[-1][2] == store.last_position()

    assert view_tables(projections) == serving_tables(projections)
    with projections.engine.connect() as connection:
        statuses = connection.execute(
            view_generations.select().with_only_columns(
                view_generations.c.generation, view_generations.c.status
            )
        ).all()
    assert set(statuses) == {(3, "serving")}

    fresh = Projections(store)
    fresh.catch_up()  # the views as they stand now, built incrementally
    rebuilt = all_rows(projections)
    assert rebuilt == all_rows(fresh)
    assert rebuilt != caught_up  # the note recorded between the rebuilds is in
    fresh.close()
    projections.close()


def test_a_runner_of_a_dropped_generation_moves_over(store: Casework) -> None:
    story = busy_centre(store)
    projections = Projections(store)
    projections.catch_up()
    old_runner = Runner(store, projections.engine, projections._serving_views())
    assert projections.rebuild("case_index") == 2
    write_note(store, story.centre.second_worker, story.quiet_case, "hi")
    with pytest.raises(ViewMoved):
        old_runner.step()
    projections.catch_up()
    with projections.read("case_index") as (view, connection):
        (quiet,) = view.find(connection, case_ids=[story.quiet_case])
    assert quiet.notes == 1
    projections.close()


def test_a_read_that_began_before_the_switch_finishes_on_its_generation(
    store: Casework,
) -> None:
    story = busy_centre(store)
    projections = Projections(store)
    projections.catch_up()
    with projections.read("case_index") as (view, connection):
        before = view.find(connection)
        if store.database.backend == "sqlite":
            # SQLite: the switch goes ahead; the read keeps its snapshot.
            assert projections.rebuild("case_index") == 2
        else:
            # PostgreSQL: the switch's row locks would wait for this read; a runner's
            # batch would not.
            assert not _could_lock(projections, "FOR UPDATE")
            assert _could_lock(projections, "FOR NO KEY UPDATE")
        assert [c.case_id for c in view.find(connection)] == [c.case_id for c in before]
    assert len(before) == 2 and story.quiet_case in {c.case_id for c in before}
    assert projections.rebuild("case_index") == (3 if store.database.backend == "sqlite" else 2)
    with projections.read("case_index") as (view, connection):
        assert {c.case_id for c in view.find(connection)} == {c.case_id for c in before}
    projections.close()
