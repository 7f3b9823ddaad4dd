"""Stories of the cases a worker leads: their record lists the open ones (so it stays
small however many they have closed), leaving still waits for every open case to be
handed over, and an audit still looks back over the closed ones."""

from datetime import date

import pytest

from casework.aggregates.case import CaseStatus, ClosureReason, RecordKind, RiskLevel
from casework.aggregates.staff import HandOverRequired
from casework.application import Casework
from casework.application.commands.cases import (
    CloseCase,
    HandOverCase,
    ReopenCase,
)
from casework.application.commands.organisation import RecordLeaving
from casework.application.commands.reviews import ApproveRecord
from tests.builders.centre import family_centre, open_family_case


def test_closing_takes_a_case_off_its_leads_record_and_reopening_puts_it_back(
    store: Casework,
) -> None:
    centre = family_centre(store)
    worker = centre.worker.staff_id
    ongoing = open_family_case(store, centre)
    withdrawn = open_family_case(store, centre)
    high_risk = open_family_case(store, centre, risk_level=RiskLevel.HIGH)

    store.close_case(
        centre.worker,
        withdrawn,
        CloseCase(reason=ClosureReason.CLIENT_WITHDREW, outcomes=[], summary="withdrew"),
    )
    closure_id = store.close_case(
        centre.worker,
        high_risk,
        CloseCase(reason=ClosureReason.GOALS_MET, outcomes=[], summary="safe"),
    )
    assert store.repository.get(high_risk).status == CaseStatus.CLOSING
    # A case waiting for closure approval still needs its lead.
    assert store.get_staff(worker).lead_case_ids == [ongoing, high_risk]
    with pytest.raises(HandOverRequired) as refused:
        store.staff_leaves(centre.director, worker, RecordLeaving(on=date(2026, 6, 30)))
    assert refused.value.details["case_ids"] == [str(ongoing), str(high_risk)]

    store.approve_record(
        centre.supervisor, high_risk, RecordKind.CLOSURE, closure_id, ApproveRecord()
    )
    assert store.repository.get(high_risk).status == CaseStatus.CLOSED
    assert store.get_staff(worker).lead_case_ids == [ongoing]

    store.reopen_case(
        centre.worker, withdrawn, ReopenCase(reason="the client asked for help again")
    )
    assert store.get_staff(worker).lead_case_ids == [ongoing, withdrawn]
    # The audit's look back: every case they lead, closed or not.
    assert store.cases_led(worker) == [ongoing, withdrawn, high_risk]


def test_a_closed_case_handed_over_is_listed_by_its_new_lead_once_reopened(
    store: Casework,
) -> None:
    centre = family_centre(store)
    first, second = centre.worker.staff_id, centre.second_worker.staff_id
    case_id = open_family_case(store, centre)
    store.close_case(
        centre.worker,
        case_id,
        CloseCase(reason=ClosureReason.GOALS_MET, outcomes=[], summary="goals met"),
    )

    store.hand_over_case(
        centre.head,
        case_id,
        HandOverCase(to_staff_id=second, reason="陈静 moves to the youth team"),
    )
    assert case_id not in store.get_staff(second).lead_case_ids
    assert store.cases_led(second) == [case_id] and store.cases_led(first) == []
    store.staff_leaves(centre.director, first, RecordLeaving(on=date(2026, 6, 30)))

    store.reopen_case(centre.head, case_id, ReopenCase(reason="a new incident at home"))
    assert store.get_staff(second).lead_case_ids == [case_id]
    with pytest.raises(HandOverRequired, match=str(case_id)):
        store.staff_leaves(centre.director, second, RecordLeaving(on=date(2026, 7, 31)))
