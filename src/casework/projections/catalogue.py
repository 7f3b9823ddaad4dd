"""Every view casework keeps, in the order `casework projections status` lists them."""

from casework.projections.audit_timeline import AuditTimeline
from casework.projections.case_index import CaseIndex
from casework.projections.case_plan import CasePlanView
from casework.projections.caseload import CaseloadView
from casework.projections.referral_chains import ReferralChains
from casework.projections.supervision_history import SupervisionHistory
from casework.projections.view import View

ALL_VIEWS: list[type[View]] = [
    CaseIndex,
    CasePlanView,
    ReferralChains,
    SupervisionHistory,
    CaseloadView,
    AuditTimeline,
]
