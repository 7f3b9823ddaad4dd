"""The views casework keeps, one module each, and `ALL_VIEWS`: every view, in the
order `casework projections status` lists them. The machinery that runs them is in
`casework.projections.machinery`."""

from casework.projections.machinery.view_base import View
from casework.projections.views.audit_timeline import AuditTimelineView
from casework.projections.views.case_index import CaseIndexView
from casework.projections.views.case_plan import CasePlanView
from casework.projections.views.caseload import CaseloadView
from casework.projections.views.referral_chains import ReferralChainsView
from casework.projections.views.supervision_history import SupervisionHistoryView

ALL_VIEWS: list[type[View]] = [
    CaseIndexView,
    CasePlanView,
    ReferralChainsView,
    SupervisionHistoryView,
    CaseloadView,
    AuditTimelineView,
]
