"""THE access rule: may this person, acting in this role, see or write this record of
this case, now?

Everything that shows or changes case content asks `may` (or `require`); nothing else
decides. The answer depends on: being the lead caseworker; team membership (discipline,
scope, end date, removal) and the client's consent for that discipline; the
department or centre of a department head or centre director; the supervision
relationship; the compliance reviewer's read-only role; and break-the-glass access.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from casework.aggregates.base import Actor, Role, RuleBroken
from casework.aggregates.case import Case, RecordKind, TeamScope
from casework.aggregates.discipline import Discipline
from casework.aggregates.erasure_request import ErasureRequest
from casework.aggregates.staff import Staff
from casework.aggregates.supervision import SessionNote, SupervisionSession, Topic


class Action(StrEnum):
    SEE = "see"
    WRITE = "write"


# What a team member with summary scope may see besides their own discipline's records.
SUMMARY_SCOPE = frozenset(
    {RecordKind.SUMMARY, RecordKind.CONSENT, RecordKind.TEAM, RecordKind.PLAN}
)
# Records written in a discipline (a member writes and, on summary scope, sees their own).
DISCIPLINE_RECORDS = frozenset({RecordKind.ASSESSMENT, RecordKind.NOTE})
# What a department head writes on their department's cases besides the lead's records.
DEPARTMENT_HEAD_WRITES = frozenset(
    {RecordKind.SUMMARY, RecordKind.TEAM, RecordKind.PLAN, RecordKind.CLOSURE}
)


@dataclass(frozen=True)
class ActorContext:
    """Who is asking, as the organisation knows them at the moment they ask."""

    staff_id: UUID
    role: Role
    centre_id: UUID
    department_id: UUID | None
    supervisee_ids: frozenset[UUID] = frozenset()

    @classmethod
    def of_staff(cls, staff: Staff, role: Role, at: datetime) -> "ActorContext":
        """Someone acting in `role` at `at`, from their staff record; refused
        (`RoleNotHeld`, `StaffHasLeft`) when they do not hold it then."""
        staff.require_role(role)
        return cls(
            staff_id=staff.id,
            role=role,
            centre_id=staff.centre_id,
            department_id=staff.department_id,
            supervisee_ids=frozenset(staff.supervisees_on(at.date())),
        )


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


class AccessDenied(RuleBroken):
    rule = "access_denied"
    status = 403


def _allow(reason: str) -> Decision:
    return Decision(True, reason)


def _deny(reason: str) -> Decision:
    return Decision(False, reason)


def may(
    actor: ActorContext,
    action: Action,
    kind: RecordKind,
    case: Case,
    now: datetime,
    discipline: Discipline | None = None,
) -> Decision:
    """`discipline` is the record's own (notes and assessments carry one); None asks
    about the kind of record in general, or about writing one in the member's discipline."""
    action, kind, role = Action(action), RecordKind(kind), actor.role
    if role in (Role.CASEWORKER, Role.DEPARTMENT_HEAD) and actor.staff_id == case.lead_worker_id:
        return _allow("lead caseworker of the case")
    refusals: list[str] = []
    by_role = _by_role(actor, action, kind, case)
    if by_role.allowed:
        return by_role
    refusals.append(by_role.reason)
    if role in (Role.CASEWORKER, Role.SPECIALIST):
        as_member = _as_team_member(actor, action, kind, case, now, discipline)
        if as_member.allowed:
            return as_member
        refusals.append(as_member.reason)
    grant = case.emergency_access_of(actor.staff_id, now)
    if grant is not None:
        if action == Action.SEE or kind == RecordKind.NOTE:
            return _allow(f"emergency access until {grant.until:%Y-%m-%d %H:%M} UTC")
        refusals.append("emergency access allows reading and writing notes only")
    return _deny("; ".join(r for r in refusals if r))


