"""An erasure is irreversible, so it takes two people: one requests it with the reason
and the legal authority, a second approves it (never the requester), then it is
carried out; refused steps are recorded."""

import pytest

from casework.access import AccessDenied
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.erasure_request import ErasureStatus, ErasureStepNotAllowed
from casework.application import Casework
from casework.application.compliance import Erased
from casework.store.access_index import AccessQuery
from tests.builders.compliance_steps import family_case, give_ledger_key

REASON = "the client withdrew consent and asked for her records to be erased"
AUTHORITY = "PIPL art. 47; request DP-2026-014"


def test_the_requester_cannot_approve_their_own_erasure(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=1)
    reviewer = centre.reviewer

    with pytest.raises(AccessDenied, match="requested by a compliance reviewer"):
        store.request_erasure(centre.worker, case_id, REASON, AUTHORITY)
    request_id = store.request_erasure(centre.director, case_id, REASON, AUTHORITY)
    with pytest.raises(AccessDenied, match="cannot approve it"):
        store.approve_erasure(centre.director, request_id)
    with pytest.raises(AccessDenied, match="approved by a compliance reviewer"):
        store.approve_erasure(centre.head, request_id)
    with pytest.raises(ErasureStepNotAllowed, match="only one that is approved"):
        store.carry_out_erasure(centre.director, request_id)
    store.read_case(centre.worker, case_id)  # still there

    store.approve_erasure(reviewer, request_id)
    with pytest.raises(AccessDenied, match="administrator or the director"):
        store.carry_out_erasure(reviewer, request_id)
    erasure_id = store.carry_out_erasure(centre.administrator, request_id)

    request = store.get_erasure_request(request_id)
    assert request.status is ErasureStatus.CARRIED_OUT
    assert (request.requested_by, request.approved_by, request.carried_out_by) == (
        centre.director.staff_id,
        reviewer.staff_id,
        centre.administrator.staff_id,
    )
    erasure = store.erasure_of(case_id)
    assert erasure is not None and erasure.id == erasure_id
    assert (
        erasure.authorised_by
        == f"{AUTHORITY}; requested by 梁志强 Liang Zhiqiang, approved by Audit Office"
    )
    with pytest.raises(Erased):
        store.read_case(centre.worker, case_id)

    refused = store.who_read_case(reviewer, case_id, AccessQuery(outcome="refused"))
    assert sorted((e.staff_id, e.action) for e in refused) == sorted(
        [
            (centre.worker.staff_id, AccessAction.WRITE),
            (centre.director.staff_id, AccessAction.WRITE),
            (centre.head.staff_id, AccessAction.WRITE),
            (reviewer.staff_id, AccessAction.WRITE),
        ]
    )
    assert all(e.outcome is AccessOutcome.REFUSED and "erasure" in e.record_kinds for e in refused)


def test_those_who_take_an_erasures_steps_read_where_it_stands(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=1)
    request_id = store.request_erasure(centre.head, case_id, REASON, AUTHORITY)

    for reader in (centre.head, centre.director, centre.reviewer, centre.administrator):
        request = store.read_erasure_request(reader, request_id)
        assert (request.status, request.legal_authority) == (ErasureStatus.REQUESTED, AUTHORITY)
    for outsider in (centre.worker, centre.supervisor, centre.lawyer):
        with pytest.raises(AccessDenied, match="may not read this erasure request"):
            store.read_erasure_request(outsider, request_id)

    read_by_worker = store.what_person_read(
        centre.reviewer, centre.worker.staff_id, AccessQuery(outcome="refused")
    )
    assert [e.record_ids for e in read_by_worker if "erasure" in e.record_kinds] == [[request_id]]
