"""A destroyed key must answer to a four-eyes erasure: `verify` holds each destroyed
data key against the erasure register and the request that entry carried out, and
names an erasure that one person requested and approved, that someone who may not
approve approved, or that carried out no request at all (an insider with the keys
writing the register through the library, past the service layer's rules). On a real
SQLite file and a real PostgreSQL schema."""

from datetime import UTC, datetime
from uuid import UUID

from casework.aggregates.base import Actor
from casework.aggregates.erasure import CaseErasure
from casework.aggregates.erasure_request import ErasureRequest
from casework.application import Casework
from tests.builders.centre import FamilyCentre
from tests.builders.compliance_steps import erase_with_four_eyes, family_case, give_ledger_key

REASON = "the client asked for her records to be erased"
AUTHORITY = "data protection officer Liang, request DP-2026-021"


def erased_past_the_rules(
    app: Casework, case_id: UUID, requester: Actor, approver: Actor | None, carrier: Actor
) -> None:
    """What the service layer refuses, done with the library directly: the request
    approved by `approver` without the four-eyes checks (None: no request at all), the
    register entry written and the case's key destroyed."""
    at = datetime.now(UTC)
    erasure = CaseErasure.record_erasure(carrier, case_id, REASON, AUTHORITY, at)
    if approver is None:
        app.save(erasure)
    else:
        case = app.repository.get(case_id)
        request = ErasureRequest.request(
            requester, case_id, case.centre_id, case.department_id, REASON, AUTHORITY, at
        )
        request.record(ErasureRequest.Approved, approver, at)  # no check of who approves
        request.carry_out(carrier, erasure.id, at)
        app.save(request, erasure)
    app.keyring.destroy(case_id, at)
    app.checkpoint()


def named_past_the_rules(app: Casework) -> str:
    """`verify` names one thing, an erasure past the four-eyes rule: what it says."""
    report = app.verify()
    assert report.kinds() == {"erasure_not_four_eyes"}, report.lines()
    return report.findings[0].message


def erasable_case(app: Casework) -> tuple[FamilyCentre, UUID]:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=2)
    app.checkpoint()
    return centre, case_id


def test_a_four_eyes_erasure_verifies(store: Casework) -> None:
    centre, case_id = erasable_case(store)
    erase_with_four_eyes(store, case_id, centre.head, centre.director, REASON, AUTHORITY)
    store.checkpoint()
    report = store.verify()
    assert report.ok, report.lines()


def test_an_erasure_requested_and_approved_by_one_person_is_named(store: Casework) -> None:
    centre, case_id = erasable_case(store)
    erased_past_the_rules(store, case_id, centre.director, centre.director, centre.director)
    message = named_past_the_rules(store)
    assert str(case_id) in message
    assert f"requested and approved by the same person (staff {centre.director.staff_id})" in (
        message
    )


def test_an_erasure_approved_by_someone_who_may_not_approve_is_named(store: Casework) -> None:
    centre, case_id = erasable_case(store)
    erased_past_the_rules(store, case_id, centre.head, centre.worker, centre.director)
    message = named_past_the_rules(store)
    assert f"approved by staff {centre.worker.staff_id} acting as caseworker" in message
    assert "only a centre director or a compliance reviewer approves" in message


def test_an_erasure_that_carried_out_no_request_is_named(store: Casework) -> None:
    centre, case_id = erasable_case(store)
    erased_past_the_rules(store, case_id, centre.director, None, centre.director)
    assert "carried out no erasure request: nobody requested and approved it" in (
        named_past_the_rules(store)
    )
