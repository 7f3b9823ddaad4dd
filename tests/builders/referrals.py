"""The family caseworker referring a case out, as the referral stories begin, to a
department or an agency."""

from datetime import datetime
from uuid import UUID

from casework.aggregates.referral import HolderKind, SharedPart, Urgency
from casework.application import Casework
from casework.application.commands.referrals import Receiver, SendReferral
from tests.builders.centre import FamilyCentre


def to_department(department_id: UUID) -> Receiver:
    return Receiver(kind=HolderKind.DEPARTMENT, id=department_id)


def to_agency(agency_id: UUID) -> Receiver:
    return Receiver(kind=HolderKind.AGENCY, id=agency_id)


def refer(
    app: Casework,
    centre: FamilyCentre,
    case_id: UUID,
    receiver: Receiver,
    reason: str,
    urgency: Urgency,
    shared: list[SharedPart],
    occurred_at: datetime | None = None,
) -> UUID:
    """The family department's caseworker refers the case to `receiver`."""
    return app.send_referral(
        centre.worker,
        SendReferral(
            case_id=case_id,
            receiver=receiver,
            reason=reason,
            urgency=urgency,
            shared=shared,
            occurred_at=occurred_at,
        ),
    )
