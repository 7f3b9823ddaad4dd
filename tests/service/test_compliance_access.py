"""Replay, diff and export show what the reader may see under the one access rule and
are recorded before they are returned: a reviewer sees all (read-only), a specialist
only their discipline's records, an outsider nothing (refused, recorded)."""

from datetime import UTC, datetime

import pytest

from casework.access import AccessDenied
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.application.compliance import ExportNotAllowed
from casework.compliance.replay import Basis
from casework.store.access_index import AccessQuery
from tests.builders.centre import family_centre, open_family_case, write_note
from tests.builders.compliance_steps import case_with_a_law_note, give_ledger_key


def test_a_specialists_replay_omits_other_disciplines_notes(store: Casework) -> None:
    centre, case_id = case_with_a_law_note(store, "custody law")
    since = datetime.now(UTC)
    write_note(store, centre.worker, case_id, "a phone call", NoteKind.PHONE, 10)
    at = datetime.now(UTC)

    for basis in Basis:
        seen = store.replay(centre.lawyer, case_id, at, basis)
        assert [n.narrative for n in seen.record.notes.values()] == ["custody law"]
        assert seen.withheld
    whole = store.replay(centre.reviewer, case_id, at)
    assert len(whole.record.notes) == 3
    assert store.diff_record(centre.lawyer, case_id, since, at).appeared == {}
    assert len(store.diff_record(centre.reviewer, case_id, since, at).appeared["notes"]) == 1
    with pytest.raises(AccessDenied):
        store.replay(centre.administrator, case_id, at)

    entries = store.who_read_case(centre.reviewer, case_id)
    looks = [
        (e.staff_id, e.action, e.outcome)
        for e in entries
        if e.action in (AccessAction.REPLAY, AccessAction.DIFF)
    ]
    assert sorted(looks) == sorted(
        [
            (centre.lawyer.staff_id, AccessAction.REPLAY, AccessOutcome.ALLOWED),
            (centre.lawyer.staff_id, AccessAction.REPLAY, AccessOutcome.ALLOWED),
            (centre.reviewer.staff_id, AccessAction.REPLAY, AccessOutcome.ALLOWED),
            (centre.lawyer.staff_id, AccessAction.DIFF, AccessOutcome.ALLOWED),
            (centre.reviewer.staff_id, AccessAction.DIFF, AccessOutcome.ALLOWED),
            (centre.administrator.staff_id, AccessAction.REPLAY, AccessOutcome.REFUSED),
        ]
    )


def test_exports_are_for_reviewers_and_directors_and_each_is_recorded(store: Casework) -> None:
    give_ledger_key(store)
    centre = family_centre(store)
    case_id = open_family_case(store, centre)

    with pytest.raises(ExportNotAllowed):
        store.export_case(centre.head, case_id)
    store.export_case(centre.reviewer, case_id)
    store.export_case(centre.director, case_id)

    exports = store.who_read_case(centre.reviewer, case_id, AccessQuery(staff_id=None))
    assert sorted(
        (e.staff_id, e.outcome) for e in exports if e.action is AccessAction.EXPORT
    ) == sorted(
        [
            (centre.head.staff_id, AccessOutcome.REFUSED),
            (centre.reviewer.staff_id, AccessOutcome.ALLOWED),
            (centre.director.staff_id, AccessOutcome.ALLOWED),
        ]
    )
