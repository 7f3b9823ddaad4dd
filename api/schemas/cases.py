"""Cases: the filtered reading a person may see. Responses reuse the case's own
immutable values (clients, notes, assessments …); requests are the case commands
themselves (`casework.application.commands.cases`, ADR 0053)."""

from uuid import UUID

import msgspec

from casework.aggregates.case import (
    Assessment,
    CaseStatus,
    Client,
    Closure,
    Consent,
    EmergencyAccess,
    Note,
    PlanReview,
    PlanVersion,
    RecordKind,
    ReferralSource,
    Reopening,
    RiskLevel,
    TeamMember,
)
from casework.application.authorisation import CaseReading, Withheld


class CaseView(msgspec.Struct, kw_only=True, frozen=True):
    """A case as the reader may see it: what is withheld is absent and listed in
    `withheld`, with the reason (`withheld_summary` says it in a sentence)."""

    case_id: UUID
    version: int
    status: CaseStatus
    risk_level: RiskLevel
    risk_rationale: str
    presenting_problem: str
    referral_source: ReferralSource
    referral_detail: str
    centre_id: UUID
    department_id: UUID
    lead_worker_id: UUID
    clients: list[Client]
    possible_duplicate_of: list[UUID]
    consent: Consent | None
    consent_history: list[Consent]
    team: list[TeamMember]
    assessments: list[Assessment]
    plan_versions: list[PlanVersion]
    plan_reviews: list[PlanReview]
    notes: list[Note]
    closures: list[Closure]
    reopenings: list[Reopening]
    emergency_access: list[EmergencyAccess]
    shown: list[RecordKind]
    withheld: list[Withheld]
    withheld_summary: str


def case_view(reading: CaseReading) -> CaseView:
    case = reading.case
    return CaseView(
        case_id=case.id,
        version=case.version,
        status=case.status,
        risk_level=case.risk_level,
        risk_rationale=case.risk_rationale,
        presenting_problem=case.presenting_problem,
        referral_source=case.referral_source,
        referral_detail=case.referral_detail,
        centre_id=case.centre_id,
        department_id=case.department_id,
        lead_worker_id=case.lead_worker_id,
        clients=case.clients,
        possible_duplicate_of=case.possible_duplicate_of,
        consent=case.consent,
        consent_history=case.consent_history,
        team=case.team,
        assessments=sorted(case.assessments.values(), key=lambda a: a.occurred_at),
        plan_versions=case.plan_versions,
        plan_reviews=case.plan_reviews,
        notes=sorted(case.notes.values(), key=lambda n: n.occurred_at),
        closures=case.closures,
        reopenings=case.reopenings,
        emergency_access=case.emergency_access,
        shown=reading.shown,
        withheld=reading.withheld,
        withheld_summary=reading.withheld_summary(),
    )
