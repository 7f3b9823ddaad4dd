"""Referral answers come from the receiver: the receiving department's own staff, or,
for an external agency (no accounts), a sending-centre worker naming the agency's
contact. Reading a referral is recorded, and so is every refusal."""

import pytest

from casework.access import AccessDenied
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import InvalidValue
from casework.aggregates.referral import ReferralStatus, SharedPart, Urgency
from casework.application import Casework
from casework.application.commands.referrals import (
    AcceptReferral,
)
from casework.store.access_index import AccessQuery
from tests.builders.centre import family_centre, open_family_case
from tests.builders.referrals import refer, to_agency, to_department

SHARED = [SharedPart.CASE_SUMMARY]


def test_a_department_answers_for_itself_and_others_are_refused(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    referral_id = refer(
        store, centre, case_id, to_department(centre.elderly_id), "day care", Urgency.URGENT, SHARED
    )

    with pytest.raises(AccessDenied, match="answered by that department's caseworkers"):
        store.accept_referral(centre.head, referral_id, AcceptReferral())  # another department
    with pytest.raises(InvalidValue, match="agency_contact"):
        store.accept_referral(
            centre.elderly_head, referral_id, AcceptReferral(agency_contact="nobody")
        )
    store.accept_referral(centre.elderly_head, referral_id, AcceptReferral())

    referral = store.get_referral(centre.elderly_head, referral_id)  # receiving staff read it
    assert referral.status is ReferralStatus.ACCEPTED
    assert [(a.recorded_by, a.agency_contact) for a in referral.answers] == [
        (centre.elderly_head.staff_id, "")
    ]
    reviewer = centre.reviewer
    refused = store.who_read_case(reviewer, case_id, AccessQuery(outcome="refused"))
    assert [(e.staff_id, e.action) for e in refused] == [(centre.head.staff_id, AccessAction.WRITE)]


def test_an_agency_answer_is_recorded_by_a_sending_centre_worker_naming_the_contact(
    store: Casework,
) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    referral_id = refer(
        store, centre, case_id, to_agency(centre.legal_aid_id), "divorce", Urgency.ROUTINE, SHARED
    )

    with pytest.raises(InvalidValue, match="name the person at the agency"):
        store.accept_referral(centre.worker, referral_id, AcceptReferral())
    with pytest.raises(AccessDenied, match="sending centre"):
        store.accept_referral(
            centre.administrator, referral_id, AcceptReferral(agency_contact="Ms Deng")
        )
    store.accept_referral(
        centre.worker, referral_id, AcceptReferral(agency_contact="Ms Deng, intake officer")
    )

    answers = store.get_referral(centre.worker, referral_id).answers
    assert [(a.step, a.recorded_by, a.agency_contact) for a in answers] == [
        (ReferralStatus.ACCEPTED, centre.worker.staff_id, "Ms Deng, intake officer")
    ]


def test_each_reading_of_a_referral_is_one_access_record(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    referral_id = refer(
        store, centre, case_id, to_department(centre.elderly_id), "day care", Urgency.URGENT, SHARED
    )
    reviewer = centre.reviewer

    store.get_referral(centre.worker, referral_id)
    store.referral_chain(centre.elderly_head, referral_id)
    with pytest.raises(AccessDenied, match="may not see this referral"):
        store.get_referral(centre.administrator, referral_id)

    reads = [
        (e.staff_id, e.outcome)
        for e in store.who_read_case(reviewer, case_id)
        if e.action is AccessAction.READ and "referral" in e.record_kinds
    ]
    assert sorted(reads) == sorted(
        [
            (centre.worker.staff_id, AccessOutcome.ALLOWED),
            (centre.elderly_head.staff_id, AccessOutcome.ALLOWED),
            (centre.administrator.staff_id, AccessOutcome.REFUSED),
        ]
    )
