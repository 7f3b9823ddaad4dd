"""The sealed store: what reaches the disk, and what happens when someone tampers with it."""

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import uuid4

import msgspec
import psycopg
import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from casework.aggregates.base import Actor, Role, RuleBroken
from casework.aggregates.case import Case
from casework.application import Casework
from casework.store.envelope import HEADER_SIZE, key_id_of, seal
from casework.store.errors import RecordErased, TamperedRecord
from tests.builders.cases import open_case, record_note
from tests.builders.store_records import Colour, Dossier, Folder

MARKER = "MARKER-扶贫-7f3a9c"


def raw_rows(app: Casework, table: str) -> list[tuple]:
    """Every row of a store table, read straight from the database."""
    db = app.database
    if db.backend == "sqlite":
        with sqlite3.connect(db.sqlite_path) as conn:
            return conn.execute(f"SELECT * FROM {table}").fetchall()
    with psycopg.connect(db.psycopg_conninfo()) as conn:
        return conn.execute(f'SELECT * FROM "{db.schema}".{table}').fetchall()


def run_sql(app: Casework, *statements: str) -> None:
    """Run raw SQL as someone with direct database access would."""
    db = app.database
    if db.backend == "sqlite":
        with sqlite3.connect(db.sqlite_path) as conn:
            for s in statements:
                conn.execute(s)
        return
    with psycopg.connect(db.psycopg_conninfo()) as conn:
        conn.execute(f'SET search_path TO "{db.schema}"')
        for s in statements:
            conn.execute(s)


