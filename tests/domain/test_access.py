"""The access rule, as a table: every role (in each relationship to the case) × every
kind of record × see / write."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from casework.access import AccessDenied, Action, ActorContext, RecordKind, may, require
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import Case, Client, Consent, ReferralSource, TeamScope
from casework.aggregates.discipline import Discipline

OPENED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CENTRE, OTHER_CENTRE = uuid4(), uuid4()
FAMILY, YOUTH = uuid4(), uuid4()
LEAD, CO_WORKER, LAWYER, PSYCHOLOGIST, DOCTOR, ON_DUTY, ADMIN = (uuid4() for _ in range(7))
SW, LAW, PSY, MED = (Discipline.SOCIAL_WORK, Discipline.LAW, Discipline.PSYCHOLOGY,
                     Discipline.MEDICINE)  # fmt: skip


def _case() -> Case:
    lead = Actor(LEAD, Role.CASEWORKER)
    consent = Consent(given=True, on=date(2026, 3, 1), disciplines=[SW, LAW, PSY, MED])
    case = Case.open(
        lead, [Client(uuid4(), "王芳")], "family conflict", ReferralSource.SELF, CENTRE, FAMILY,
        LEAD, consent=consent, occurred_at=OPENED,
    )  # fmt: skip
    joined = OPENED + timedelta(days=1)
    for staff_id, discipline, scope in [
        (CO_WORKER, SW, TeamScope.FULL),
        (LAWYER, LAW, TeamScope.SUMMARY),
        (PSYCHOLOGIST, PSY, TeamScope.FULL),
        (DOCTOR, MED, TeamScope.FULL),
    ]:
        case.add_team_member(lead, staff_id, discipline, scope, occurred_at=joined)
    # The client later narrows consent: medicine no longer.
    case.record_consent(lead, True, date(2026, 3, 5), [SW, LAW, PSY], occurred_at=joined)
    for staff_id in (ON_DUTY, ADMIN):
        case.start_emergency_access(
            Actor(staff_id, Role.CASEWORKER), "night call", [], occurred_at=NOW - timedelta(hours=1)
        )
    return case


CASE = _case()


def actor(
    role: Role, staff_id: UUID | None = None, centre: UUID = CENTRE, department: UUID | None = None,
    supervisees: frozenset[UUID] = frozenset(),
) -> ActorContext:  # fmt: skip
    return ActorContext(staff_id or uuid4(), role, centre, department, supervisees)


S, W = "see", "write"
ALL_SEE = dict.fromkeys(RecordKind, S)
NOTHING: dict[RecordKind, str] = {}
K = RecordKind

# Who, in which relationship to the case → what they may do with each kind of record.
TABLE: dict[str, tuple[ActorContext, dict[RecordKind, str]]] = {
    "caseworker leading the case": (
        actor(Role.CASEWORKER, LEAD, department=FAMILY),
        dict.fromkeys(RecordKind, S + W),
    ),
    "caseworker on the team (social work, full)": (
        actor(Role.CASEWORKER, CO_WORKER, department=FAMILY),
        {**ALL_SEE, K.ASSESSMENT: S + W, K.NOTE: S + W},
    ),
    "caseworker of the department, not on the team": (
        actor(Role.CASEWORKER, department=FAMILY),
        NOTHING,
    ),
    "specialist on the team (law, summary)": (
        actor(Role.SPECIALIST, LAWYER),
        {K.SUMMARY: S, K.CONSENT: S, K.TEAM: S, K.PLAN: S, K.ASSESSMENT: W, K.NOTE: W},
    ),
    "specialist on the team (psychology, full)": (
        actor(Role.SPECIALIST, PSYCHOLOGIST),
        {**ALL_SEE, K.ASSESSMENT: S + W, K.NOTE: S + W},
    ),
    "specialist on the team without the client's consent (medicine)": (
        actor(Role.SPECIALIST, DOCTOR),
        NOTHING,
    ),
    "specialist not on the team": (actor(Role.SPECIALIST), NOTHING),
    "head of the case's department": (
        actor(Role.DEPARTMENT_HEAD, department=FAMILY),
        {**ALL_SEE, K.SUMMARY: S + W, K.TEAM: S + W, K.PLAN: S + W, K.CLOSURE: S + W},
    ),
    "head of another department": (actor(Role.DEPARTMENT_HEAD, department=YOUTH), NOTHING),
    "supervisor of the lead caseworker": (
        actor(Role.SUPERVISOR, supervisees=frozenset({LEAD})),
        ALL_SEE,
    ),
    "supervisor of a team member": (
        actor(Role.SUPERVISOR, supervisees=frozenset({LAWYER})),
        ALL_SEE,
    ),
    "supervisor of nobody on the case": (
        actor(Role.SUPERVISOR, supervisees=frozenset({uuid4()})),
        NOTHING,
    ),
    "director of the case's centre": (actor(Role.CENTRE_DIRECTOR), ALL_SEE),
    "director of another centre": (actor(Role.CENTRE_DIRECTOR, centre=OTHER_CENTRE), NOTHING),
    "compliance reviewer": (actor(Role.COMPLIANCE_REVIEWER, centre=OTHER_CENTRE), ALL_SEE),
    "administrator": (actor(Role.ADMINISTRATOR), NOTHING),
    "caseworker with emergency access": (
        actor(Role.CASEWORKER, ON_DUTY, department=YOUTH),
        {**ALL_SEE, K.NOTE: S + W},
    ),
    "administrator with emergency access": (
        actor(Role.ADMINISTRATOR, ADMIN),
        {**ALL_SEE, K.NOTE: S + W},
    ),
}


@pytest.mark.parametrize("kind", list(RecordKind))
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("who", list(TABLE))
def test_who_may_see_and_write_what(who: str, action: Action, kind: RecordKind) -> None:
    context, allowed = TABLE[who]
    decision = may(context, action, kind, CASE, NOW)
    assert bool(decision) == (action.value in allowed.get(kind, "")), decision.reason
    assert decision.reason, "every answer says why"


def test_a_summary_scope_member_sees_their_own_disciplines_records_only() -> None:
    lawyer = actor(Role.SPECIALIST, LAWYER)
    assert may(lawyer, Action.SEE, RecordKind.NOTE, CASE, NOW, LAW)
    assert may(lawyer, Action.SEE, RecordKind.ASSESSMENT, CASE, NOW, LAW)
    assert not may(lawyer, Action.SEE, RecordKind.NOTE, CASE, NOW, PSY)
    assert may(lawyer, Action.WRITE, RecordKind.NOTE, CASE, NOW, LAW)
    assert not may(lawyer, Action.WRITE, RecordKind.NOTE, CASE, NOW, PSY)


def test_access_starts_when_a_member_joins_and_emergency_access_expires() -> None:
    before_joining = OPENED + timedelta(hours=1)
    assert not may(actor(Role.SPECIALIST, PSYCHOLOGIST), "see", "plan", CASE, before_joining)
    on_duty = actor(Role.CASEWORKER, ON_DUTY)
    assert may(on_duty, "see", "note", CASE, NOW + timedelta(hours=2, minutes=59))
    assert not may(on_duty, "see", "note", CASE, NOW + timedelta(hours=3))


def test_a_refusal_is_a_rule_broken_that_says_why() -> None:
    with pytest.raises(AccessDenied, match="administrators see no case content") as refused:
        require(actor(Role.ADMINISTRATOR), Action.SEE, RecordKind.NOTE, CASE, NOW)
    assert refused.value.rule == "access_denied" and refused.value.status == 403
    assert require(actor(Role.COMPLIANCE_REVIEWER), Action.SEE, RecordKind.NOTE, CASE, NOW)
