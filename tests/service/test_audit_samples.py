"""Routine audit (序时稽核): a supervisor draws a random sample of a worker's records in
a period, and anyone can draw it again from the recorded seed."""

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from casework.access import AccessDenied
from casework.aggregates.audit_sample import SampledKind, draw
from casework.aggregates.base import Actor, InvalidValue
from casework.aggregates.case import NoteKind
from casework.application import Casework
from tests.builders.centre import family_centre, open_family_case


def test_a_supervisor_samples_a_workers_march_records_reproducibly(app: Casework) -> None:
    centre = family_centre(app)
    march_notes = []
    for _ in range(2):
        case_id = open_family_case(app, centre)
        case = app.repository.get(case_id)
        for day in (3, 10, 17):
            march_notes.append(
                case.record_note(
                    centre.worker,
                    NoteKind.PHONE,
                    f"call on 3/{day}",
                    15,
                    occurred_at=datetime(2026, 3, day, 10, tzinfo=UTC),
                )
            )
        case.record_note(
            centre.worker,
            NoteKind.PHONE,
            "april call",
            15,
            occurred_at=datetime(2026, 4, 2, 10, tzinfo=UTC),
        )
        app.save(case)

    sample_id = app.draw_audit_sample(
        centre.supervisor, centre.worker.staff_id, date(2026, 3, 1), date(2026, 3, 31), 3, seed=7
    )
    sample = app.get_audit_sample(centre.supervisor, sample_id)
    assert sample.seed == 7 and sample.candidate_count == 6
    assert len(sample.selected) == 3
    assert {r.kind for r in sample.selected} == {SampledKind.NOTE}
    assert {r.record_id for r in sample.selected} <= set(march_notes)

    again = app.get_audit_sample(
        centre.supervisor,
        app.draw_audit_sample(
            centre.supervisor,
            centre.worker.staff_id,
            date(2026, 3, 1),
            date(2026, 3, 31),
            3,
            seed=7,
        ),
    )
    assert again.selected == sample.selected

    # A late entry for March changes the cases, not the recorded draw.
    case = app.repository.get(sample.case_versions[0].case_id)
    case.record_note(
        centre.worker,
        NoteKind.PHONE,
        "late entry",
        10,
        occurred_at=datetime(2026, 3, 20, 10, tzinfo=UTC),
    )
    app.save(case)
    assert app.audit_sample_reproduces(centre.director, sample_id)


def test_a_random_seed_is_chosen_and_recorded_when_none_is_given(app: Casework) -> None:
    centre = family_centre(app)
    open_family_case(app, centre)
    sample = app.get_audit_sample(
        centre.head,
        app.draw_audit_sample(
            centre.head, centre.worker.staff_id, date(2026, 1, 1), date(2026, 12, 31), 5
        ),
    )
    assert isinstance(sample.seed, int)
    assert draw([], 5, sample.seed) == sample.selected == []


def test_only_auditors_draw_samples_of_a_sensible_size(app: Casework) -> None:
    centre = family_centre(app)

    def sample_of_the_worker(by: Actor, start: date, end: date, size: int = 3) -> UUID:
        return app.draw_audit_sample(by, centre.worker.staff_id, start, end, size)

    march = (date(2026, 3, 1), date(2026, 3, 31))
    with pytest.raises(AccessDenied, match="audit samples are drawn"):
        sample_of_the_worker(centre.second_worker, *march)
    with pytest.raises(AccessDenied, match="nobody audits their own records"):
        sample_of_the_worker(centre.worker, *march)
    sample_id = sample_of_the_worker(centre.supervisor, *march)
    with pytest.raises(AccessDenied, match="may not read this audit sample"):
        app.get_audit_sample(centre.administrator, sample_id)
    with pytest.raises(InvalidValue, match="size"):
        sample_of_the_worker(centre.supervisor, *march, size=0)
    with pytest.raises(InvalidValue, match="period_end"):
        sample_of_the_worker(centre.supervisor, date(2026, 3, 31), date(2026, 3, 1))