def _by_role(actor: ActorContext, action: Action, kind: RecordKind, case: Case) -> Decision:
    role = actor.role
    if role == Role.ADMINISTRATOR:
        return _deny("administrators see no case content")
    if role == Role.COMPLIANCE_REVIEWER:
        if action == Action.SEE:
            return _allow("compliance review (read-only; the read is recorded)")
        return _deny("compliance reviewers read but never write case records")
    if role == Role.CENTRE_DIRECTOR:
        if case.centre_id != actor.centre_id:
            return _deny("the case belongs to another centre")
        if action == Action.SEE:
            return _allow("centre director of the case's centre")
        return _deny("the centre director reads case records but does not write them")
    if role == Role.DEPARTMENT_HEAD:
        if case.department_id != actor.department_id:
            return _deny("the case belongs to another department")
        if action == Action.SEE or kind in DEPARTMENT_HEAD_WRITES:
            return _allow("head of the case's department")
        return _deny("a department head writes notes and assessments only on cases they lead")
    if role == Role.SUPERVISOR:
        supervised = {case.lead_worker_id, *(m.staff_id for m in case.team)}
        if not supervised & actor.supervisee_ids:
            return _deny("nobody on the case is supervised by this supervisor")
        if action == Action.SEE:
            return _allow("supervisor of someone working on the case")
        return _deny("supervisors review and approve; they do not write case records")
    return _deny("")


def _as_team_member(
    actor: ActorContext,
    action: Action,
    kind: RecordKind,
    case: Case,
    now: datetime,
    discipline: Discipline | None,
) -> Decision:
    memberships = case.member(actor.staff_id, now)
    if not memberships:
        return _deny("not the lead caseworker and not on the case team now")
    reasons = []
    for member in memberships:
        if not case.consent_allows(member.discipline):
            reasons.append(f"the client's consent does not cover {member.discipline.value}")
            continue
        own = discipline is None or discipline == member.discipline
        label = f"team member ({member.discipline.value}, {member.scope.value} scope)"
        if action == Action.WRITE:
            if kind in DISCIPLINE_RECORDS and own:
                return _allow(label)
            reasons.append(f"a {label} writes only {member.discipline.value} notes and assessments")
        elif (
            member.scope == TeamScope.FULL
            or kind in SUMMARY_SCOPE
            or (kind in DISCIPLINE_RECORDS and own and discipline is not None)
        ):
            return _allow(label)
        else:
            reasons.append(f"a {label} sees the summary, the plan and their discipline's records")
    return _deny("; ".join(reasons))


def require(
    actor: ActorContext,
    action: Action,
    kind: RecordKind,
    case: Case,
    now: datetime,
    discipline: Discipline | None = None,
) -> Decision:
    decision = may(actor, action, kind, case, now, discipline)
    if not decision:
        raise AccessDenied(
            f"may not {action.value} the {kind.value} of case {case.id}: {decision.reason}",
            reason=decision.reason,
        )
    return decision


# -- Approval authority and supervision records (issue 4) ----------------------------


def approval_ground(approver: Staff, author: Staff, case: Case, on: date) -> str | None:
    """Who may approve whose record: someone who supervises its author on that day, the
    head of the case's department, or the director of its centre; never the author.
    Returns the ground (recorded with the approval), or None."""
    if approver.id == author.id or not approver.active:
        return None
    if approver.id in author.supervisors_on(on):
        return "supervises the author"
    if Role.DEPARTMENT_HEAD in approver.roles and approver.department_id == case.department_id:
        return "head of the case's department"
    if Role.CENTRE_DIRECTOR in approver.roles and approver.centre_id == case.centre_id:
        return "director of the case's centre"
    return None


def may_read_supervision_note(
    reader: Actor, session: SupervisionSession, note: SessionNote
) -> bool:
    """A session's notes are for its participants; a wellbeing note only for the
    supervisor and the supervisee it concerns."""
    if note.topic is Topic.WELLBEING:
        return reader.staff_id in (session.supervisor_id, note.about_id)
    return reader.staff_id in session.participants


