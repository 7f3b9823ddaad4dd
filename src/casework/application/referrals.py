"""Referral and agency commands: send, answer, serve, complete or return, refer onward.

Who may do what (applied here, to the referral and case loaded):
- sending, onward referral and withdrawal: someone who may write the case (its lead,
  the head of its department); an onward referral or withdrawal also by staff of the
  department holding the referral;
- answers (accept, decline, start service, complete, return) come from the receiver:
  caseworkers and the head of the receiving department, or, for an external agency
  (which has no accounts), a caseworker, department head or the director of the
  sending centre recording the agency's answer with the name of the agency's contact;
- a referral's reason is case content: it is shown to those who may see the case and
  to the staff of a receiving department, and every reading is recorded.
"""

from collections.abc import Callable
from functools import cached_property
from typing import Literal
from uuid import UUID

from casework.access import Action, ActorContext, Decision, may, may_keep_agencies
from casework.aggregates.access_record import AccessAction
from casework.aggregates.agency import Agency
from casework.aggregates.base import Actor, InvalidValue, Role, now, required_text
from casework.aggregates.case import Case, RecordKind
from casework.aggregates.organisation import ORGANISATION_ID, Organisation
from casework.aggregates.referral import (
    Holder,
    HolderKind,
    Referral,
    ResponseDeadlines,
)
from casework.application.authorisation import Authorisation
from casework.application.commands.agencies import (
    ChangeAgencyDetails,
    CloseAgency,
    RegisterAgency,
)
from casework.application.commands.referrals import (
    AcceptReferral,
    CompleteReferral,
    DeclineReferral,
    ReferOnward,
    ReturnReferral,
    SendReferral,
    StartReferralService,
    WithdrawReferral,
)

# Who answers for a receiving department: its caseworkers and its head.
DEPARTMENT_ANSWERING_ROLES = frozenset({Role.CASEWORKER, Role.DEPARTMENT_HEAD})
# Who records an external agency's answer: staff of the sending centre who run cases.
AGENCY_RECORDING_ROLES = frozenset({Role.CASEWORKER, Role.DEPARTMENT_HEAD, Role.CENTRE_DIRECTOR})
_REFERRAL = ["referral"]


