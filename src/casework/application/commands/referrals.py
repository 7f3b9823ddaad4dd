"""Referral commands: sending a case's referral, referring it onward, and the receiver's
answers. The referral answered is where an answer is sent (its id), not a field; an
answer for an external agency (which has no accounts) names the agency's contact."""

from typing import Annotated
from uuid import UUID

import msgspec

from casework.aggregates.referral import Holder, HolderKind, SharedPart, Urgency
from casework.application.commands.fields import Command, Narrative, OccurredAt, Reason

Contact = Annotated[
    str,
    msgspec.Meta(max_length=200, description="for an agency's answer: who at the agency gave it"),
]
Parts = Annotated[list[SharedPart], msgspec.Meta(max_length=10)]


class Receiver(Command):
    """A department of the organisation or an external agency."""

    kind: HolderKind
    id: UUID

    def to_holder(self) -> Holder:
        return Holder(self.kind, self.id)


class SendReferral(Command):
    """Refer a case to a department or an agency, sharing the parts named."""

    case_id: UUID
    receiver: Receiver
    reason: Narrative
    urgency: Urgency
    shared: Parts = msgspec.field(default_factory=list)
    occurred_at: OccurredAt = None


class ReferOnward(Command):
    """The receiver passes the referral on; the chain records where it has been."""

    receiver: Receiver
    reason: Narrative
    urgency: Urgency
    shared: Parts = msgspec.field(default_factory=list)
    occurred_at: OccurredAt = None


class AcceptReferral(Command):
    agency_contact: Contact = ""
    occurred_at: OccurredAt = None


class StartReferralService(AcceptReferral):
    """The receiver has started the service referred for."""


class DeclineReferral(Command):
    reason: Reason
    agency_contact: Contact = ""
    occurred_at: OccurredAt = None


class ReturnReferral(DeclineReferral):
    """The receiver sends the referral back to its sender, saying why."""


class CompleteReferral(Command):
    outcome: Narrative
    agency_contact: Contact = ""
    occurred_at: OccurredAt = None


class WithdrawReferral(Command):
    """The sender takes the referral back."""

    reason: Reason
    occurred_at: OccurredAt = None
