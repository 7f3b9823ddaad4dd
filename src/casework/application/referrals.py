"""Referral and agency commands: send, answer, serve, complete or return, refer onward."""

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from uuid import UUID

from casework.aggregates.agency import Agency, AgencyKind
from casework.aggregates.base import Actor
from casework.aggregates.case import Case
from casework.aggregates.organisation import ORGANISATION_ID, Organisation
from casework.aggregates.referral import (
    Holder,
    HolderKind,
    Referral,
    ResponseDeadlines,
    SharedPart,
    Urgency,
)
from casework.application.core import CaseworkCore


class ReferralCommands(CaseworkCore):
    @cached_property
    def referral_deadlines(self) -> ResponseDeadlines:
        return ResponseDeadlines.parse(self.settings.referral_deadlines)

    def register_agency(
        self,
        by: Actor,
        name: str,
        kind: AgencyKind,
        contact: str,
        services: list[str],
        occurred_at: datetime | None = None,
    ) -> UUID:
        agency = Agency.register(by, name, kind, contact, services, occurred_at)
        self.save(agency)
        return agency.id

    def get_agency(self, agency_id: UUID, version: int | None = None) -> Agency:
        return self.load(agency_id, Agency, "agency", version)

    def change_agency_details(
        self,
        agency_id: UUID,
        by: Actor,
        contact: str,
        services: list[str],
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self.update(
            agency_id,
            Agency,
            "agency",
            expected_version,
            lambda a: a.change_details(by, contact, services, occurred_at),
        )

    def close_agency(
        self,
        agency_id: UUID,
        by: Actor,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self.update(
            agency_id,
            Agency,
            "agency",
            expected_version,
            lambda a: a.close(by, reason, occurred_at),
        )

    def send_referral(
        self,
        by: Actor,
        case_id: UUID,
        receiver: Holder,
        reason: str,
        urgency: Urgency,
        shared: list[SharedPart],
        sender: Holder | None = None,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Refer a case out; the sender defaults to the case's department."""
        case: Case = self.load(case_id, Case, "case")
        self._require_receiver(receiver)
        referral = Referral.send(
            by,
            case,
            sender or Holder.department(case.department_id),
            receiver,
            reason,
            urgency,
            shared,
            self.referral_deadlines,
            occurred_at,
        )
        self.save(referral)
        return referral.id

    def refer_onward(
        self,
        referral_id: UUID,
        by: Actor,
        receiver: Holder,
        reason: str,
        urgency: Urgency,
        shared: list[SharedPart],
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        referral = self.get_referral(referral_id)
        self.expect_version(referral, expected_version)
        case: Case = self.load(referral.case_id, Case, "case")
        self._require_receiver(receiver)
        onward = referral.refer_onward(
            by, case, receiver, reason, urgency, shared, self.referral_deadlines, occurred_at
        )
        self.save(referral, onward)
        return onward.id

    def get_referral(self, referral_id: UUID, version: int | None = None) -> Referral:
        return self.load(referral_id, Referral, "referral", version)

    def referral_chain(self, referral_id: UUID) -> list[Referral]:
        """Every referral in the chain of this one, from the first, in the order sent."""
        root = self.get_referral(self.get_referral(referral_id).chain_id)
        chain = [root]
        for referral in chain:
            chain.extend(self.get_referral(onward_id) for onward_id in referral.onward_ids)
        return sorted(chain, key=lambda r: r.sent_at)

    def accept_referral(
        self,
        referral_id: UUID,
        by: Actor,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._step(referral_id, expected_version, lambda r: r.accept(by, occurred_at))

    def decline_referral(
        self,
        referral_id: UUID,
        by: Actor,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._step(referral_id, expected_version, lambda r: r.decline(by, reason, occurred_at))

    def start_referral_service(
        self,
        referral_id: UUID,
        by: Actor,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._step(referral_id, expected_version, lambda r: r.start_service(by, occurred_at))

    def complete_referral(
        self,
        referral_id: UUID,
        by: Actor,
        outcome: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._step(referral_id, expected_version, lambda r: r.complete(by, outcome, occurred_at))

    def return_referral(
        self,
        referral_id: UUID,
        by: Actor,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._step(
            referral_id, expected_version, lambda r: r.return_to_sender(by, reason, occurred_at)
        )

    def withdraw_referral(
        self,
        referral_id: UUID,
        by: Actor,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._step(referral_id, expected_version, lambda r: r.withdraw(by, reason, occurred_at))

    def _step(
        self,
        referral_id: UUID,
        expected_version: int | None,
        command: Callable[[Referral], None],
    ) -> None:
        self.update(referral_id, Referral, "referral", expected_version, command)

    def _require_receiver(self, receiver: Holder) -> None:
        """The receiver exists (and, for an agency, still takes referrals)."""
        if receiver.kind is HolderKind.AGENCY:
            self.get_agency(receiver.id).require_open()
        else:
            organisation: Organisation = self.load(ORGANISATION_ID, Organisation, "organisation")
            organisation.department(receiver.id)