class ReferralCommands(Authorisation):
    @cached_property
    def referral_deadlines(self) -> ResponseDeadlines:
        return ResponseDeadlines.parse(self.settings.referral_deadlines)

    def register_agency(self, by: Actor, command: RegisterAgency) -> UUID:
        self._require_agency_keeper(by, "may not register an agency")
        agency = Agency.register(
            by,
            command.name,
            command.kind,
            command.contact,
            list(command.services),
            command.occurred_at,
        )
        self.save(agency)
        return agency.id

    def get_agency(self, agency_id: UUID, version: int | None = None) -> Agency:
        return self.load(agency_id, Agency, "agency", version)

    def read_agency(self, by: Actor, agency_id: UUID) -> Agency:
        """An agency of the register (no case content), for anyone on staff."""
        self.context_of(by, AccessAction.READ, None)
        return self.get_agency(agency_id)

    def list_agencies(self, by: Actor) -> list[Agency]:
        """The register of outside agencies, in the order they were registered."""
        self.context_of(by, AccessAction.READ, None)
        return [self.get_agency(a) for a in self.record_ids(Agency.Registered)]

    def _require_agency_keeper(
        self, by: Actor, message: str, agency_id: UUID | None = None
    ) -> None:
        if self._founder_setting_up(by):  # type: ignore[attr-defined]
            return
        self.require(
            by,
            AccessAction.WRITE,
            may_keep_agencies,
            message,
            record_kinds=["agency"],
            record_ids=[agency_id] if agency_id else [],
        )

    def change_agency_details(
        self,
        by: Actor,
        agency_id: UUID,
        command: ChangeAgencyDetails,
        expected_version: int | None = None,
    ) -> None:
        self._require_agency_keeper(by, "may not change this agency's details", agency_id)
        self.update(
            agency_id,
            Agency,
            "agency",
            expected_version,
            lambda a: a.change_details(
                by, command.contact, list(command.services), command.occurred_at
            ),
        )

    def close_agency(
        self,
        by: Actor,
        agency_id: UUID,
        command: CloseAgency,
        expected_version: int | None = None,
    ) -> None:
        self._require_agency_keeper(by, "may not close this agency", agency_id)
        self.update(
            agency_id,
            Agency,
            "agency",
            expected_version,
            lambda a: a.close(by, command.reason, command.occurred_at),
        )

    def send_referral(self, by: Actor, command: SendReferral) -> UUID:
        """Refer a case out, from the case's department."""
        case: Case = self.load(command.case_id, Case, "case")
        self._require_case_writer(by, case, "may not refer this case")
        receiver = command.receiver.to_holder()
        self._require_receiver(receiver)
        referral = Referral.send(
            by,
            case,
            Holder.department(case.department_id),
            receiver,
            command.reason,
            command.urgency,
            list(command.shared),
            self.referral_deadlines,
            command.occurred_at,
        )
        self.save(referral)
        return referral.id

    def refer_onward(
        self,
        by: Actor,
        referral_id: UUID,
        command: ReferOnward,
        expected_version: int | None = None,
    ) -> UUID:
        referral, case = self._referral_for_writer(
            referral_id, by, expected_version, "may not refer this case onward", "receiver"
        )
        receiver = command.receiver.to_holder()
        self._require_receiver(receiver)
        onward = referral.refer_onward(
            by,
            case,
            receiver,
            command.reason,
            command.urgency,
            list(command.shared),
            self.referral_deadlines,
            command.occurred_at,
        )
        self.save(referral, onward)
        return onward.id

    def get_referral(self, by: Actor, referral_id: UUID, version: int | None = None) -> Referral:
        """One referral, for those who may see its case or work in its receiving
        department; the reading (or the refusal) is recorded."""
        referral = self._referral(referral_id, version)
        self._require_referral_reader(by, referral.case_id, [referral])
        return referral

    def referral_chain(self, by: Actor, referral_id: UUID) -> list[Referral]:
        """Every referral in the chain of this one, from the first, in the order sent:
        for those who may see the case or work in a department the chain went to.
        Recorded as one reading of the case's referrals."""
        root = self._referral(self._referral(referral_id).chain_id)
        chain = [root]
        for referral in chain:
            chain.extend(self._referral(onward_id) for onward_id in referral.onward_ids)
        chain.sort(key=lambda r: r.sent_at)
        self._require_referral_reader(by, root.case_id, chain)
        return chain

    def accept_referral(
        self,
        by: Actor,
        referral_id: UUID,
        command: AcceptReferral,
        expected_version: int | None = None,
    ) -> None:
        self._answer(
            referral_id,
            by,
            expected_version,
            command.agency_contact,
            lambda r, contact: r.accept(by, command.occurred_at, contact),
        )

    def decline_referral(
        self,
        by: Actor,
        referral_id: UUID,
        command: DeclineReferral,
        expected_version: int | None = None,
    ) -> None:
        self._answer(
            referral_id,
            by,
            expected_version,
            command.agency_contact,
            lambda r, contact: r.decline(by, command.reason, command.occurred_at, contact),
        )

    def start_referral_service(
        self,
        by: Actor,
        referral_id: UUID,
        command: StartReferralService,
        expected_version: int | None = None,
    ) -> None:
        self._answer(
            referral_id,
            by,
            expected_version,
            command.agency_contact,
            lambda r, contact: r.start_service(by, command.occurred_at, contact),
        )

    def complete_referral(
        self,
        by: Actor,
        referral_id: UUID,
        command: CompleteReferral,
        expected_version: int | None = None,
    ) -> None:
        self._answer(
            referral_id,
            by,
            expected_version,
            command.agency_contact,
            lambda r, contact: r.complete(by, command.outcome, command.occurred_at, contact),
        )

    def return_referral(
        self,
        by: Actor,
        referral_id: UUID,
        command: ReturnReferral,
        expected_version: int | None = None,
    ) -> None:
        self._answer(
            referral_id,
            by,
            expected_version,
            command.agency_contact,
            lambda r, contact: r.return_to_sender(by, command.reason, command.occurred_at, contact),
        )

    def withdraw_referral(
        self,
        by: Actor,
        referral_id: UUID,
        command: WithdrawReferral,
        expected_version: int | None = None,
    ) -> None:
        """The sender takes the referral back: someone who may write the case, or staff
        of the department that sent it."""
        referral, _ = self._referral_for_writer(
            referral_id, by, expected_version, "may not withdraw this referral", "sender"
        )
        referral.withdraw(by, command.reason, command.occurred_at)
        self.save(referral)

    def _referral(self, referral_id: UUID, version: int | None = None) -> Referral:
        """The referral as stored (no access check: for the service layer only)."""
        return self.load(referral_id, Referral, "referral", version)

    def _referral_for_writer(
        self,
        referral_id: UUID,
        by: Actor,
        expected_version: int | None,
        message: str,
        held_by: Literal["sender", "receiver"],
    ) -> tuple[Referral, Case]:
        """The referral (at the version its writer read) and its case, for someone who
        may write the case or staff of the department holding the referral's `held_by`
        side; otherwise the refusal is recorded."""
        referral = self._referral(referral_id)
        self.expect_version(referral, expected_version)
        case: Case = self.load(referral.case_id, Case, "case")
        holder = referral.sender if held_by == "sender" else referral.receiver
        self._require_case_writer(by, case, message, held_by=holder, referral=referral)
        return referral, case

    def _answer(
        self,
        referral_id: UUID,
        by: Actor,
        expected_version: int | None,
        agency_contact: str,
        command: Callable[[Referral, str], None],
    ) -> None:
        referral = self._referral(referral_id)
        self.expect_version(referral, expected_version)
        contact = self._require_answerer(by, referral, agency_contact)
        command(referral, contact)
        self.save(referral)

    def _require_answerer(self, by: Actor, referral: Referral, agency_contact: str) -> str:
        """The receiver answers: returns the agency contact to record ("" for a
        department), or records the refusal and raises `AccessDenied`."""
        context = self.context_of(by, AccessAction.WRITE, referral.case_id)
        if referral.receiver.kind is HolderKind.DEPARTMENT:
            if self._in_department(context, referral.receiver):
                if agency_contact.strip():
                    raise InvalidValue(
                        "agency_contact",
                        "only an agency's answer names its contact; a department answers "
                        "for itself",
                    )
                return ""
            reason = (
                "a referral to a department is answered by that department's caseworkers "
                "and its head"
            )
        else:
            case: Case = self.load(referral.case_id, Case, "case")
            if context.centre_id == case.centre_id and by.role in AGENCY_RECORDING_ROLES:
                return required_text(
                    "agency_contact",
                    agency_contact,
                    "name the person at the agency who gave this answer",
                )
            reason = (
                "an agency's answer is recorded by a caseworker, department head or the "
                "director of the sending centre"
            )
        self.refuse(
            by,
            AccessAction.WRITE,
            "may not answer this referral",
            reason,
            case_id=referral.case_id,
            record_kinds=_REFERRAL,
            record_ids=[referral.id],
        )

    def _require_case_writer(
        self,
        by: Actor,
        case: Case,
        message: str,
        *,
        held_by: Holder | None = None,
        referral: Referral | None = None,
    ) -> None:
        """Someone who may write the case (its lead, its department's head) or, given
        `held_by`, staff of that department; otherwise the refusal is recorded."""
        context = self.context_of(by, AccessAction.WRITE, case.id)
        decision = may(context, Action.WRITE, RecordKind.SUMMARY, case, now())
        if decision or (held_by is not None and self._in_department(context, held_by)):
            return
        self.refuse(
            by,
            AccessAction.WRITE,
            message,
            decision.reason or "only those who may write the case refer it",
            case_id=case.id,
            record_kinds=_REFERRAL,
            record_ids=[referral.id] if referral else [],
        )

    def _require_referral_reader(self, by: Actor, case_id: UUID, referrals: list[Referral]) -> None:
        """The case's readers, and staff of a department that received one of these
        referrals, may see them; the reading or refusal is recorded."""
        context = self.context_of(by, AccessAction.READ, case_id)
        case: Case = self.load(case_id, Case, "case")
        decision: Decision = may(context, Action.SEE, RecordKind.SUMMARY, case, now())
        if not decision and any(self._in_department(context, r.receiver) for r in referrals):
            decision = Decision(True, "staff of the receiving department")
        self.record_reading(
            by,
            decision,
            "may not see this referral",
            case_id=case_id,
            record_kinds=_REFERRAL,
            record_ids=[r.id for r in referrals],
        )

    @staticmethod
    def _in_department(context: ActorContext, holder: Holder) -> bool:
        return (
            holder.kind is HolderKind.DEPARTMENT
            and context.department_id == holder.id
            and context.role in DEPARTMENT_ANSWERING_ROLES
        )

    def _require_receiver(self, receiver: Holder) -> None:
        """The receiver exists (and, for an agency, still takes referrals)."""
        if receiver.kind is HolderKind.AGENCY:
            self.get_agency(receiver.id).require_open()
        else:
            organisation: Organisation = self.load(ORGANISATION_ID, Organisation, "organisation")
            organisation.department(receiver.id)
