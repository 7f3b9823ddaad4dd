"""The service layer: `Casework` is the application every adapter (CLI, API) uses."""

from typing import ClassVar

from casework.aggregates.case import Case
from casework.aggregates.organisation import Organisation
from casework.aggregates.staff import Staff
from casework.aggregates.supervision_schedule import SupervisionSchedule
from casework.application.accounts import AccountCommands
from casework.application.authorisation import Authorisation
from casework.application.case_supervision import CaseSupervisionCommands
from casework.application.cases import CaseCommands
from casework.application.compliance import ComplianceCommands
from casework.application.organisation import OrganisationCommands
from casework.application.referrals import ReferralCommands
from casework.application.reviews import ReviewCommands
from casework.application.visible_cases import VisibleCases


class Casework(
    CaseCommands,
    OrganisationCommands,
    ReferralCommands,
    CaseSupervisionCommands,
    ReviewCommands,
    ComplianceCommands,
    VisibleCases,
    Authorisation,
    AccountCommands,
):
    """casework's application: one event store, one notification log, sealed."""

    # A staff record is loaded by every command its person gives (and by intake and
    # closure for the lead): snapshotted often, it loads from at most 19 events.
    # The organisation gains an event per centre, department and person: a district's
    # grows to thousands, and intake loads it.
    snapshotting_intervals: ClassVar = {
        Case: 100,
        Staff: 20,
        SupervisionSchedule: 50,
        Organisation: 100,
    }


__all__ = ["Casework"]