def drop_append_only_triggers(app: Casework) -> None:
    table = app.database.events_table
    if app.database.backend == "sqlite":
        run_sql(app, f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete")
    else:
        run_sql(app, f"DROP TRIGGER {table}_append_only ON {table}")


def test_case_content_never_reaches_the_disk_in_plaintext(store: Casework) -> None:
    case_id = open_case(store, f"presenting problem {MARKER}")
    for i in range(120):  # past the snapshot interval, so a snapshot is written too
        record_note(store, case_id, f"home visit {i}: {MARKER}")
    store.take_snapshot(case_id)
    marker = MARKER.encode()

    if store.database.backend == "sqlite":
        store.close()
        path = store.database.sqlite_path
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        assert files
        for f in files:
            assert marker not in f.read_bytes(), f"{f.name} holds case content in plaintext"
    else:
        tables = ["casework_events", "casework_snapshots", "casework_data_keys"]
        for table in tables:
            rows = raw_rows(store, table)
            assert rows
            for row in rows:
                for value in row:
                    raw = (
                        bytes(value)
                        if isinstance(value, bytes | memoryview)
                        else str(value).encode()
                    )
                    assert marker not in raw, f"{table} holds case content in plaintext"


def test_a_case_reads_back_exactly_as_recorded(store: Casework) -> None:
    worker = Actor(uuid4(), Role.CASEWORKER)
    beijing = timezone(timedelta(hours=8))
    visited = datetime(2026, 3, 1, 9, 30, tzinfo=beijing)
    case_id = open_case(store, "elderly man living alone", worker, visited)
    record_note(store, case_id, "checked the heating", worker, occurred_at=visited)

    events = list(store.events.get(case_id))
    assert [type(e).__name__ for e in events] == ["Opened", "NoteRecorded"]
    note = events[1]
    assert note.actor_id == worker.staff_id
    assert note.actor_role is Role.CASEWORKER
    assert note.occurred_at == visited and note.occurred_at.utcoffset() == timedelta(hours=8)
    assert note.recorded_at.tzinfo is not None and note.recorded_at >= visited
    assert note.kind == "home_visit" and type(note.kind).__name__ == "NoteKind"
    assert isinstance(note.note_id, type(case_id))


def test_every_stored_event_names_a_stored_key(store: Casework) -> None:
    first = open_case(store)
    second = open_case(store)
    record_note(store, first, "a note")
    keys = {row[0] for row in raw_rows(store, "casework_data_keys")}
    key_ids = {key_id_of(bytes(row[3])) for row in raw_rows(store, store.database.events_table)}
    stored = {k if isinstance(k, type(first)) else type(first)(k) for k in keys}
    assert key_ids <= stored
    assert len(key_ids) == 2, "each case is sealed under its own data key"
    assert store.repository.get(second).version == 1


def state_of(app: Casework, case_id) -> bytes:
    rows = raw_rows(app, app.database.events_table)
    return next(bytes(r[3]) for r in rows if str(r[0]).replace("-", "") == case_id.hex)


def overwrite_state(app: Casework, case_id, state: bytes) -> None:
    """Write a state into a row, as an attacker with database access would."""
    table = app.database.events_table
    if app.database.backend == "sqlite":
        with sqlite3.connect(app.database.sqlite_path) as conn:
            conn.execute(
                f"UPDATE {table} SET state = ? WHERE originator_id = ?", (state, case_id.hex)
            )
    else:
        with psycopg.connect(app.database.psycopg_conninfo()) as conn:
            conn.execute(
                f'UPDATE "{app.database.schema}".{table} SET state = %s WHERE originator_id = %s',
                (state, case_id),
            )


def test_a_ciphertext_swapped_between_rows_is_detected(store: Casework) -> None:
    one = open_case(store, "first family")
    two = open_case(store, "second family")
    first, second = state_of(store, one), state_of(store, two)
    drop_append_only_triggers(store)
    overwrite_state(store, one, second)
    overwrite_state(store, two, first)
    fresh = Casework(store.settings, store.keyring.master)
    for case_id in (one, two):
        with pytest.raises(TamperedRecord, match="moved from another row"):
            fresh.repository.get(case_id)
    fresh.close()


@pytest.mark.parametrize("damage", ["truncated", "bit-flipped", "header pointed at another key"])
def test_a_damaged_ciphertext_is_an_error_not_garbage(store: Casework, damage: str) -> None:
    case_id = open_case(store, "damaged")
    other = open_case(store, "other")
    state, other_state = state_of(store, case_id), state_of(store, other)
    if damage == "truncated":
        state = state[: len(state) - 5]
    elif damage == "bit-flipped":
        flipped = HEADER_SIZE + 3
        state = state[:flipped] + bytes([state[flipped] ^ 0x01]) + state[flipped + 1 :]
    else:
        state = state[:1] + other_state[1:17] + state[17:]
    drop_append_only_triggers(store)
    overwrite_state(store, case_id, state)
    fresh = Casework(store.settings, store.keyring.master)
    with pytest.raises(TamperedRecord):
        fresh.repository.get(case_id)
    assert fresh.repository.get(other).version == 1
    fresh.close()


@pytest.mark.parametrize("statement", ["UPDATE {t} SET topic = 'x'", "DELETE FROM {t}"])
@pytest.mark.parametrize("table", ["events", "snapshots"])
def test_the_database_refuses_to_change_or_remove_stored_events(
    store: Casework, statement: str, table: str
) -> None:
    case_id = open_case(store)
    store.take_snapshot(case_id)
    name = getattr(store.database, f"{table}_table")
    errors = (sqlite3.IntegrityError, sqlite3.OperationalError, psycopg.Error)
    with pytest.raises(errors, match="append-only"):
        run_sql(store, statement.format(t=name))
    assert len(raw_rows(store, name)) == 1


@pytest.mark.postgres
def test_postgres_refuses_to_truncate_the_events(postgres_settings, master_key) -> None:
    app = Casework(postgres_settings, master_key)
    open_case(app)
    with pytest.raises(psycopg.Error, match="append-only"):
        run_sql(app, f"TRUNCATE {app.database.events_table}")
    app.close()


def test_snapshots_are_sealed_and_restore_typed_state(store: Casework) -> None:
    case_id = open_case(store)
    note_ids = [record_note(store, case_id, f"note {i}") for i in range(3)]
    store.take_snapshot(case_id)
    snapshot_state = bytes(raw_rows(store, store.database.snapshots_table)[0][3])
    assert b"note_ids" not in snapshot_state
    fresh = Casework(store.settings, store.keyring.master)
    case = fresh.repository.get(case_id)
    assert case.note_ids == note_ids and isinstance(case.note_ids[0], type(case_id))
    assert case.created_on.tzinfo is not None
    fresh.close()


def test_an_erased_case_cannot_be_read_and_others_are_untouched(store: Casework) -> None:
    erased = open_case(store, "to be erased")
    kept = open_case(store, "to be kept")
    assert store.keyring.destroy(erased, datetime.now(tz=UTC))
    fresh = Casework(store.settings, store.keyring.master)
    with pytest.raises(RuleBroken, match="erased on"):
        fresh.load(erased, Case, "case")  # what the service layer is told
    with pytest.raises(RecordErased):
        list(fresh.events.get(erased))
    assert fresh.repository.get(kept).presenting_problem == "to be kept"
    fresh.close()


def test_dates_enums_uuids_and_offsets_round_trip_exactly(store: Casework) -> None:
    worker = Actor(uuid4(), Role.SPECIALIST)
    at = datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=-5)))
    dossier = Dossier.start(Dossier.Opened, worker, at, title="d")
    related = [uuid4(), uuid4()]
    dossier.record(
        Dossier.Marked,
        worker,
        at,
        due=date(2026, 2, 28),
        colour=Colour.GREEN,
        seen_at=at,
        tags=("a", "b"),
        related=related,
    )
    store.save(dossier)
    fresh = Casework(store.settings, store.keyring.master)
    opened, marked = fresh.events.get(dossier.id)
    assert opened.actor_role is Role.SPECIALIST
    assert marked.colour is Colour.GREEN
    assert marked.due == date(2026, 2, 28)
    assert marked.seen_at == at
    assert marked.seen_at.utcoffset() == timedelta(hours=-5)
    assert marked.tags == ("a", "b")
    assert marked.related == related
    assert fresh.repository.get(dossier.id).related == related
    fresh.close()