# -- Opening cases and running the organisation ---------------------------------------


def may_open_case(
    actor: ActorContext, department_id: UUID, lead_department_id: UUID | None
) -> Decision:
    """Intake is for the caseworkers and the head of the department the case opens in,
    and the lead they name must work in that department too."""
    if actor.role not in (Role.CASEWORKER, Role.DEPARTMENT_HEAD):
        return _deny("cases are opened by caseworkers and department heads")
    if actor.department_id != department_id:
        return _deny("cases are opened in one's own department")
    if lead_department_id != department_id:
        return _deny("the lead caseworker must work in the department the case opens in")
    return _allow(f"{actor.role.value} of the case's department")


class AdministratorsSeeNoCaseContent(AccessDenied):
    """Administrators run accounts, keys and backups; no case content reaches them, not
    even in an emergency (break-the-glass is for those whose work is casework)."""

    rule = "administrators_see_no_case_content"


def may_break_the_glass(actor: ActorContext) -> Decision:
    """Emergency access is for anyone on staff holding a role today, administrators
    excepted."""
    if actor.role == Role.ADMINISTRATOR:
        return _deny("administrators see no case content, not even by breaking the glass")
    return _allow(f"emergency access as {actor.role.value}")


class OrganisationAction(StrEnum):
    ADD_CENTRE = "add a centre"
    ADD_DEPARTMENT = "add a department"
    ADD_STAFF = "add a staff member"
    MOVE_STAFF = "move a staff member to another department"
    CHANGE_ROLES = "change a staff member's roles"
    STAFF_LEAVES = "record a staff member leaving"
    SUPERVISION = "link a supervisor and a supervisee"


# What a centre director does in their own centre; administrators do all of it anywhere.
CENTRE_DIRECTOR_MANAGES = frozenset(
    {
        OrganisationAction.ADD_DEPARTMENT,
        OrganisationAction.ADD_STAFF,
        OrganisationAction.MOVE_STAFF,
        OrganisationAction.STAFF_LEAVES,
        OrganisationAction.SUPERVISION,
    }
)
# Roles only an administrator gives: they reach beyond one centre's casework.
ADMINISTRATOR_APPOINTS = frozenset(
    {Role.ADMINISTRATOR, Role.COMPLIANCE_REVIEWER, Role.CENTRE_DIRECTOR}
)


def may_manage(
    actor: ActorContext,
    action: OrganisationAction,
    centre_id: UUID | None,
    roles: frozenset[Role] = frozenset(),
) -> Decision:
    """Organisation records (centres, departments, staff, supervision links) are the
    administrators'; a centre director adds departments and staff, moves staff, records
    leaving and links supervision in their own centre. `centre_id` is the centre the
    action touches, `roles` those a new staff member is given."""
    action = OrganisationAction(action)
    if actor.role == Role.ADMINISTRATOR:
        return _allow("administrator")
    if actor.role != Role.CENTRE_DIRECTOR:
        return _deny("the organisation's records are kept by administrators and centre directors")
    if action not in CENTRE_DIRECTOR_MANAGES:
        return _deny(f"only an administrator may {action.value}")
    if centre_id != actor.centre_id:
        return _deny("a centre director manages only their own centre")
    appointed = roles & ADMINISTRATOR_APPOINTS
    if appointed:
        names = ", ".join(sorted(r.value for r in appointed))
        return _deny(f"only an administrator appoints to the roles {names}")
    return _allow("director of the centre")


# -- Staff records, supervision schedules, agencies, audit samples, the ledger -------


