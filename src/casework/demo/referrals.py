"""The demo centre's referral chains: to other departments and to outside agencies,
some completed, some declined, one stalled, one looping back to where it began."""

import random
from datetime import datetime, timedelta
from uuid import UUID

from casework.aggregates.agency import AgencyKind
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import Case
from casework.aggregates.referral import HolderKind, SharedPart, Urgency
from casework.application import Casework
from casework.application.commands.agencies import RegisterAgency
from casework.application.commands.cases import RecordConsent
from casework.application.commands.referrals import (
    AcceptReferral,
    CompleteReferral,
    DeclineReferral,
    Receiver,
    ReferOnward,
    SendReferral,
    StartReferralService,
)

AGENCIES = [
    ("海珠区法律援助处 Haizhu Legal Aid Office", AgencyKind.LEGAL_AID, ["法律咨询 legal advice"]),
    ("海珠区妇幼保健院 Haizhu Maternal and Child Hospital", AgencyKind.HEALTH, ["体检 check-ups"]),
    (
        "广州市心理危机干预中心 Guangzhou Crisis Intervention Centre",
        AgencyKind.MENTAL_HEALTH,
        ["心理危机干预 crisis counselling"],
    ),
    ("海珠区反家暴庇护所 Haizhu Domestic Violence Shelter", AgencyKind.SHELTER, ["庇护 shelter"]),
]
REASONS = [
    "需要法律意见 needs legal advice on maintenance and custody",
    "需要日间照料 needs day care while the family is in crisis",
    "需要心理辅导 needs counselling after a bereavement",
    "需要安全住所 needs a safe place to stay tonight",
]
CHAIN_STORIES = ["completed", "declined", "in_service", "stalled", "onward", "loop"]


def register_agencies(app: Casework, rng: random.Random, director: Actor) -> list[UUID]:
    """The outside agencies the centres refer to."""
    return [
        app.register_agency(
            director,
            RegisterAgency(
                name=name,
                kind=kind,
                contact="020-8" + str(rng.randint(1000000, 9999999)),
                services=services,
            ),
        )
        for name, kind, services in AGENCIES
    ]


def add_referral_chains(
    app: Casework,
    rng: random.Random,
    today: datetime,
    agencies: list[UUID],
    heads: dict[UUID, Actor],
    cases: list[Case],
) -> None:
    """Send up to 18 of the open `cases` along a chain: to the `agencies` and to the
    departments in `heads` (department → its head, who answers; in a district, the
    neighbouring centre's departments too)."""
    for n, case in enumerate(rng.sample(cases, min(18, len(cases)))):
        _referral_chain(app, rng, today, heads, agencies, case, CHAIN_STORIES[n % 6])


def _referral_chain(
    app: Casework,
    rng: random.Random,
    today: datetime,
    heads: dict[UUID, Actor],
    agencies: list[UUID],
    case: Case,
    story: str,
) -> None:
    lead = Actor(case.lead_worker_id, Role.CASEWORKER)
    others = [d for d in heads if d != case.department_id]
    other_department, agency = rng.choice(others), rng.choice(agencies)
    sent = today - timedelta(days=rng.randint(3, 6) if story == "stalled" else rng.randint(20, 35))
    consent = case.consent
    app.record_consent(
        lead,
        case.id,
        RecordConsent(
            given=True,
            on=(sent - timedelta(days=1)).date(),
            disciplines=consent.disciplines if consent else [],
            agency_ids=[agency],
            department_ids=[other_department],
            occurred_at=sent - timedelta(days=1),
        ),
    )
    first_to = Receiver(kind=HolderKind.DEPARTMENT, id=other_department)
    receiver = heads[other_department]
    contact = ""
    if story in ("completed", "declined", "stalled"):
        first_to, receiver = (
            Receiver(kind=HolderKind.AGENCY, id=agency),
            lead,
        )  # the centre records the agency's answer
        contact = "机构联络人 the agency's intake officer"
    urgency = Urgency.URGENT if story == "stalled" else rng.choice(list(Urgency))
    shared = [SharedPart.CASE_SUMMARY, SharedPart.ASSESSMENT]
    first = app.send_referral(
        lead,
        SendReferral(
            case_id=case.id,
            receiver=first_to,
            reason=rng.choice(REASONS),
            urgency=urgency,
            shared=shared,
            occurred_at=sent,
        ),
    )
    if story == "stalled":
        return
    if story == "declined":
        app.decline_referral(
            receiver,
            first,
            DeclineReferral(
                reason="不在服务范围 outside our service area",
                occurred_at=sent + timedelta(hours=20),
                agency_contact=contact,
            ),
        )
        return
    app.accept_referral(
        receiver,
        first,
        AcceptReferral(
            occurred_at=sent + timedelta(hours=rng.randint(2, 30)), agency_contact=contact
        ),
    )
    app.start_referral_service(
        receiver,
        first,
        StartReferralService(occurred_at=sent + timedelta(days=2), agency_contact=contact),
    )
    if story == "completed":
        app.complete_referral(
            receiver,
            first,
            CompleteReferral(
                outcome="服务完成 service completed",
                occurred_at=sent + timedelta(days=14),
                agency_contact=contact,
            ),
        )
    elif story == "onward":
        onward = app.refer_onward(
            receiver,
            first,
            ReferOnward(
                receiver=Receiver(kind=HolderKind.AGENCY, id=agency),
                reason=rng.choice(REASONS),
                urgency=Urgency.ROUTINE,
                shared=[SharedPart.CASE_SUMMARY],
                occurred_at=sent + timedelta(days=5),
            ),
        )
        # An agency's answer is recorded in the case's own centre (by its lead).
        app.accept_referral(
            lead,
            onward,
            AcceptReferral(
                occurred_at=sent + timedelta(days=6),
                agency_contact="机构联络人 the agency's intake officer",
            ),
        )
    elif story == "loop":
        app.refer_onward(
            receiver,
            first,
            ReferOnward(
                receiver=Receiver(kind=HolderKind.DEPARTMENT, id=case.department_id),
                reason="家庭问题仍需原部门跟进 the family conflict is back with the family team",
                urgency=Urgency.ROUTINE,
                shared=[SharedPart.CASE_SUMMARY],
                occurred_at=sent + timedelta(days=7),
            ),
        )