def test_an_event_stored_at_version_1_is_upcast_when_read(store: Casework) -> None:
    worker = Actor(uuid4(), Role.CASEWORKER)
    dossier = Dossier.start(Dossier.Opened, worker, title="old title")
    store.save(dossier)
    # An event written before Retitled gained `reason`: no class_version, no reason.
    old_state = {
        "originator_id": str(dossier.id),
        "originator_version": 2,
        "timestamp": "2026-01-05T10:00:00+00:00",
        "actor_id": str(worker.staff_id),
        "actor_role": "caseworker",
        "occurred_at": "2026-01-05T09:00:00+08:00",
        "title": "new title",
    }
    topic = get_topic(Dossier.Retitled)
    key = store.keyring.for_scope(dossier.id)
    envelope = seal(key.cipher, key.key_id, msgspec.json.encode(old_state), dossier.id, 2, topic)
    store.recorder.insert_events([StoredEvent(dossier.id, 2, topic, envelope)])

    retitled = list(store.events.get(dossier.id))[1]
    assert retitled.reason == "(not recorded before version 2)"
    assert retitled.occurred_at == datetime(2026, 1, 5, 1, tzinfo=UTC)
    assert store.repository.get(dossier.id).title == "new title"


def test_vacuum_keeps_every_notification_position(sqlite_settings, master_key) -> None:
    """Projections and checkpoints remember log positions: VACUUM must not renumber them,
    even around a gap left by a row someone removed behind the triggers' back."""
    app = Casework(sqlite_settings, master_key)
    for i in range(5):
        open_case(app, f"family {i}")
    before = [(n.id, n.originator_id) for n in app.recorder.select_notifications(1, 100)]
    drop_append_only_triggers(app)
    run_sql(app, f"DELETE FROM {app.database.events_table} WHERE rowid = 2")
    with sqlite3.connect(app.database.sqlite_path) as conn:
        conn.execute("VACUUM")
    after = [(n.id, n.originator_id) for n in app.recorder.select_notifications(1, 100)]
    assert after == [pair for pair in before if pair[0] != 2]
    app.close()


def test_a_snapshot_taken_at_an_older_aggregate_version_is_upcast_when_read(
    store: Casework,
) -> None:
    worker = Actor(uuid4(), Role.CASEWORKER)
    folder = Folder.start(Folder.Opened, worker, title="new", opened_on=date(2026, 3, 1))
    store.save(folder)
    # A snapshot written before Folder reached version 2: `label`, no class_version.
    old_state = {
        "originator_id": str(folder.id),
        "originator_version": 1,
        "timestamp": "2026-03-01T10:00:00+00:00",
        "topic": get_topic(Folder),
        "state": {
            "label": "written as a label",
            "opened_on": "2026-03-01",
            "_created_on": "2026-03-01T10:00:00+00:00",
            "_modified_on": "2026-03-01T10:00:00+00:00",
        },
    }
    topic = get_topic(Snapshot)
    key = store.keyring.for_scope(folder.id)
    envelope = seal(key.cipher, key.key_id, msgspec.json.encode(old_state), folder.id, 1, topic)
    snapshot = store.mapper.to_domain_event(StoredEvent(folder.id, 1, topic, envelope))
    restored = snapshot.mutate(None)
    assert restored.title == "written as a label"
    assert restored.opened_on == date(2026, 3, 1)
    assert restored.version == 1
