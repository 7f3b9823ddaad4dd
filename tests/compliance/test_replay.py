"""A reviewer looks at a case as it stood at a past instant: as casework had recorded
it then, or as things had happened by then (late entries included), and at what changed
between two instants."""

from datetime import UTC, datetime, timedelta

import pytest

from casework.aggregates.base import InvalidValue
from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.application.commands.cases import (
    AddAddendum,
    RecordNote,
)
from casework.compliance.diff import kind_of_change
from casework.compliance.replay import Basis
from tests.builders.centre import family_centre, open_family_case
from tests.builders.compliance_steps import give_ledger_key


def test_as_recorded_and_as_occurred_differ_by_the_late_entry(store: Casework) -> None:
    centre = family_centre(store)
    before_opening = datetime.now(UTC)
    case_id = open_family_case(store, centre)
    visit = store.record_note(
        centre.worker,
        case_id,
        RecordNote(kind=NoteKind.HOME_VISIT, narrative="first visit", duration_minutes=60),
    )
    then = datetime.now(UTC)
    # Recorded after `then`, about a phone call that happened at `then`.
    call = store.record_note(
        centre.worker,
        case_id,
        RecordNote(
            kind=NoteKind.PHONE,
            narrative="call written up late",
            duration_minutes=15,
            occurred_at=then,
        ),
    )

    recorded = store.replay(centre.director, case_id, then)
    occurred = store.replay(centre.director, case_id, then, Basis.OCCURRED)

    assert recorded.label.startswith("as recorded at")
    assert occurred.label.startswith("as occurred at")
    assert set(recorded.record.notes) == {visit}
    assert set(occurred.record.notes) == {visit, call}
    stored = store.repository.get(case_id)
    assert (
        store.replay(centre.director, case_id, datetime.now(UTC)).record.version == stored.version
    )
    assert store.replay(centre.director, case_id, before_opening).record is None
    assert store.replay(centre.director, case_id, before_opening, Basis.OCCURRED).record is None


def test_a_long_case_replays_to_any_instant_from_its_snapshots(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    instants = []
    for n in range(230):
        app.record_note(
            centre.worker,
            case_id,
            RecordNote(kind=NoteKind.PHONE, narrative=f"call {n}", duration_minutes=5),
        )
        if n in (0, 99, 150, 229):
            instants.append((datetime.now(UTC), app.repository.get(case_id).version))
    for at, version in instants:
        replay = app.replay(centre.director, case_id, at)
        assert replay.record.version == version
        assert len(replay.record.notes) == len(app.repository.get(case_id, version=version).notes)


def test_a_late_entry_lands_in_the_past_of_a_long_case_as_occurred(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    for n in range(160):
        app.record_note(
            centre.worker,
            case_id,
            RecordNote(kind=NoteKind.PHONE, narrative=f"call {n}", duration_minutes=5),
        )
        if n == 150:
            then, version = datetime.now(UTC), app.repository.get(case_id).version
    late = app.record_note(
        centre.worker,
        case_id,
        RecordNote(
            kind=NoteKind.HOME_VISIT,
            narrative="visit written up late",
            duration_minutes=60,
            occurred_at=then,
        ),
    )

    replay = app.replay(centre.director, case_id, then, Basis.OCCURRED)

    expected = set(app.repository.get(case_id, version=version).notes) | {late}
    assert set(replay.record.notes) == expected
    assert replay.applied == version + 1
    assert late not in app.replay(centre.director, case_id, then).record.notes


def test_a_diff_names_what_appeared_and_what_was_amended(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    visit = app.record_note(
        centre.worker,
        case_id,
        RecordNote(kind=NoteKind.HOME_VISIT, narrative="first visit", duration_minutes=60),
    )
    since = datetime.now(UTC)
    call = app.record_note(
        centre.worker,
        case_id,
        RecordNote(kind=NoteKind.PHONE, narrative="follow-up call", duration_minutes=10),
    )
    app.add_addendum(
        centre.worker,
        case_id,
        AddAddendum(
            record_kind="note",
            record_id=visit,
            narrative="the daughter was present too",
            reason="omitted",
        ),
    )
    until = datetime.now(UTC)

    changes = app.diff_record(centre.director, case_id, since, until)

    assert [(e.change, e.event) for e in changes.entries] == [
        ("appeared", "note recorded"),
        ("amended", "addendum added"),
    ]
    assert changes.appeared["notes"] == [str(call)]
    assert changes.amended["notes"] == [str(visit)]
    assert all(e.actor_id == centre.worker.staff_id for e in changes.entries)


def test_approvals_are_named_as_approvals() -> None:
    assert kind_of_change("PlanVersionApproved") == "approved"
    assert kind_of_change("ClosureAmended") == "amended"
    assert kind_of_change("NoteRecorded") == "appeared"


def test_an_instant_without_a_time_zone_is_refused(app: Casework) -> None:
    give_ledger_key(app)
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    with pytest.raises(InvalidValue, match="as_of"):
        app.replay(centre.director, case_id, datetime.now() - timedelta(days=1))
