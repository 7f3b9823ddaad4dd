"""Four-eyes erasure (删除申请): an erasure is irreversible, so two people take part.

One authorised person requests it, with the reason and the legal authority; a second
person approves it (never the requester); then it is carried out, which writes the
case's entry in the erasure register (`erasure.CaseErasure`) and destroys the case's
key. Each step is an event of this record, an organisation record sealed under the
organisation's key: it outlives the case and holds none of its content.

Who may take each step is decided by the service layer (it knows the people's centres
and departments); this record keeps the order of the steps and the four-eyes rule.
"""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from casework.aggregates.base import Actor, Record, RuleBroken, required_text


class ErasureStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    CARRIED_OUT = "carried_out"


class ErasureStepNotAllowed(RuleBroken):
    """The request is not at the stage this step needs, or the four-eyes rule forbids it."""

    rule = "erasure_step_not_allowed"
    status = 409


class ErasureRequest(Record):
    case_id: UUID
    centre_id: UUID
    department_id: UUID
    reason: str
    legal_authority: str
    requested_by: UUID
    requested_at: datetime
    approved_by: UUID | None
    approved_at: datetime | None
    carried_out_by: UUID | None
    carried_out_at: datetime | None
    status: ErasureStatus

    class Requested(Record.Created):
        case_id: UUID
        centre_id: UUID
        department_id: UUID
        reason: str
        legal_authority: str

        def apply(self, request: "ErasureRequest") -> None:
            request.requested_by = self.actor_id
            request.requested_at = self.occurred_at

    class Approved(Record.Event):
        def apply(self, request: "ErasureRequest") -> None:
            request.status = ErasureStatus.APPROVED
            request.approved_by = self.actor_id
            request.approved_at = self.occurred_at

    class CarriedOut(Record.Event):
        erasure_id: UUID

        def apply(self, request: "ErasureRequest") -> None:
            request.status = ErasureStatus.CARRIED_OUT
            request.carried_out_by = self.actor_id
            request.carried_out_at = self.occurred_at

    def __init__(
        self,
        case_id: UUID,
        centre_id: UUID,
        department_id: UUID,
        reason: str,
        legal_authority: str,
    ) -> None:
        self.case_id = case_id
        self.centre_id = centre_id
        self.department_id = department_id
        self.reason = reason
        self.legal_authority = legal_authority
        self.approved_by = None
        self.approved_at = None
        self.carried_out_by = None
        self.carried_out_at = None
        self.status = ErasureStatus.REQUESTED

    @classmethod
    def request(
        cls,
        by: Actor,
        case_id: UUID,
        centre_id: UUID,
        department_id: UUID,
        reason: str,
        legal_authority: str,
        occurred_at: datetime | None = None,
    ) -> "ErasureRequest":
        return cls.start(
            cls.Requested,
            by,
            occurred_at,
            case_id=case_id,
            centre_id=centre_id,
            department_id=department_id,
            reason=required_text("reason", reason, "say why the case is to be erased"),
            legal_authority=required_text(
                "legal_authority",
                legal_authority,
                "name the legal authority for the erasure, e.g. the law and article",
            ),
        )

    def approve(self, by: Actor, occurred_at: datetime | None = None) -> None:
        self._require(ErasureStatus.REQUESTED, "approve")
        if by.staff_id == self.requested_by:
            raise ErasureStepNotAllowed(
                "the person who requested an erasure cannot approve it; a second person must"
            )
        self.record(self.Approved, by, occurred_at)

    def carry_out(self, by: Actor, erasure_id: UUID, occurred_at: datetime | None = None) -> None:
        self._require(ErasureStatus.APPROVED, "carry out")
        self.record(self.CarriedOut, by, occurred_at, erasure_id=erasure_id)

    def _require(self, status: ErasureStatus, step: str) -> None:
        if self.status is not status:
            raise ErasureStepNotAllowed(
                f"cannot {step} an erasure request that is {self.status.value.replace('_', ' ')} "
                f"(only one that is {status.value})",
                status=self.status.value,
            )