def may_read_staff(actor: ActorContext, staff: Staff) -> Decision:
    """A staff record (roles, supervision links, the cases they lead, leaving) is its
    own person's, the administrators', a compliance reviewer's (read-only), and read by
    whoever oversees the person: the director of their centre, the head of their
    department, and their supervisor today."""
    if actor.staff_id == staff.id:
        return _allow("their own staff record")
    if actor.role in (Role.ADMINISTRATOR, Role.COMPLIANCE_REVIEWER):
        return _allow(actor.role.value)
    if actor.role == Role.CENTRE_DIRECTOR and staff.centre_id == actor.centre_id:
        return _allow("director of their centre")
    if (
        actor.role == Role.DEPARTMENT_HEAD
        and staff.department_id is not None
        and staff.department_id == actor.department_id
    ):
        return _allow("head of their department")
    if actor.role == Role.SUPERVISOR and staff.id in actor.supervisee_ids:
        return _allow("their supervisor")
    return _deny(
        "a staff record is read by its person, administrators, compliance reviewers and "
        "those who oversee the person (their centre's director, department head, supervisor)"
    )


def may_set_supervision_frequency(actor: ActorContext, staff: Staff) -> Decision:
    """How often someone is supervised is set by an administrator or by whoever
    oversees them (not by themselves, and not by a read-only compliance reviewer)."""
    if actor.staff_id == staff.id:
        return _deny("nobody sets how often they themselves are supervised")
    if actor.role == Role.COMPLIANCE_REVIEWER:
        return _deny("compliance reviewers read but never write")
    return may_read_staff(actor, staff)


# Who keeps the register of outside agencies referrals go to.
AGENCY_KEEPERS = frozenset({Role.ADMINISTRATOR, Role.CENTRE_DIRECTOR, Role.DEPARTMENT_HEAD})


def may_keep_agencies(actor: ActorContext) -> Decision:
    if actor.role in AGENCY_KEEPERS:
        return _allow(actor.role.value)
    return _deny(
        "the agency register is kept by administrators, centre directors and department heads"
    )


def may_audit(actor: ActorContext, worker: Staff) -> Decision:
    """An audit sample of a worker's records is drawn and read by a compliance
    reviewer, or by someone who oversees the worker (their centre's director, their
    department's head, their supervisor today); never by the worker."""
    if actor.staff_id == worker.id:
        return _deny("nobody audits their own records")
    if actor.role != Role.ADMINISTRATOR:
        oversees = may_read_staff(actor, worker)
        if oversees:
            return oversees
    return _deny(
        "audit samples are drawn and read by compliance reviewers and those who oversee "
        "the worker (their centre's director, department head, supervisor)"
    )


# Who reads the ledger (checkpoints, verification, inclusion proofs: hashes, no content).
LEDGER_READERS = frozenset({Role.COMPLIANCE_REVIEWER, Role.CENTRE_DIRECTOR, Role.ADMINISTRATOR})


def may_read_ledger(actor: ActorContext) -> Decision:
    if actor.role in LEDGER_READERS:
        return _allow(f"{actor.role.value} (the ledger holds hashes, no case content)")
    return _deny("the ledger is read by compliance reviewers, centre directors and administrators")


def may_read_erasure_request(actor: ActorContext, request: ErasureRequest) -> Decision:
    """An erasure request (its reason, legal authority and who took each step; no case
    content) is read by those who may take one of its steps: compliance reviewers,
    administrators, the director of the case's centre, the head of its department, and
    the person who asked for it."""
    if actor.staff_id == request.requested_by:
        return _allow("who requested the erasure")
    if actor.role in (Role.COMPLIANCE_REVIEWER, Role.ADMINISTRATOR):
        return _allow(actor.role.value)
    if actor.role == Role.CENTRE_DIRECTOR and actor.centre_id == request.centre_id:
        return _allow("director of the case's centre")
    if actor.role == Role.DEPARTMENT_HEAD and actor.department_id == request.department_id:
        return _allow("head of the case's department")
    return _deny(
        "an erasure request is read by compliance reviewers, administrators, the director "
        "of the case's centre, the head of its department and its requester"
    )
