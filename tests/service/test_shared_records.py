"""A worker opens a case once and shows it to every reader after that (ADR 0062): each
read still sees everything stored since, by this worker or another, nothing a reader
holds changes under it, and an erased case leaves the worker's memory."""

from uuid import UUID

import pytest

from casework.aggregates.case import Case
from casework.application import Casework
from casework.application.compliance import Erased
from casework.application.shared_records import SharedRecords
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.builders.centre import open_family_case, write_note
from tests.builders.compliance_steps import erase_with_four_eyes, family_case


def _notes_of(app: Casework, by: object, case_id: UUID) -> list[str]:
    reading = app.read_case(by, case_id)  # type: ignore[arg-type]
    return sorted(n.narrative for n in reading.case.notes.values())


def test_a_caseworker_reading_her_case_again_sees_the_note_another_worker_recorded(
    store: Casework, settings: Settings, master_key: MasterKey
) -> None:
    centre, case_id = family_case(store, notes=1)
    other_worker = Casework(settings, master_key)  # another server process, same store
    try:
        assert _notes_of(store, centre.worker, case_id) == ["home visit 0"]
        write_note(other_worker, centre.worker, case_id, "phoned the school")
        assert _notes_of(store, centre.worker, case_id) == ["home visit 0", "phoned the school"]
        write_note(store, centre.worker, case_id, "met the mother")
        assert _notes_of(store, centre.worker, case_id) == [
            "home visit 0",
            "met the mother",
            "phoned the school",
        ]
    finally:
        other_worker.close()


def test_a_case_held_by_one_reader_does_not_change_when_someone_writes_to_it(
    app: Casework,
) -> None:
    centre, case_id = family_case(app, notes=1)
    held = app.read(case_id, Case, "case")
    assert app.read(case_id, Case, "case") is held  # opened once, shared

    write_note(app, centre.worker, case_id, "phoned the school")

    assert (held.version, len(held.notes)) == (2, 1)
    brought_up = app.read(case_id, Case, "case")
    assert brought_up is not held
    assert (brought_up.version, len(brought_up.notes)) == (3, 2)
    # A command works on its own copy: the shared one is never the one changed.
    assert app.load(case_id, Case, "case") is not brought_up


def test_an_erased_case_leaves_the_memory_of_the_worker_that_erased_it(app: Casework) -> None:
    centre, case_id = family_case(app, notes=2)
    other_case = open_family_case(app, centre)
    shared = app.repository.shared
    app.read_case(centre.worker, case_id)
    app.read_case(centre.worker, other_case)
    assert shared.held(case_id) is not None

    erase_with_four_eyes(
        app, case_id, centre.head, centre.director, "consent withdrawn", "request DP-2026-014"
    )

    assert shared.held(case_id) is None
    assert shared.held(other_case) is not None
    with pytest.raises(Erased):
        app.read_case(centre.worker, case_id)


def test_a_worker_keeps_only_the_records_read_most_recently() -> None:
    class Kept:
        def __init__(self, n: int, version: int = 1) -> None:
            self.id, self.version = UUID(int=n), version

        def case_id_for_keys(self) -> UUID:
            return UUID(int=1000 + self.id.int % 2)

    shared = SharedRecords(size=3)
    for n in range(3):
        shared.keep(Kept(n))
    shared.held(UUID(int=0))  # read again: now the most recent
    shared.keep(Kept(3))
    assert [shared.held(UUID(int=n)) is not None for n in range(4)] == [True, False, True, True]
    # Two readers bringing one record up at once: the older never replaces the newer.
    newer = shared.keep(Kept(3, version=5))
    shared.keep(Kept(3, version=4))
    assert shared.held(UUID(int=3)) is newer
    shared.forget_case(UUID(int=1001))  # records 3 (and 1, gone already) are that case's
    assert [shared.held(UUID(int=n)) is not None for n in (0, 2, 3)] == [True, True, False]
