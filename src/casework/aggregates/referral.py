"""Referrals (转介): a case sent to another department or an external agency.

An accepted referral can be referred onward, which makes a chain. Each referral
records, when sent, the holders its chain had before and whether it goes back to
one of them (a loop), and the time an answer is due by (after which, unanswered,
it is stalled): the views need nothing else to show stalled and looping chains.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from casework.aggregates.base import (
    Actor,
    InvalidValue,
    Record,
    RuleBroken,
    aware,
    now,
    required_text,
)
from casework.aggregates.case import OPEN_STATUSES, Case, CaseClosed


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class HolderKind(StrEnum):
    DEPARTMENT = "department"
    AGENCY = "agency"


@dataclass(frozen=True)
class Holder:
    """Who holds a referral: a department of the centre or an external agency."""

    kind: HolderKind
    id: UUID

    @classmethod
    def department(cls, department_id: UUID) -> "Holder":
        return cls(HolderKind.DEPARTMENT, department_id)

    @classmethod
    def agency(cls, agency_id: UUID) -> "Holder":
        return cls(HolderKind.AGENCY, agency_id)


class SharedPart(StrEnum):
    """What of the case the referral shares with the receiver."""

    CASE_SUMMARY = "case_summary"
    CONTACT_DETAILS = "contact_details"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    NOTES = "notes"


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_SERVICE = "in_service"
    COMPLETED = "completed"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


HELD_BY_RECEIVER = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE})

_DURATION = re.compile(r"^\s*(\d+)\s*([hd])\s*$")


@dataclass(frozen=True)
class ResponseDeadlines:
    """How long the receiver has to accept or decline, by urgency."""

    emergency: timedelta = timedelta(hours=4)
    urgent: timedelta = timedelta(days=2)
    routine: timedelta = timedelta(days=10)

    def for_urgency(self, urgency: Urgency) -> timedelta:
        return getattr(self, Urgency(urgency).value)

    @classmethod
    def parse(cls, text: str) -> "ResponseDeadlines":
        """Read e.g. "emergency=4h,urgent=2d,routine=10d" (unnamed urgencies keep defaults)."""
        given: dict[str, timedelta] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, duration = part.partition("=")
            match = _DURATION.match(duration)
            if name.strip() not in Urgency.__members__.values() or match is None:
                raise InvalidValue(
                    "referral response deadlines",
                    f"cannot read {part!r}: write urgency=<number>h or <number>d, "
                    "e.g. emergency=4h,urgent=2d,routine=10d",
                )
            amount, unit = int(match[1]), match[2]
            given[name.strip()] = timedelta(hours=amount) if unit == "h" else timedelta(days=amount)
        return cls(**given)


class ReferralStepNotAllowed(RuleBroken):
    """The referral is not at a stage where this step can happen."""

    rule = "referral_step_not_allowed"


class OnwardReferralNotAllowed(RuleBroken):
    """Only a referral its receiver has accepted, and not closed, can be referred onward."""

    rule = "onward_referral_not_allowed"


@dataclass(frozen=True)
class ReferralAnswer:
    """A step the receiver took; for an agency (which has no accounts), recorded by a
    staff member of the sending centre, naming the agency's contact who gave it."""

    step: ReferralStatus
    recorded_by: UUID
    agency_contact: str
    occurred_at: datetime


