"""A referral as read, with the answers of its receiver (its commands are
`casework.application.commands.referrals`)."""

from datetime import datetime
from uuid import UUID

import msgspec

from api.schemas.common import shown_as
from casework.aggregates.referral import (
    Holder,
    HolderKind,
    Referral,
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
    return shown_as(HolderView, holder)


def referral_view(referral: Referral) -> ReferralView:
    return shown_as(
        ReferralView,
        referral,
        referral_id=referral.id,
        sender=_holder(referral.sender),
        receiver=_holder(referral.receiver),
        chain_before=[_holder(h) for h in referral.chain_before],
        answers=[shown_as(AnswerView, a) for a in referral.answers],
    )
