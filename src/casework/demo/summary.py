"""What a store holding the demo centre shows: departments, staff, cases by status and
risk, waiting approvals, referrals and supervision, in a few lines."""

from collections import Counter
from datetime import UTC, datetime

from casework.aggregates.base import Role, RuleBroken
from casework.aggregates.case import Case, CaseStatus, RiskLevel
from casework.aggregates.referral import Referral
from casework.aggregates.supervision import SupervisionSession
from casework.application import Casework


def describe(app: Casework) -> str:
    """What the centre holds, for the person who just ran `casework demo`."""
    organisation = app.get_organisation()
    staff = app.list_staff()
    cases, erased = [], 0
    for case_id in app.case_ids():
        try:
            cases.append(app.load(case_id, Case, "case"))  # the store as its operator sees it
        except RuleBroken as error:
            if error.rule != "erased":
                raise
            erased += 1
    today = datetime.now(tz=UTC).date()
    lines = [organisation.name]
    for centre in organisation.centres:
        lines.append(f"  {centre.name}")
        for department in organisation.departments_of(centre.centre_id):
            members = [s for s in staff if s.department_id == department.department_id and s.active]
            held = [c for c in cases if c.department_id == department.department_id]
            open_ = sum(c.status != CaseStatus.CLOSED for c in held)
            lines.append(
                f"    {department.name}: {len(members)} staff, {len(held)} cases ({open_} open)"
            )
    supervisors = [
        s.name + (" (external)" if s.external else "") for s in staff if Role.SUPERVISOR in s.roles
    ]
    lines.append(
        f"  staff: {sum(s.active for s in staff)} active, {sum(not s.active for s in staff)} "
        f"left; supervisors: {', '.join(supervisors)}"
    )
    by_status = Counter(c.status.value for c in cases)
    by_risk = Counter(c.risk_level.value for c in cases)
    lines.append(
        f"  cases: {len(cases)} — "
        + ", ".join(f"{s.value} {by_status[s.value]}" for s in CaseStatus)
        + (f"; and {erased} erased" if erased else "")
    )
    lines.append("  risk: " + ", ".join(f"{r.value} {by_risk[r.value]}" for r in RiskLevel))
    waiting = sum(c.pending_plan is not None for c in cases) + by_status[CaseStatus.CLOSING.value]
    lines.append(
        f"  waiting for supervisor approval: {waiting}; overdue plan reviews: "
        f"{sum(c.review_overdue(today) for c in cases)}; late notes: "
        f"{sum(n.late_entry for c in cases for n in c.notes.values())}; "
        f"with specialists: {sum(bool(c.team) for c in cases)}; "
        f"reopened: {sum(bool(c.reopenings) for c in cases)}; "
        f"emergency access: {sum(len(c.emergency_access) for c in cases)}"
    )
    lines.append(_referrals_and_supervision(app, cases))
    return "\n".join(lines)


def _referrals_and_supervision(app: Casework, readable_cases: list[Case]) -> str:
    now_ = datetime.now(tz=UTC)
    readable = {c.id for c in readable_cases}
    # Counts for the operator who built the demo, no content: read as stored.
    referrals = [
        r for r in map(app._referral, app.record_ids(Referral.Sent)) if r.case_id in readable
    ]
    sessions = [app._session(i) for i in app.record_ids(SupervisionSession.Recorded)]
    return (
        f"  referrals: {len(referrals)} ({sum(r.is_stalled(now_) for r in referrals)} stalled, "
        f"{sum(r.loop for r in referrals)} looping back); supervision sessions: "
        f"{len(sessions)} ({sum(not s.signed_off for s in sessions)} awaiting sign-off, "
        f"{sum(len(s.overdue_action_items(now_.date())) for s in sessions)} overdue action items)"
    )
