"""The projection runner following the log: fresh soon after a write on both
backends, and on PostgreSQL one runner per view with another taking over."""

import base64
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from psycopg.sql import SQL, Identifier
from sqlalchemy import event

from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.application.commands.cases import (
    RecordNote,
)
from casework.projections import Projections
from casework.projections.machinery.leadership import leadership_for
from casework.projections.machinery.runner import Runner
from casework.projections.views import ALL_VIEWS
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.projections.test_projections import busy_centre


@contextmanager
def running(projections: Projections, name: str) -> Iterator[threading.Thread]:
    projections.runner_name = name
    stop = threading.Event()
    errors: list[Exception] = []
    thread = threading.Thread(target=projections.run, args=(stop, errors.append), daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert errors == []


def runners_of(projections: Projections) -> set[str | None]:
    return {s.runner for s in projections.status()}


def test_a_running_runner_shows_a_new_note_without_being_asked(store: Casework) -> None:
    story = busy_centre(store)
    projections = Projections(store)
    with running(projections, "the runner"):
        assert projections.wait_for(store.last_position(), timeout=20)
        store.record_note(
            story.centre.second_worker,
            story.quiet_case,
            RecordNote(kind=NoteKind.PHONE, narrative="hi", duration_minutes=5),
        )
        # A liveness bound, not a speed target (that lives in benchmarks/): the runner
        # must pick the note up by itself, on a machine that may be busy.
        assert projections.wait_for(store.last_position(), timeout=15)
        with projections.read("case_index") as (view, connection):
            (quiet,) = view.find(connection, case_ids=[story.quiet_case])
        assert quiet.notes == 1
    assert runners_of(projections) == {"the runner"}
    projections.close()


@pytest.mark.postgres
def test_only_one_runner_runs_each_view_and_another_takes_over_when_it_dies(
    tmp_path: Path, postgres_settings: Settings
) -> None:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    env = {
        **os.environ,
        "CASEWORK_DATA_DIR": str(tmp_path / "data"),
        "CASEWORK_DATABASE_URL": postgres_settings.database_url,
        "CASEWORK_MASTER_KEY": key,
    }
    settings = Settings.from_env(env)
    app = Casework(settings, settings.load_master_key())
    story = busy_centre(app)
    projections = Projections(app)
    first = subprocess.Popen(
        [sys.executable, "-m", "casework", "projections", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert projections.wait_for(app.last_position(), timeout=30)
        first_name = next(iter(runners_of(projections)))
        assert first_name is not None and first_name.endswith(f":{first.pid}")
        with running(projections, "second"):
            note = story.centre.second_worker
            app.record_note(
                note,
                story.quiet_case,
                RecordNote(kind=NoteKind.PHONE, narrative="a", duration_minutes=5),
            )
            assert projections.wait_for(app.last_position(), timeout=30)
            assert runners_of(projections) == {first_name}  # the second one waits

            first.kill()  # dies without a goodbye; its locks go with its connection
            first.wait(timeout=10)
            app.record_note(
                note,
                story.quiet_case,
                RecordNote(kind=NoteKind.PHONE, narrative="b", duration_minutes=5),
            )
            assert projections.wait_for(app.last_position(), timeout=10)
            assert runners_of(projections) == {"second"}
    finally:
        first.kill()
        first.wait(timeout=10)
        projections.close()
        app.close()


def test_a_runner_woken_with_nothing_new_asks_only_where_the_log_ends(store: Casework) -> None:
    story = busy_centre(store)
    projections = Projections(store)
    runner = Runner(store, projections.engine, [view(1) for view in ALL_VIEWS])
    assert runner.drain() > 0
    statements: list[str] = []
    event.listen(projections.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    # Every read records an access and wakes the runner; a wake that finds the log
    # where the views stand opens no connection to the views and readies no writer.
    assert runner.drain() == 0
    assert statements == []

    store.record_note(
        story.centre.second_worker,
        story.quiet_case,
        RecordNote(kind=NoteKind.PHONE, narrative="hi", duration_minutes=5),
    )
    assert runner.drain() > 0
    assert projections.wait_for(store.last_position(), timeout=0)
    projections.close()


@pytest.mark.postgres
def test_a_burst_of_notifications_wakes_the_runner_once(
    postgres_settings: Settings, master_key: MasterKey
) -> None:
    app = Casework(postgres_settings, master_key)
    channel = f"reads_in_{app.database.schema}"  # a channel no other process notifies
    locks = leadership_for(app.database, channel)
    try:
        with app.recorder.datastore.get_connection() as connection, connection.transaction():
            for read in range(5):  # five recorded reads, committed together
                connection.execute(SQL("NOTIFY {}, {}").format(Identifier(channel), str(read)))
        assert locks.wait_for_events(10.0)
        assert not locks.wait_for_events(0.2)
    finally:
        locks.close()
        app.close()
