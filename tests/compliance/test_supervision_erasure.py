"""What supervision and referrals say about a case goes with the case when it is erased;
the organisation's own records stay readable."""

from datetime import UTC, datetime

import pytest

from casework.aggregates.base import RuleBroken
from casework.aggregates.referral import HolderKind, SharedPart, Urgency
from casework.aggregates.supervision import SessionFormat, Topic
from casework.application import Casework
from casework.application.commands.referrals import (
    Receiver,
    SendReferral,
)
from casework.application.commands.supervision import (
    DiscussCase,
    RecordSupervisionSession,
)
from casework.store.errors import RecordErased
from tests.builders.centre import family_centre, open_family_case

# The store's error, or the service layer's refusal that names when it was erased.
ERASED = (RecordErased, RuleBroken)


def test_erasing_a_case_erases_its_supervision_discussion_and_referrals(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    session_id = store.record_supervision_session(
        centre.supervisor,
        RecordSupervisionSession(
            session_format=SessionFormat.INDIVIDUAL,
            supervisor_id=centre.supervisor.staff_id,
            supervisee_ids=[centre.worker.staff_id],
            duration_minutes=60,
            topics=[Topic.CASE_PRACTICE],
        ),
    )
    store.discuss_case_in_supervision(
        centre.supervisor,
        session_id,
        DiscussCase(case_id=case_id, summary="the son-in-law's threats", advice=["safety plan"]),
    )
    referral_id = store.send_referral(
        centre.worker,
        SendReferral(
            case_id=case_id,
            receiver=Receiver(kind=HolderKind.AGENCY, id=centre.legal_aid_id),
            reason="protection order",
            urgency=Urgency.URGENT,
            shared=[SharedPart.CASE_SUMMARY],
        ),
    )

    store.keyring.destroy(case_id, datetime.now(tz=UTC))

    with pytest.raises(ERASED, match="erased"):
        store.get_case_discussion(centre.supervisor, session_id, case_id)
    with pytest.raises(ERASED, match="erased"):
        store.get_referral(centre.worker, referral_id)
    session = store.get_supervision_session(centre.supervisor, session_id)
    assert session.case_ids == [case_id]
    assert store.get_agency(centre.legal_aid_id).name == "Haizhu Legal Aid Office"
