"""Erasure that leaves nothing (issue 14): after a case is erased nothing about its
content is readable anywhere (its supervision discussion, decisions, action items and
case-practice notes; staff records' lists of lead cases; the views; the recorded-at
index; the search index), the exports made before are listed in the register for
recall, the ledger still verifies and every other case is untouched."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from casework.aggregates.base import Role, RuleBroken
from casework.aggregates.case import NoteKind
from casework.aggregates.supervision import SessionFormat, Topic
from casework.application import Casework
from casework.application.commands.supervision import (
    AddActionItem,
    MarkActionItemDone,
    RecordSupervisionDecision,
    WriteSupervisionNote,
)
from casework.projections import Projections
from casework.store.errors import RecordErased
from tests.builders.centre import FamilyCentre, open_family_case, write_note
from tests.builders.compliance_steps import (
    erase_with_four_eyes,
    family_case,
    give_ledger_key,
    projected_rows,
)
from tests.builders.supervision import discuss, one_to_one, set_action, supervisor_holds

REASON = "the client withdrew consent and asked for her records to be erased"
AUTHORITY = "data protection officer Liang, request DP-2026-031"
ERASED = (RecordErased, RuleBroken)
LATER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Discussed:
    session_id: UUID
    item_id: UUID


def discussed(store: Casework, centre: FamilyCentre, case_id: UUID, about: str) -> Discussed:
    """A session that discusses one case, with a decision and an action item about it
    (recorded in the case discussion) and a case-practice note."""
    topics = (Topic.CASE_PRACTICE, Topic.PROFESSIONAL_DEVELOPMENT)
    supervisees = [centre.worker.staff_id]
    session_id = supervisor_holds(store, centre, SessionFormat.INDIVIDUAL, supervisees, 60, topics)
    discuss(store, centre, session_id, case_id, f"{about}: the threats", ["safety plan"])
    store.record_case_decision(
        centre.supervisor,
        session_id,
        case_id,
        RecordSupervisionDecision(decision=f"{about}: apply for a protection order"),
    )
    item_id = store.add_case_action_item(
        centre.supervisor,
        session_id,
        case_id,
        AddActionItem(
            owner_id=centre.worker.staff_id,
            description=f"{about}: call the legal aid office",
            due_on=date(2026, 12, 20),
        ),
    )
    store.write_supervision_note(
        centre.supervisor,
        session_id,
        WriteSupervisionNote(topic=Topic.PROFESSIONAL_DEVELOPMENT, text="training on risk"),
    )
    return Discussed(session_id, item_id)


def test_after_erasure_nothing_of_the_case_is_readable_anywhere(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=2)
    other_case = open_family_case(store, centre)
    erased_session = discussed(store, centre, case_id, "王芳 Wang Fang")
    other_session = discussed(store, centre, other_case, "the other client")
    store.export_case(centre.director, case_id)
    projections = Projections(store)
    try:
        projections.catch_up()
        assert projected_rows(projections, case_id) > 0
        other_rows = projected_rows(projections, other_case)
        assert store.recorded_at.version_at(case_id, LATER) is not None

        erasure_id = erase_with_four_eyes(
            store, case_id, centre.head, centre.director, REASON, AUTHORITY
        )
        projections.catch_up()

        # The supervision discussion, its decisions and action items are gone ...
        with pytest.raises(ERASED, match="erased"):
            store.get_case_discussion(centre.supervisor, erased_session.session_id, case_id)
        with pytest.raises(ERASED, match="erased"):
            store.mark_case_action_item_done(
                centre.worker,
                erased_session.session_id,
                case_id,
                erased_session.item_id,
                MarkActionItemDone(),
            )
        session = store.get_supervision_session(centre.supervisor, erased_session.session_id)
        assert (session.decisions, session.action_items) == ([], [])
        assert [n.text for n in session.notes] == ["training on risk"]
        # ... and the staff records no longer list the case.
        for staff in (store.get_staff(centre.worker.staff_id), *store.list_staff()):
            assert case_id not in staff.lead_case_ids
        assert other_case in store.get_staff(centre.worker.staff_id).lead_case_ids
        # Views, the recorded-at index and the search index hold nothing of it.
        assert projected_rows(projections, case_id) == 0
        assert store.recorded_at.version_at(case_id, LATER) is None
        assert case_id not in store.find_cases_by_client(centre.worker, "name", "王芳 Wang Fang")

        # Every other case is untouched.
        assert projected_rows(projections, other_case) == other_rows
        assert store.recorded_at.version_at(other_case, LATER) is not None
        assert store.read_case(centre.worker, other_case).case.id == other_case
        other = store.get_case_discussion(centre.supervisor, other_session.session_id, other_case)
        assert other.decisions == ["the other client: apply for a protection order"]
        assert [i.description for i in other.action_items] == [
            "the other client: call the legal aid office"
        ]
    finally:
        projections.close()

    # The register lists the export made before, for recall.
    erasure = store.erasure_of(case_id)
    assert erasure is not None and erasure.id == erasure_id
    [export] = erasure.exports_to_recall
    assert (export.exported_by, export.role) == (centre.director.staff_id, Role.CENTRE_DIRECTOR)
    assert export.exported_at <= erasure.erased_at
    assert "exported" in export.reason

    report = store.verify()
    assert report.ok, report.lines()
    store.checkpoint()
    assert store.verify().ok


def test_a_session_that_discussed_an_erased_case_withholds_its_earlier_records(
    store: Casework,
) -> None:
    """Decisions, action items and case-practice notes written in the session itself
    (before decisions were recorded in the case discussion) are not linked to a case:
    every reader sees the session without them once a case it discussed is erased. A
    session about other cases keeps all of its own."""
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=1)
    other_case = open_family_case(store, centre)
    sessions = []
    for about in (case_id, other_case):
        session_id = one_to_one(store, centre, minutes=45)
        discuss(store, centre, session_id, about, "the son-in-law's threats")
        store.record_supervision_decision(
            centre.supervisor, session_id, RecordSupervisionDecision(decision="refer to legal aid")
        )
        set_action(
            store,
            centre,
            session_id,
            centre.worker,
            "book the legal aid office",
            date(2026, 12, 20),
        )
        store.write_supervision_note(
            centre.supervisor,
            session_id,
            WriteSupervisionNote(topic=Topic.CASE_PRACTICE, text="she fears the son-in-law"),
        )
        sessions.append(session_id)

    erase_with_four_eyes(store, case_id, centre.head, centre.director, REASON, AUTHORITY)

    for reader in (centre.supervisor, centre.worker):
        erased = store.get_supervision_session(reader, sessions[0])
        assert (erased.decisions, erased.action_items, erased.notes) == ([], [], [])
        assert store.supervision_notes_for(reader, sessions[0]) == []
        kept = store.get_supervision_session(reader, sessions[1])
        assert kept.decisions == ["refer to legal aid"]
        assert [i.description for i in kept.action_items] == ["book the legal aid office"]
        assert [n.text for n in store.supervision_notes_for(reader, sessions[1])] == [
            "she fears the son-in-law"
        ]
    assert store.verify().ok


def test_an_erasure_with_no_exports_lists_none(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=1)

    erase_with_four_eyes(store, case_id, centre.head, centre.director, REASON, AUTHORITY)

    erasure = store.erasure_of(case_id)
    assert erasure is not None and erasure.exports_to_recall == []


def test_an_audit_sample_draws_from_the_cases_the_worker_still_leads(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=2)
    other_case = open_family_case(store, centre)
    write_note(store, centre.worker, other_case, "a call", NoteKind.PHONE, 10)

    erase_with_four_eyes(store, case_id, centre.head, centre.director, REASON, AUTHORITY)

    today = datetime.now(UTC).date()
    sample = store.get_audit_sample(
        centre.supervisor,
        store.draw_audit_sample(centre.supervisor, centre.worker.staff_id, today, today, 5, seed=3),
    )
    assert sample.selected
    assert {r.case_id for r in sample.selected} == {other_case}
