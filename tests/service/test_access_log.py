"""Every read of case content is recorded before it is shown; refusals too; and the
access log answers who read a case and what a person read."""

from datetime import date

import pytest

from casework.access import AccessDenied
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.application import Casework
from casework.application.access_log import AccessLogNotAllowed, AccessNotRecorded
from casework.application.principal import AccessPoint, Principal
from casework.store.access_index import AccessQuery
from tests.builders.centre import family_centre, open_family_case
from tests.builders.compliance_steps import case_with_a_law_note, erase_with_four_eyes


def test_a_lawyer_on_summary_scope_reads_the_summary_and_law_notes_only(store: Casework) -> None:
    centre, case_id = case_with_a_law_note(store, "custody law explained")
    lawyer = Principal(centre.lawyer.staff_id, centre.lawyer.role, access_point=AccessPoint.API)

    reading = store.read_case(lawyer, case_id)

    assert [n.narrative for n in reading.case.notes.values()] == ["custody law explained"]
    assert reading.withheld_summary() == "1 record hidden: social_work notes"
    assert store.repository.get(case_id).notes.__len__() == 2  # the stored case is untouched
    entries = store.who_read_case(centre.worker, case_id)
    read = [e for e in entries if e.action is AccessAction.READ]
    assert len(read) == 1
    assert read[0].staff_id == centre.lawyer.staff_id
    assert read[0].access_point == "api"
    assert read[0].purpose == "casework"
    assert read[0].outcome is AccessOutcome.ALLOWED
    assert "note" in read[0].record_kinds


def test_a_refused_read_is_recorded_and_shows_nothing(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    version = store.repository.get(case_id).version

    with pytest.raises(AccessDenied, match="administrators see no case content"):
        store.read_case(centre.administrator, case_id)

    refused = store.who_read_case(centre.reviewer, case_id, AccessQuery(outcome="refused"))
    assert [(e.staff_id, e.action) for e in refused] == [
        (centre.administrator.staff_id, AccessAction.READ)
    ]
    assert store.repository.get(case_id).version == version  # reads never change the case


def test_what_a_person_read_is_for_reviewers_only(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    store.read_case(centre.head, case_id)
    reviewer = Principal(centre.reviewer.staff_id, centre.reviewer.role).for_purpose(
        "2026 annual file audit"
    )

    seen = store.what_person_read(reviewer, centre.head.staff_id)

    assert [(e.case_id, e.action) for e in seen] == [(case_id, AccessAction.READ)]
    with pytest.raises(AccessLogNotAllowed):
        store.what_person_read(centre.director, centre.head.staff_id)
    with pytest.raises(AccessLogNotAllowed):
        store.who_read_case(centre.second_worker, case_id)
    asked = store.what_person_read(reviewer, centre.reviewer.staff_id)
    assert {e.purpose for e in asked if e.action is AccessAction.ACCESS_LOG} == {
        "2026 annual file audit"
    }


def test_a_read_that_cannot_be_recorded_fails_closed(
    app: Casework, monkeypatch: pytest.MonkeyPatch
) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(app.access_index, "row", lambda *a, **k: broken)

    with pytest.raises(AccessNotRecorded):
        app.read_case(centre.worker, case_id)


def test_who_read_an_erased_case_stays_answerable(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    store.read_case(centre.worker, case_id)
    erase_with_four_eyes(
        store,
        case_id,
        centre.head,
        centre.director,
        "client's request under PIPL art. 47",
        "Legal Office ref 2026-1",
    )

    entries = store.who_read_case(centre.reviewer, case_id)

    assert centre.worker.staff_id in {e.staff_id for e in entries}
    with pytest.raises(AccessLogNotAllowed):
        store.who_read_case(centre.director, case_id)
    assert date.today() >= entries[0].at.date()


def test_the_reads_of_one_page_are_each_checked_and_recorded(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)

    with store.one_page():
        store.read_case(centre.worker, case_id)
        shown = store.who_read_case(centre.worker, case_id)
        with pytest.raises(AccessDenied):
            store.read_case(centre.administrator, case_id)

    assert [(e.staff_id, e.action) for e in shown] == [(centre.worker.staff_id, AccessAction.READ)]
    logged = store.who_read_case(centre.reviewer, case_id)
    assert {(e.staff_id, e.action, e.outcome) for e in logged} >= {
        (centre.administrator.staff_id, AccessAction.READ, AccessOutcome.REFUSED),
        (centre.worker.staff_id, AccessAction.ACCESS_LOG, AccessOutcome.ALLOWED),
        (centre.worker.staff_id, AccessAction.READ, AccessOutcome.ALLOWED),
    }
