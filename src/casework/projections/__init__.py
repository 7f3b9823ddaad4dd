"""Read models: the views people read (case plans, referral chains, supervision
histories, caseloads, the audit timeline, the case index), kept from the event log
in tables beside it. `Projections(app)` is the entry point."""

from casework.projections.views import Projections, RebuildUnderWay, ViewStatus

__all__ = ["Projections", "RebuildUnderWay", "ViewStatus"]
