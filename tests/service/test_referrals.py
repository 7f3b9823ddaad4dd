"""Referral stories: chains across departments and agencies, stalled and looping chains."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from casework.aggregates.agency import AgencyClosed, AgencyKind
from casework.aggregates.base import Actor, InvalidValue, Role
from casework.aggregates.case import CaseClosed, ClosureReason, ConsentMissing
from casework.aggregates.organisation import UnknownDepartment
from casework.aggregates.referral import (
    Holder,
    OnwardReferralNotAllowed,
    ReferralStatus,
    ReferralStepNotAllowed,
    ResponseDeadlines,
    SharedPart,
    Urgency,
)
from casework.application import Casework
from casework.application.commands.agencies import (
    ChangeAgencyDetails,
    CloseAgency,
    RegisterAgency,
)
from casework.application.commands.referrals import (
    AcceptReferral,
    CompleteReferral,
    DeclineReferral,
    Receiver,
    ReferOnward,
    ReturnReferral,
    StartReferralService,
    WithdrawReferral,
)
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.builders.centre import FamilyCentre, enrol, family_centre, open_family_case
from tests.builders.referrals import refer, to_agency, to_department

SENT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SHARED = [SharedPart.CASE_SUMMARY, SharedPart.ASSESSMENT]


def refer_for_day_care(
    app: Casework, centre: FamilyCentre, case_id: UUID, urgency: Urgency = Urgency.ROUTINE
) -> UUID:
    """The caseworker refers the family case to the elderly department for day care."""
    return refer(
        app, centre, case_id, to_department(centre.elderly_id), "day care", urgency, SHARED
    )


def test_a_family_case_goes_to_the_elderly_department_and_on_to_legal_aid(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)

    first = refer(
        app,
        centre,
        case_id,
        to_department(centre.elderly_id),
        "the mother needs day care while the daughter's dispute is resolved",
        Urgency.URGENT,
        SHARED,
        SENT_AT,
    )
    app.accept_referral(
        centre.elderly_head, first, AcceptReferral(occurred_at=SENT_AT + timedelta(hours=20))
    )
    app.start_referral_service(
        centre.elderly_head, first, StartReferralService(occurred_at=SENT_AT + timedelta(days=2))
    )
    onward = app.refer_onward(
        centre.elderly_head,
        first,
        ReferOnward(
            receiver=to_agency(centre.legal_aid_id),
            reason="the daughter needs advice on maintenance for her mother",
            urgency=Urgency.ROUTINE,
            shared=[SharedPart.CASE_SUMMARY],
            occurred_at=SENT_AT + timedelta(days=5),
        ),
    )
    # Legal aid has no accounts: the elderly department's head records its answers.
    contact = "Ms Deng, legal aid intake"
    app.accept_referral(
        centre.elderly_head,
        onward,
        AcceptReferral(occurred_at=SENT_AT + timedelta(days=6), agency_contact=contact),
    )
    app.start_referral_service(
        centre.elderly_head,
        onward,
        StartReferralService(occurred_at=SENT_AT + timedelta(days=7), agency_contact=contact),
    )
    app.complete_referral(
        centre.elderly_head,
        onward,
        CompleteReferral(
            outcome="maintenance agreement signed at the legal aid office",
            occurred_at=SENT_AT + timedelta(days=30),
            agency_contact=contact,
        ),
    )

    chain = app.referral_chain(centre.worker, onward)
    assert [r.id for r in chain] == [first, onward]
    assert {r.chain_id for r in chain} == {first}
    assert chain[1].parent_id == first and chain[0].onward_ids == [onward]
    assert [r.receiver for r in chain] == [
        Holder.department(centre.elderly_id),
        Holder.agency(centre.legal_aid_id),
    ]
    assert chain[1].sender == Holder.department(centre.elderly_id)
    assert chain[1].chain_before == [
        Holder.department(centre.family_id),
        Holder.department(centre.elderly_id),
    ]
    assert chain[0].status is ReferralStatus.IN_SERVICE
    assert chain[1].status is ReferralStatus.COMPLETED
    assert chain[1].outcome == "maintenance agreement signed at the legal aid office"
    assert not any(r.loop for r in chain)
    assert chain[0].respond_by == SENT_AT + timedelta(days=2)
    # Referral content is case content: sealed under the case's key.
    assert chain[1].case_id_for_keys() == case_id


def test_an_unanswered_emergency_referral_stalls_after_four_hours(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    referral_id = refer(
        app,
        centre,
        case_id,
        to_agency(centre.legal_aid_id),
        "a protection order is needed today",
        Urgency.EMERGENCY,
        SHARED,
        SENT_AT,
    )
    referral = app.get_referral(centre.worker, referral_id)

    assert referral.respond_by == SENT_AT + timedelta(hours=4)
    assert not referral.is_stalled(SENT_AT + timedelta(hours=3))
    assert referral.is_stalled(SENT_AT + timedelta(hours=5))

    app.accept_referral(
        centre.worker,
        referral_id,
        AcceptReferral(occurred_at=SENT_AT + timedelta(hours=6), agency_contact="duty lawyer Wu"),
    )
    assert not app.get_referral(centre.worker, referral_id).is_stalled(SENT_AT + timedelta(days=1))


def test_response_deadlines_come_from_the_settings(
    sqlite_settings: Settings, master_key: MasterKey
) -> None:
    settings = Settings.from_env(
        {
            "CASEWORK_DATA_DIR": str(sqlite_settings.data_dir),
            "CASEWORK_REFERRAL_DEADLINES": "routine=5d, emergency=2h",
        }
    )
    app = Casework(settings, master_key)
    try:
        assert app.referral_deadlines == ResponseDeadlines(
            emergency=timedelta(hours=2), routine=timedelta(days=5)
        )
    finally:
        app.close()


def test_unreadable_response_deadlines_are_refused_naming_the_setting() -> None:
    with pytest.raises(InvalidValue, match="referral response deadlines") as refused:
        ResponseDeadlines.parse("urgent=two days")
    assert refused.value.rule == "invalid_value"


def test_a_chain_that_comes_back_to_the_family_department_is_a_loop(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre, departments=[centre.elderly_id, centre.youth_id])
    first = refer_for_day_care(app, centre, case_id)
    app.accept_referral(centre.elderly_head, first, AcceptReferral())
    second = app.refer_onward(
        centre.elderly_head,
        first,
        ReferOnward(
            receiver=to_department(centre.youth_id),
            reason="grandson truanting",
            urgency=Urgency.ROUTINE,
            shared=SHARED,
        ),
    )
    youth_head = Actor(
        enrol(app, centre, "Ma Lin", centre.youth_id, Role.DEPARTMENT_HEAD), Role.DEPARTMENT_HEAD
    )
    app.accept_referral(youth_head, second, AcceptReferral())  # the receiving department answers
    third = app.refer_onward(
        youth_head,
        second,
        ReferOnward(
            receiver=to_department(centre.family_id),
            reason="family conflict again",
            urgency=Urgency.ROUTINE,
            shared=SHARED,
        ),
    )

    chain = app.referral_chain(centre.worker, first)
    assert [r.loop for r in chain] == [False, False, True]
    assert chain[2].id == third and Holder.department(centre.family_id) in chain[2].chain_before


def test_a_declined_referral_leaves_the_case_with_its_sender(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    referral_id = refer_for_day_care(app, centre, case_id, Urgency.URGENT)
    assert app.get_referral(centre.worker, referral_id).holder == Holder.department(
        centre.family_id
    )
    app.accept_referral(centre.elderly_head, referral_id, AcceptReferral())
    assert app.get_referral(centre.worker, referral_id).holder == Holder.department(
        centre.elderly_id
    )
    app.return_referral(
        centre.elderly_head, referral_id, ReturnReferral(reason="no day-care places until autumn")
    )

    referral = app.get_referral(centre.worker, referral_id)
    assert referral.status is ReferralStatus.RETURNED
    assert referral.holder == Holder.department(centre.family_id)
    assert app.repository.get(case_id).lead_worker_id == centre.worker.staff_id

    declined = refer(
        app, centre, case_id, to_agency(centre.legal_aid_id), "divorce", Urgency.ROUTINE, SHARED
    )
    app.decline_referral(
        centre.worker,
        declined,
        DeclineReferral(reason="outside our district", agency_contact="duty lawyer Wu"),
    )
    assert app.get_referral(centre.worker, declined).holder == Holder.department(centre.family_id)
    assert app.get_referral(centre.worker, declined).answered_at is not None


def test_a_referral_the_consent_does_not_cover_is_refused_naming_the_consent(
    app: Casework,
) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)

    with pytest.raises(ConsentMissing, match=f"agency {centre.hospital_id}"):
        refer(
            app, centre, case_id, to_agency(centre.hospital_id), "check-up", Urgency.ROUTINE, SHARED
        )
    with pytest.raises(ConsentMissing, match=f"department {centre.youth_id}"):
        refer(
            app,
            centre,
            case_id,
            to_department(centre.youth_id),
            "grandson",
            Urgency.ROUTINE,
            SHARED,
        )


def test_steps_out_of_order_are_refused_naming_the_rule(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    referral_id = refer_for_day_care(app, centre, case_id)

    with pytest.raises(ReferralStepNotAllowed, match="cannot complete"):
        app.complete_referral(centre.elderly_head, referral_id, CompleteReferral(outcome="done"))
    with pytest.raises(OnwardReferralNotAllowed):
        app.refer_onward(
            centre.elderly_head,
            referral_id,
            ReferOnward(
                receiver=to_agency(centre.legal_aid_id),
                reason="law",
                urgency=Urgency.ROUTINE,
                shared=SHARED,
            ),
        )
    app.withdraw_referral(
        centre.worker, referral_id, WithdrawReferral(reason="the family moved away")
    )
    with pytest.raises(ReferralStepNotAllowed, match="that is withdrawn"):
        app.accept_referral(centre.elderly_head, referral_id, AcceptReferral())


def test_a_referral_needs_a_reason_something_shared_and_a_real_receiver(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)

    def send(receiver: Receiver, reason: str = "day care", shared: list = SHARED) -> None:
        refer(app, centre, case_id, receiver, reason, Urgency.ROUTINE, shared)

    with pytest.raises(InvalidValue, match="reason"):
        send(to_department(centre.elderly_id), reason=" ")
    with pytest.raises(InvalidValue, match="shared"):
        send(to_department(centre.elderly_id), shared=[])
    with pytest.raises(InvalidValue, match="receiver"):
        send(to_department(centre.family_id))
    with pytest.raises(UnknownDepartment):
        send(to_department(centre.legal_aid_id))
    app.close_agency(
        centre.director, centre.legal_aid_id, CloseAgency(reason="the office merged with another")
    )
    with pytest.raises(AgencyClosed, match="Haizhu Legal Aid Office"):
        send(to_agency(centre.legal_aid_id))


def test_agencies_keep_their_details_and_refuse_empty_ones(app: Casework) -> None:
    centre = family_centre(app)
    app.change_agency_details(
        centre.director,
        centre.legal_aid_id,
        ChangeAgencyDetails(contact="020-1111 2222", services=["legal advice", "mediation"]),
    )
    agency = app.get_agency(centre.legal_aid_id)
    assert (agency.contact, agency.services) == ("020-1111 2222", ["legal advice", "mediation"])
    with pytest.raises(InvalidValue, match="services"):
        app.change_agency_details(
            centre.director,
            centre.legal_aid_id,
            ChangeAgencyDetails(contact="020-1111 2222", services=[" "]),
        )
    with pytest.raises(InvalidValue, match="name"):
        app.register_agency(
            centre.director,
            RegisterAgency(name=" ", kind=AgencyKind.OTHER, contact="", services=["food bank"]),
        )


def test_answers_that_close_a_referral_say_why(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    referral_id = refer_for_day_care(app, centre, case_id)
    with pytest.raises(InvalidValue, match="reason"):
        app.decline_referral(centre.elderly_head, referral_id, DeclineReferral(reason=""))
    app.accept_referral(centre.elderly_head, referral_id, AcceptReferral())
    app.start_referral_service(centre.elderly_head, referral_id, StartReferralService())
    with pytest.raises(InvalidValue, match="outcome"):
        app.complete_referral(centre.elderly_head, referral_id, CompleteReferral(outcome=" "))


def test_a_closed_case_is_not_referred(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    case = app.repository.get(case_id)
    case.close(centre.worker, ClosureReason.MOVED_AWAY, [], "the family moved to Foshan")
    app.save(case)

    with pytest.raises(CaseClosed, match="the case is closed"):
        refer_for_day_care(app, centre, case_id)
