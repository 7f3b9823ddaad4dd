"""What supervision and referrals say about a case goes with the case when it is erased;
the organisation's own records stay readable."""

from datetime import UTC, datetime

import pytest

from casework.aggregates.base import RuleBroken
from casework.aggregates.referral import SharedPart, Urgency
from casework.application import Casework
from casework.store.errors import RecordErased
from tests.builders.centre import family_centre, open_family_case
from tests.builders.referrals import refer, to_agency
from tests.builders.supervision import discuss, one_to_one

# The store's error, or the service layer's refusal that names when it was erased.
ERASED = (RecordErased, RuleBroken)


def test_erasing_a_case_erases_its_supervision_discussion_and_referrals(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    session_id = one_to_one(store, centre)
    discuss(store, centre, session_id, case_id, "the son-in-law's threats", ["safety plan"])
    referral_id = refer(
        store,
        centre,
        case_id,
        to_agency(centre.legal_aid_id),
        "protection order",
        Urgency.URGENT,
        [SharedPart.CASE_SUMMARY],
    )

    store.keyring.destroy(case_id, datetime.now(tz=UTC))

    with pytest.raises(ERASED, match="erased"):
        store.get_case_discussion(centre.supervisor, session_id, case_id)
    with pytest.raises(ERASED, match="erased"):
        store.get_referral(centre.worker, referral_id)
    session = store.get_supervision_session(centre.supervisor, session_id)
    assert session.case_ids == [case_id]
    assert store.get_agency(centre.legal_aid_id).name == "Haizhu Legal Aid Office"
