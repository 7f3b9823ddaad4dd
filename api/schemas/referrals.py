"""Referrals: sending one, the answers of its receiver, and the referral as read."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.schemas.common import Body, Instant, Narrative, Reason
from casework.aggregates.referral import (
    Holder,
    HolderKind,
    Referral,
    ReferralAnswer,
    ReferralStatus,
    SharedPart,
    Urgency,
)

Contact = Annotated[str, msgspec.Meta(max_length=200)]
Parts = Annotated[list[SharedPart], msgspec.Meta(max_length=10)]


class HolderBody(Body):
    """A department of the organisation or an external agency."""

    kind: HolderKind
    id: UUID

    def to_holder(self) -> Holder:
        return Holder(self.kind, self.id)


class SendReferral(Body):
    case_id: UUID
    receiver: HolderBody
    reason: Narrative
    urgency: Urgency
    shared: Parts = msgspec.field(default_factory=list)
    occurred_at: Instant | None = None


class OnwardReferral(Body):
    receiver: HolderBody
    reason: Narrative
    urgency: Urgency
    shared: Parts = msgspec.field(default_factory=list)
    occurred_at: Instant | None = None


class AnswerBody(Body):
    """An answer; for an agency (which has no accounts) the staff member recording it
    names the agency's contact who gave it."""

    agency_contact: Contact = ""
    occurred_at: Instant | None = None


class ReasonedAnswer(Body):
    reason: Reason
    agency_contact: Contact = ""
    occurred_at: Instant | None = None


class CompletionBody(Body):
    outcome: Narrative
    agency_contact: Contact = ""
    occurred_at: Instant | None = None


class WithdrawalBody(Body):
    reason: Reason
    occurred_at: Instant | None = None


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