class Referral(Record):
    case_id: UUID
    chain_id: UUID
    parent_id: UUID | None
    sender: Holder
    receiver: Holder
    reason: str
    urgency: Urgency
    shared: list[SharedPart]
    sent_at: datetime
    respond_by: datetime
    chain_before: list[Holder]
    loop: bool
    status: ReferralStatus
    answered_at: datetime | None
    onward_ids: list[UUID]
    outcome: str | None
    answers: list[ReferralAnswer]

    class Sent(Record.Created):
        case_id: UUID
        chain_id: UUID
        parent_id: UUID | None
        sender: Holder
        receiver: Holder
        reason: str
        urgency: Urgency
        shared: list[SharedPart]
        respond_by: datetime
        chain_before: list[Holder]
        loop: bool

        def apply(self, referral: "Referral") -> None:
            referral.sent_at = self.occurred_at

    # The receiver's answers: `agency_contact` (added later, empty in older events and
    # for a department's own answers) names who at an agency gave the answer.
    class Accepted(Record.Event):
        agency_contact: str = ""

        def apply(self, referral: "Referral") -> None:
            referral.answered_at = self.occurred_at
            referral.note_answer(self, ReferralStatus.ACCEPTED)

    class Declined(Record.Event):
        reason: str
        back_with: Holder
        agency_contact: str = ""

        def apply(self, referral: "Referral") -> None:
            referral.answered_at = self.occurred_at
            referral.note_answer(self, ReferralStatus.DECLINED)

    class ServiceStarted(Record.Event):
        agency_contact: str = ""

        def apply(self, referral: "Referral") -> None:
            referral.note_answer(self, ReferralStatus.IN_SERVICE)

    class Completed(Record.Event):
        outcome: str
        agency_contact: str = ""

        def apply(self, referral: "Referral") -> None:
            referral.outcome = self.outcome
            referral.note_answer(self, ReferralStatus.COMPLETED)

    class Returned(Record.Event):
        reason: str
        back_with: Holder
        agency_contact: str = ""

        def apply(self, referral: "Referral") -> None:
            referral.outcome = self.reason
            referral.note_answer(self, ReferralStatus.RETURNED)

    class Withdrawn(Record.Event):
        reason: str
        back_with: Holder

        def apply(self, referral: "Referral") -> None:
            referral.status = ReferralStatus.WITHDRAWN

    class ReferredOnward(Record.Event):
        onward_id: UUID
        receiver: Holder

        def apply(self, referral: "Referral") -> None:
            referral.onward_ids.append(self.onward_id)

    def __init__(
        self,
        case_id: UUID,
        chain_id: UUID,
        parent_id: UUID | None,
        sender: Holder,
        receiver: Holder,
        reason: str,
        urgency: Urgency,
        shared: list[SharedPart],
        respond_by: datetime,
        chain_before: list[Holder],
        loop: bool,
    ) -> None:
        self.case_id = case_id
        self.chain_id = chain_id
        self.parent_id = parent_id
        self.sender = sender
        self.receiver = receiver
        self.reason = reason
        self.urgency = urgency
        self.shared = list(shared)
        self.respond_by = respond_by
        self.chain_before = list(chain_before)
        self.loop = loop
        self.status = ReferralStatus.SENT
        self.answered_at = None
        self.onward_ids = []
        self.outcome = None
        self.answers = []

    def case_id_for_keys(self) -> UUID:
        return self.case_id

    @classmethod
    def send(
        cls,
        by: Actor,
        case: Case,
        sender: Holder,
        receiver: Holder,
        reason: str,
        urgency: Urgency,
        shared: list[SharedPart],
        deadlines: ResponseDeadlines,
        occurred_at: datetime | None = None,
    ) -> "Referral":
        """A first referral out of a case: from the case's department (usually)."""
        return cls._send(
            by,
            case,
            None,
            [sender],
            sender,
            receiver,
            reason,
            urgency,
            shared,
            deadlines,
            occurred_at,
        )

    def refer_onward(
        self,
        by: Actor,
        case: Case,
        receiver: Holder,
        reason: str,
        urgency: Urgency,
        shared: list[SharedPart],
        deadlines: ResponseDeadlines,
        occurred_at: datetime | None = None,
    ) -> "Referral":
        """The receiver passes the case on: a new referral in the same chain."""
        if self.status not in HELD_BY_RECEIVER:
            raise OnwardReferralNotAllowed(
                f"only an accepted referral can be referred "
                f"onward; this one is {self.status.value}",
                status=self.status.value,
            )
        onward = self._send(
            by,
            case,
            self,
            [*self.chain_before, self.receiver],
            self.receiver,
            receiver,
            reason,
            urgency,
            shared,
            deadlines,
            occurred_at,
        )
        self.record(self.ReferredOnward, by, onward.sent_at, onward_id=onward.id, receiver=receiver)
        return onward

    @classmethod
    def _send(
        cls,
        by: Actor,
        case: Case,
        parent: "Referral | None",
        chain_before: list[Holder],
        sender: Holder,
        receiver: Holder,
        reason: str,
        urgency: Urgency,
        shared: list[SharedPart],
        deadlines: ResponseDeadlines,
        occurred_at: datetime | None,
    ) -> "Referral":
        if case.status not in OPEN_STATUSES:
            raise CaseClosed(
                f"the case is {case.status.value}; reopen it before referring it",
                status=case.status.value,
            )
        required_text("reason", reason, "say why the case is referred")
        if not shared:
            raise InvalidValue("shared", "say what of the case the referral shares")
        if receiver == sender:
            raise InvalidValue("receiver", "a referral goes to another department or agency")
        if receiver.kind is HolderKind.AGENCY:
            case.require_consent(agency_id=receiver.id)
        else:
            case.require_consent(department_id=receiver.id)
        urgency = Urgency(urgency)
        sent_at = aware(occurred_at) if occurred_at is not None else now()
        referral_id = uuid4()
        referral: Referral = cls.start(
            cls.Sent,
            by,
            sent_at,
            id=referral_id,
            case_id=case.id,
            chain_id=parent.chain_id if parent else referral_id,
            parent_id=parent.id if parent else None,
            sender=sender,
            receiver=receiver,
            reason=reason,
            urgency=urgency,
            shared=[SharedPart(p) for p in dict.fromkeys(shared)],
            respond_by=sent_at + deadlines.for_urgency(urgency),
            chain_before=chain_before,
            loop=receiver in chain_before,
        )
        return referral

    @property
    def holder(self) -> Holder:
        """Who has the case for this referral: the receiver once accepted and until it
        is completed or returned, otherwise the sender (a case never loses its owner)."""
        return self.receiver if self.status in HELD_BY_RECEIVER else self.sender

    def is_stalled(self, at: datetime) -> bool:
        """Unanswered (neither accepted nor declined) after its response deadline."""
        return self.status is ReferralStatus.SENT and aware(at, "at") > self.respond_by

    def note_answer(
        self,
        event: "Accepted | Declined | ServiceStarted | Completed | Returned",
        step: ReferralStatus,
    ) -> None:
        """The receiver's answer: the referral is now at `step`, and the answer is kept."""
        self.status = step
        self.answers.append(
            ReferralAnswer(step, event.actor_id, event.agency_contact, event.occurred_at)
        )

    def accept(
        self, by: Actor, occurred_at: datetime | None = None, agency_contact: str = ""
    ) -> None:
        self._require_status("accept", ReferralStatus.SENT)
        self.record(self.Accepted, by, occurred_at, agency_contact=agency_contact)

    def decline(
        self, by: Actor, reason: str, occurred_at: datetime | None = None, agency_contact: str = ""
    ) -> None:
        self._require_status("decline", ReferralStatus.SENT)
        self._send_back(
            self.Declined, by, reason, occurred_at, "declined", agency_contact=agency_contact
        )

    def start_service(
        self, by: Actor, occurred_at: datetime | None = None, agency_contact: str = ""
    ) -> None:
        self._require_status("start service on", ReferralStatus.ACCEPTED)
        self.record(self.ServiceStarted, by, occurred_at, agency_contact=agency_contact)

    def complete(
        self, by: Actor, outcome: str, occurred_at: datetime | None = None, agency_contact: str = ""
    ) -> None:
        self._require_status("complete", ReferralStatus.IN_SERVICE)
        required_text("outcome", outcome, "say what the service achieved")
        self.record(self.Completed, by, occurred_at, outcome=outcome, agency_contact=agency_contact)

    def return_to_sender(
        self, by: Actor, reason: str, occurred_at: datetime | None = None, agency_contact: str = ""
    ) -> None:
        self._require_status("return", *HELD_BY_RECEIVER)
        self._send_back(
            self.Returned, by, reason, occurred_at, "returned", agency_contact=agency_contact
        )

    def withdraw(self, by: Actor, reason: str, occurred_at: datetime | None = None) -> None:
        self._require_status("withdraw", ReferralStatus.SENT, *HELD_BY_RECEIVER)
        self._send_back(self.Withdrawn, by, reason, occurred_at, "withdrawn")

    def _send_back(
        self,
        event: type[Record.Event],
        by: Actor,
        reason: str,
        occurred_at: datetime | None,
        done: str,
        **answer: str,
    ) -> None:
        """The referral goes back to its sender, saying why (`answer`: the receiver's
        `agency_contact`; a withdrawal, by the sender, has none)."""
        required_text("reason", reason, f"say why the referral is {done}")
        self.record(event, by, occurred_at, reason=reason, back_with=self.sender, **answer)

    def _require_status(self, step: str, *allowed: ReferralStatus) -> None:
        if self.status not in allowed:
            raise ReferralStepNotAllowed(
                f"cannot {step} a referral that is "
                f"{self.status.value} (only one that is "
                f"{' or '.join(s.value for s in allowed)})",
                status=self.status.value,
            )
