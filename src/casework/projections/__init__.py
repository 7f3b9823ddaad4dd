"""Read models: the views people read (case plans, referral chains, supervision
histories, caseloads, the audit timeline, the case index), kept from the event log
in tables beside it. The views are in `views/`, what runs them in `machinery/`;
`Projections(app)` is the entry point."""

from casework.projections.machinery.projections import Projections, RebuildUnderWay, ViewStatus

__all__ = ["Projections", "RebuildUnderWay", "ViewStatus"]
