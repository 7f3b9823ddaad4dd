"""A referral as read, with the answers of its receiver (its commands are
`casework.application.commands.referrals`)."""

from datetime import datetime
from uuid import UUID

import msgspec

from casework.aggregates.referral import (
    Holder,
    HolderKind,
    Referral,
    ReferralAnswer,
    ReferralStatus,
    SharedPart,
    Urgency,
)


class HolderView(msgspec.Struct, kw_only=True, frozen=True):
    kind: HolderKind
    id: UUID


class AnswerView(msgspec.Struct, kw_only=True, frozen=True):
    step: ReferralStatus
    recorded_by: UUID
    agency_contact: str
    occurred_at: datetime


class ReferralView(msgspec.Struct, kw_only=True, frozen=True):
    referral_id: UUID
    version: int
    case_id: UUID
    chain_id: UUID
    parent_id: UUID | None
    sender: HolderView
    receiver: HolderView
    reason: str
    urgency: Urgency
    shared: list[SharedPart]
    sent_at: datetime
    respond_by: datetime
    chain_before: list[HolderView]
    loop: bool
    status: ReferralStatus
    answered_at: datetime | None
    onward_ids: list[UUID]
    outcome: str | None
    answers: list[AnswerView]


def _holder(holder: Holder) -> HolderView:
    return HolderView(kind=holder.kind, id=holder.id)


def _answer(answer: ReferralAnswer) -> AnswerView:
    return AnswerView(
        step=answer.step,
        recorded_by=answer.recorded_by,
        agency_contact=answer.agency_contact,
        occurred_at=answer.occurred_at,
    )


def referral_view(referral: Referral) -> ReferralView:
    return ReferralView(
        referral_id=referral.id,
        version=referral.version,
        case_id=referral.case_id,
        chain_id=referral.chain_id,
        parent_id=referral.parent_id,
        sender=_holder(referral.sender),
        receiver=_holder(referral.receiver),
        reason=referral.reason,
        urgency=referral.urgency,
        shared=list(referral.shared),
        sent_at=referral.sent_at,
        respond_by=referral.respond_by,
        chain_before=[_holder(h) for h in referral.chain_before],
        loop=referral.loop,
        status=referral.status,
        answered_at=referral.answered_at,
        onward_ids=list(referral.onward_ids),
        outcome=referral.outcome,
        answers=[_answer(a) for a in referral.answers],
    )
