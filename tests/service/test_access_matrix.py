"""The access matrix through the service layer, generated from one table (issue 11).

Each row of `TABLE` says: someone acting in a role, in one situation towards a case
(their own case, on its team in or out of their discipline, another department or
centre, after leaving, after the client withdrew consent, during and after
break-the-glass), and some kinds of record, may see / write them, or is refused with
a reason. Every row becomes one test per record kind, run through the real service
layer: reads by `read_case` (what is shown, what is withheld, and exactly one access
record for the read, refused or not), writes by the real commands (the event stored,
or the refusal with the case version unchanged and the refusal recorded).

Expected values come from the roles table in `shared/domain.md` and `casework.access`,
never from what the service happens to do. The situations are built once per backend
with the service layer's own commands.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple
from uuid import UUID, uuid4

import psycopg
import pytest

from casework.access import AccessDenied, Action, AdministratorsSeeNoCaseContent
from casework.aggregates.access_record import AccessAction, AccessOutcome, AccessRecord
from casework.aggregates.base import Actor, Role, RuleBroken
from casework.aggregates.case import (
    AssessmentDomain,
    Case,
    CaseStatus,
    ClosureReason,
    GoalOutcome,
    NoteKind,
    RecordKind,
    ReferralSource,
    RiskLevel,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.authorisation import CaseReading
from casework.application.commands.cases import (
    AddTeamMember,
    BreakTheGlass,
    CloseCase,
    HandOverCase,
    OpenCase,
    OutcomeEntry,
    PlannedGoal,
    ProposePlan,
    RatedDomain,
    RecordAssessment,
    RecordConsent,
    RemoveTeamMember,
    ReopenCase,
    RerateRisk,
)
from casework.application.commands.organisation import (
    AddCentre,
    AddDepartment,
    AddStaff,
    AssignSupervisor,
    RecordLeaving,
)
from casework.settings import Settings
from casework.store.access_index import AccessQuery
from casework.store.master_key import MasterKey
from tests.builders.centre import family_centre, family_client, in_post, join_team, write_note
from tests.conftest import POSTGRES_URL

SW, LAW, PSY = Discipline.SOCIAL_WORK, Discipline.LAW, Discipline.PSYCHOLOGY
K = RecordKind
SEE, WRITE = Action.SEE, Action.WRITE


class Target(NamedTuple):
    """A kind of record; notes and assessments also by their discipline."""

    kind: RecordKind
    discipline: Discipline | None = None

    def __str__(self) -> str:
        return f"{self.kind.value} ({self.discipline.value})" if self.discipline else self.kind


def _records(*disciplines: Discipline) -> tuple[Target, ...]:
    return tuple(Target(kind, d) for d in disciplines for kind in (K.NOTE, K.ASSESSMENT))


SUMMARY_SCOPE = tuple(Target(kind) for kind in (K.SUMMARY, K.CONSENT, K.TEAM, K.PLAN))
LEAD_RECORDS = (Target(K.SUMMARY), Target(K.TEAM), Target(K.PLAN), Target(K.CLOSURE))
EVERYTHING = (*SUMMARY_SCOPE, Target(K.CLOSURE), *_records(SW, LAW, PSY))
NOTES = tuple(Target(K.NOTE, d) for d in (SW, LAW, PSY))


def rest(*taken: tuple[Target, ...]) -> tuple[Target, ...]:
    """Every target not in `taken`."""
    used = set(itertools.chain(*taken))
    return tuple(t for t in EVERYTHING if t not in used)


ALLOWED = "allowed"


@dataclass(frozen=True)
class Refused:
    """Refused by a rule other than the access rule (`casework.access`)."""

    rule: str
    reason: str


# What the access rule says (fragments of its reasons).
NOT_ON_TEAM = "not the lead caseworker and not on the case team now"
SUMMARY_ONLY = "sees the summary, the plan and their discipline's records"
ADMIN = "administrators see no case content"
OTHER_DEPARTMENT = "the case belongs to another department"
OTHER_CENTRE = "the case belongs to another centre"
HEAD_WRITES = "a department head writes notes and assessments only on cases they lead"
SUPERVISOR_WRITES = "supervisors review and approve; they do not write case records"
NOT_SUPERVISED = "nobody on the case is supervised by this supervisor"
DIRECTOR_WRITES = "the centre director reads case records but does not write them"
REVIEWER_WRITES = "compliance reviewers read but never write case records"
GLASS_WRITES = "emergency access allows reading and writing notes only"
# What other rules say: people who have left act in no role; a withdrawn consent
# stops discipline records and new team members (the case's own rule, after the
# access rule has allowed the writer).
LEFT = Refused("staff_has_left", "left on")
NO_CONSENT = Refused("consent_missing", "withdrew consent")


def writes_only(discipline: Discipline) -> str:
    return f"writes only {discipline.value} notes and assessments"


def consent_does_not_cover(discipline: Discipline) -> str:
    return f"the client's consent does not cover {discipline.value}"


class Row(NamedTuple):
    role: Role
    situation: str
    targets: tuple[Target, ...]
    action: Action
    expected: str | Refused  # ALLOWED, a reason of the access rule, or another rule


CW, SP, DH = Role.CASEWORKER, Role.SPECIALIST, Role.DEPARTMENT_HEAD
SV, CD = Role.SUPERVISOR, Role.CENTRE_DIRECTOR
CR, AD = Role.COMPLIANCE_REVIEWER, Role.ADMINISTRATOR
OWN_RECORDS_SW = _records(SW)

# fmt: off
TABLE: list[Row] = [
    # -- caseworker: own cases, and cases whose team they are on -----------------------
    Row(CW, "own case (lead)", EVERYTHING, SEE, ALLOWED),
    Row(CW, "own case (lead)", EVERYTHING, WRITE, ALLOWED),
    Row(CW, "team member (social work, full scope)", EVERYTHING, SEE, ALLOWED),
    Row(CW, "team member (social work, full scope)", OWN_RECORDS_SW, WRITE, ALLOWED),
    Row(CW, "team member (social work, full scope)", rest(OWN_RECORDS_SW), WRITE,
        writes_only(SW)),
    Row(CW, "same department, not on the team", EVERYTHING, SEE, NOT_ON_TEAM),
    Row(CW, "same department, not on the team", EVERYTHING, WRITE, NOT_ON_TEAM),
    Row(CW, "other department", EVERYTHING, SEE, NOT_ON_TEAM),
    Row(CW, "other department", EVERYTHING, WRITE, NOT_ON_TEAM),
    Row(CW, "other centre", EVERYTHING, SEE, NOT_ON_TEAM),
    Row(CW, "other centre", EVERYTHING, WRITE, NOT_ON_TEAM),
    Row(CW, "former lead, after handing over and leaving", EVERYTHING, SEE, LEFT),
    Row(CW, "former lead, after handing over and leaving", EVERYTHING, WRITE, LEFT),
    Row(CW, "own case after consent withdrawn", EVERYTHING, SEE, ALLOWED),
    Row(CW, "own case after consent withdrawn", rest(_records(SW, LAW, PSY),
        (Target(K.TEAM),)), WRITE, ALLOWED),
    Row(CW, "own case after consent withdrawn", (*_records(SW, LAW, PSY), Target(K.TEAM)),
        WRITE, NO_CONSENT),
    Row(CW, "team member after consent withdrawn", EVERYTHING, SEE, consent_does_not_cover(SW)),
    Row(CW, "team member after consent withdrawn", EVERYTHING, WRITE,
        consent_does_not_cover(SW)),
    Row(CW, "during break-the-glass (other department)", EVERYTHING, SEE, ALLOWED),
    Row(CW, "during break-the-glass (other department)", NOTES, WRITE, ALLOWED),
    Row(CW, "during break-the-glass (other department)", rest(NOTES), WRITE, GLASS_WRITES),
    Row(CW, "after break-the-glass was ended", EVERYTHING, SEE, NOT_ON_TEAM),
    Row(CW, "after break-the-glass was ended", EVERYTHING, WRITE, NOT_ON_TEAM),
    Row(CW, "after break-the-glass expired", EVERYTHING, SEE, NOT_ON_TEAM),
    Row(CW, "after break-the-glass expired", EVERYTHING, WRITE, NOT_ON_TEAM),
    # -- specialist: the summary and plan, and their discipline's records --------------
    Row(SP, "team member (law, summary scope)", (*SUMMARY_SCOPE, *_records(LAW)), SEE, ALLOWED),
    Row(SP, "team member (law, summary scope)", rest(SUMMARY_SCOPE, _records(LAW)), SEE,
        SUMMARY_ONLY),
    Row(SP, "team member (law, summary scope)", _records(LAW), WRITE, ALLOWED),
    Row(SP, "team member (law, summary scope)", rest(_records(LAW)), WRITE, writes_only(LAW)),
    Row(SP, "team member (psychology, full scope)", EVERYTHING, SEE, ALLOWED),
    Row(SP, "team member (psychology, full scope)", _records(PSY), WRITE, ALLOWED),
    Row(SP, "team member (psychology, full scope)", rest(_records(PSY)), WRITE,
        writes_only(PSY)),
    Row(SP, "not on the team", EVERYTHING, SEE, NOT_ON_TEAM),
    Row(SP, "not on the team", EVERYTHING, WRITE, NOT_ON_TEAM),
    Row(SP, "removed from the team", EVERYTHING, SEE, NOT_ON_TEAM),
    Row(SP, "removed from the team", EVERYTHING, WRITE, NOT_ON_TEAM),
    Row(SP, "team member who has left", EVERYTHING, SEE, LEFT),
    Row(SP, "team member who has left", EVERYTHING, WRITE, LEFT),
    Row(SP, "team member after consent withdrawn (law)", EVERYTHING, SEE,
        consent_does_not_cover(LAW)),
    Row(SP, "team member after consent withdrawn (law)", EVERYTHING, WRITE,
        consent_does_not_cover(LAW)),
    Row(SP, "during break-the-glass (not on the team)", EVERYTHING, SEE, ALLOWED),
    Row(SP, "during break-the-glass (not on the team)", NOTES, WRITE, ALLOWED),
    Row(SP, "during break-the-glass (not on the team)", rest(NOTES), WRITE, GLASS_WRITES),
    # -- department head: the department's cases --------------------------------------
    Row(DH, "head of the case's department", EVERYTHING, SEE, ALLOWED),
    Row(DH, "head of the case's department", LEAD_RECORDS, WRITE, ALLOWED),
    Row(DH, "head of the case's department", rest(LEAD_RECORDS), WRITE, HEAD_WRITES),
    Row(DH, "head of another department", EVERYTHING, SEE, OTHER_DEPARTMENT),
    Row(DH, "head of another department", EVERYTHING, WRITE, OTHER_DEPARTMENT),
    Row(DH, "head of a department in another centre", EVERYTHING, SEE, OTHER_DEPARTMENT),
    Row(DH, "head of a department in another centre", EVERYTHING, WRITE, OTHER_DEPARTMENT),
    Row(DH, "head of the case's department, after leaving", EVERYTHING, SEE, LEFT),
    Row(DH, "head of the case's department, after leaving", EVERYTHING, WRITE, LEFT),
    Row(DH, "head of the case's department, consent withdrawn", EVERYTHING, SEE, ALLOWED),
    Row(DH, "head of the case's department, consent withdrawn", rest((Target(K.TEAM),),
        rest(LEAD_RECORDS)), WRITE, ALLOWED),
    Row(DH, "head of the case's department, consent withdrawn", (Target(K.TEAM),), WRITE,
        NO_CONSENT),
    Row(DH, "head of the case's department, consent withdrawn", rest(LEAD_RECORDS), WRITE,
        HEAD_WRITES),
    # -- supervisor: supervisees' cases, read-only -------------------------------------
    Row(SV, "supervisor of the lead caseworker", EVERYTHING, SEE, ALLOWED),
    Row(SV, "supervisor of the lead caseworker", EVERYTHING, WRITE, SUPERVISOR_WRITES),
    Row(SV, "supervisor of a team member (law)", EVERYTHING, SEE, ALLOWED),
    Row(SV, "supervisor of a team member (law)", EVERYTHING, WRITE, SUPERVISOR_WRITES),
    Row(SV, "supervisor of nobody on the case", EVERYTHING, SEE, NOT_SUPERVISED),
    Row(SV, "supervisor of nobody on the case", EVERYTHING, WRITE, NOT_SUPERVISED),
    Row(SV, "supervision of the lead ended today", EVERYTHING, SEE, NOT_SUPERVISED),
    Row(SV, "supervision of the lead ended today", EVERYTHING, WRITE, NOT_SUPERVISED),
    Row(SV, "supervisor of the lead, after leaving", EVERYTHING, SEE, LEFT),
    Row(SV, "supervisor of the lead, after leaving", EVERYTHING, WRITE, LEFT),
    # -- centre director: the whole centre, read-only ----------------------------------
    Row(CD, "director of the case's centre", EVERYTHING, SEE, ALLOWED),
    Row(CD, "director of the case's centre", EVERYTHING, WRITE, DIRECTOR_WRITES),
    Row(CD, "director of another centre", EVERYTHING, SEE, OTHER_CENTRE),
    Row(CD, "director of another centre", EVERYTHING, WRITE, OTHER_CENTRE),
    Row(CD, "director of the case's centre, after leaving", EVERYTHING, SEE, LEFT),
    Row(CD, "director of the case's centre, after leaving", EVERYTHING, WRITE, LEFT),
    # -- compliance reviewer: everything, read-only ------------------------------------
    Row(CR, "any case", EVERYTHING, SEE, ALLOWED),
    Row(CR, "any case", EVERYTHING, WRITE, REVIEWER_WRITES),
    Row(CR, "any case, consent withdrawn", EVERYTHING, SEE, ALLOWED),
    Row(CR, "any case, consent withdrawn", EVERYTHING, WRITE, REVIEWER_WRITES),
    Row(CR, "after leaving", EVERYTHING, SEE, LEFT),
    Row(CR, "after leaving", EVERYTHING, WRITE, LEFT),
    # -- administrator: no case content by default -------------------------------------
    Row(AD, "any case", EVERYTHING, SEE, ADMIN),
    Row(AD, "any case", EVERYTHING, WRITE, ADMIN),
    Row(AD, "refused when breaking the glass", EVERYTHING, SEE, ADMIN),
    Row(AD, "refused when breaking the glass", EVERYTHING, WRITE, ADMIN),
    Row(AD, "after leaving", EVERYTHING, SEE, LEFT),
    Row(AD, "after leaving", EVERYTHING, WRITE, LEFT),
]
# fmt: on

WHO = sorted({(row.role, row.situation) for row in TABLE})


class Entry(NamedTuple):
    """One parametrised case of the table: a row, for one target."""

    role: Role
    situation: str
    target: Target
    action: Action
    expected: str | Refused


ENTRIES = [
    Entry(row.role, row.situation, target, row.action, row.expected)
    for row in TABLE
    for target in row.targets
]


EXPECTED = {(e.role, e.situation, e.target, e.action): e.expected for e in ENTRIES}


def _param(entry: Entry) -> object:
    return pytest.param(
        entry, id=f"{entry.role.value}-{entry.situation}-{entry.target}-{entry.action.value}"
    )


# -- the situations, built once per backend --------------------------------------------


@dataclass
class World:
    store: Casework
    lead: Actor
    admin: Actor
    centre_id: UUID
    family_id: UUID
    # (role, situation) → who acts, on which case.
    who: dict[tuple[Role, str], tuple[Actor, UUID]] = field(default_factory=dict)
    newcomers: Iterator[int] = field(default_factory=itertools.count)
    reads: "dict[tuple[Role, str], Read]" = field(default_factory=dict)

    def case(self, case_id: UUID) -> Case:
        """The stored case as it is, unfiltered (the test's own inspection)."""
        case = self.store.repository.get(case_id)
        assert isinstance(case, Case)
        return case

    def version(self, case_id: UUID) -> int:
        """The case's stored version (its last event), without loading it."""
        (last,) = self.store.recorder.select_events(case_id, desc=True, limit=1)
        return last.originator_version


def _goal(responsible: UUID) -> PlannedGoal:
    return PlannedGoal(
        goal_id=uuid4(),
        title="孩子安全上学 the son goes to school safely",
        interventions=["weekly contact with the school"],
        discipline=SW,
        responsible_id=responsible,
        target_date=date(2027, 6, 30),
        review_date=date(2027, 3, 1),
    )


def _rating(discipline: Discipline) -> list[RatedDomain]:
    domain = {SW: AssessmentDomain.FAMILY, LAW: AssessmentDomain.LEGAL}.get(
        discipline, AssessmentDomain.MENTAL_HEALTH
    )
    return [RatedDomain(domain=domain, rating=3, narrative=f"{discipline.value} concerns noted")]


def _build(store: Casework) -> World:
    centre = family_centre(store)
    admin = centre.administrator

    def person(
        name: str,
        role: Role,
        discipline: Discipline = SW,
        department: UUID | None = centre.family_id,
        centre_id: UUID = centre.centre_id,
    ) -> Actor:
        return in_post(store, admin, centre_id, name, role, discipline, department)

    other_centre = store.add_centre(
        admin, AddCentre(name="番禺家综 Panyu Family Centre", district="番禺区")
    )
    other_family = store.add_department(
        admin, AddDepartment(centre_id=other_centre, name="家庭部 Family (Panyu)")
    )
    youth = centre.youth_id
    world = World(store, centre.worker, admin, centre.centre_id, centre.family_id)

    leaving_lead = person("离职社工 Leaving Lead", CW)
    co_worker = person("何敏 He Min", CW)
    leaving_lawyer = person("离职律师 Leaving Lawyer", SP, LAW)
    removed_psychologist = person("调离心理师 Removed Psychologist", SP, PSY)
    doctor = person("林医生 Dr Lin", SP, Discipline.MEDICINE)
    glass_specialist = person("值班心理师 Psychologist on Duty", SP, PSY, youth)
    youth_worker = person("青少年社工 Youth Worker", CW, department=youth)
    on_duty = person("值班社工 Worker on Duty", CW, department=youth)
    glass_ended = person("已结束 Glass Ended", CW, department=youth)
    glass_expired = person("已过期 Glass Expired", CW, department=youth)
    youth_head = person("青少年部主管 Youth Head", DH, department=youth)
    leaving_head = person("离职主管 Leaving Head", DH)
    other_worker = person(
        "番禺社工 Panyu Worker", CW, department=other_family, centre_id=other_centre
    )
    other_head = person("番禺主管 Panyu Head", DH, department=other_family, centre_id=other_centre)
    other_director = person("番禺主任 Panyu Director", CD, department=None, centre_id=other_centre)
    leaving_director = person("离职主任 Leaving Director", CD, department=None)
    law_supervisor = person("Prof Chan", SV, department=None)
    idle_supervisor = person("Ms Lee", SV, department=None)
    ended_supervisor = person("Mr Wong", SV, department=None)
    leaving_supervisor = person("Dr Leung", SV, department=None)
    leaving_reviewer = person("Former Auditor", CR, department=None)
    leaving_admin = person("Former IT", AD, discipline=Discipline.OTHER, department=None)
    glass_admin = person("IT On Duty", AD, discipline=Discipline.OTHER, department=None)
    start = date(2026, 1, 1)
    for supervisee, supervisor in [
        (centre.lawyer, law_supervisor),
        (centre.second_worker, idle_supervisor),
        (centre.worker, ended_supervisor),
        (centre.worker, leaving_supervisor),
    ]:
        store.assign_supervisor(
            admin,
            supervisee.staff_id,
            AssignSupervisor(supervisor_id=supervisor.staff_id, starts_on=start),
        )
    today = datetime.now(UTC).date()
    store.end_supervision(admin, centre.worker.staff_id, ended_supervisor.staff_id, today)

    def open_case(by: Actor, id_number: str) -> UUID:
        return store.open_case(
            by,
            OpenCase(
                clients=[family_client(id_number=id_number)],
                presenting_problem="婚姻冲突，担心孩子 marital conflict; worried about her son",
                referral_source=ReferralSource.COMMUNITY_COMMITTEE,
                department_id=centre.family_id,
                lead_worker_id=by.staff_id,
                risk_level=RiskLevel.MEDIUM,
                consent=RecordConsent(given=True, on=date(2026, 3, 1), disciplines=[SW, LAW, PSY]),
            ),
        )

    def fill(case_id: UUID, team: list[tuple[Actor, Discipline, TeamScope]]) -> None:
        """A team, a note and an assessment in each discipline, a plan, a closure
        (then reopened): every kind of record exists, so each is shown or withheld."""
        lead = centre.worker
        for member, discipline, scope in team:
            join_team(store, lead, case_id, member, discipline, scope)
        for author, discipline in ((lead, SW), (centre.lawyer, LAW), (centre.psychologist, PSY)):
            write_note(
                store,
                author,
                case_id,
                f"{discipline.value} session",
                NoteKind.OFFICE_INTERVIEW,
                45,
                discipline=discipline,
            )
            store.record_assessment(
                author,
                case_id,
                RecordAssessment(
                    discipline=discipline, domains=_rating(discipline), summary="assessed"
                ),
            )
        store.propose_plan(lead, case_id, ProposePlan(goals=[_goal(lead.staff_id)]))
        _close_and_reopen(world, case_id)

    # Case A: opened by a caseworker who hands it over to the centre's caseworker and
    # leaves; a team in three disciplines; one member removed, one who leaves.
    case_a = open_case(leaving_lead, "440105198803120026")
    store.hand_over_case(
        leaving_lead,
        case_a,
        HandOverCase(to_staff_id=centre.worker.staff_id, reason="moving to Panyu"),
    )
    store.staff_leaves(admin, leaving_lead.staff_id, RecordLeaving(on=today))
    fill(
        case_a,
        [
            (co_worker, SW, TeamScope.FULL),
            (centre.lawyer, LAW, TeamScope.SUMMARY),
            (centre.psychologist, PSY, TeamScope.FULL),
            (leaving_lawyer, LAW, TeamScope.SUMMARY),
            (removed_psychologist, PSY, TeamScope.FULL),
        ],
    )
    store.remove_team_member(
        centre.worker,
        case_a,
        RemoveTeamMember(
            staff_id=removed_psychologist.staff_id, discipline=PSY, reason="moved to the youth team"
        ),
    )
    for leaver in (leaving_lawyer, leaving_head, leaving_director, leaving_supervisor,
                   leaving_reviewer, leaving_admin):  # fmt: skip
        store.staff_leaves(admin, leaver.staff_id, RecordLeaving(on=today))
    for holder in (on_duty, glass_specialist):
        store.break_the_glass(
            holder, case_a, BreakTheGlass(reason="night call: the client is in danger")
        )
    with pytest.raises(AdministratorsSeeNoCaseContent):
        store.break_the_glass(
            glass_admin, case_a, BreakTheGlass(reason="night call: the client is in danger")
        )
    grant = store.break_the_glass(glass_ended, case_a, BreakTheGlass(reason="night call, resolved"))
    store.end_emergency_access(case_a, glass_ended, grant)
    six_hours_ago = datetime.now(UTC) - timedelta(hours=6)
    store.break_the_glass(
        glass_expired,
        case_a,
        BreakTheGlass(reason="last night's call", hours=1, occurred_at=six_hours_ago),
    )

    # Case B: the same team, then the client withdraws consent.
    case_b = open_case(centre.worker, "440105199001010011")
    fill(
        case_b,
        [
            (co_worker, SW, TeamScope.FULL),
            (centre.lawyer, LAW, TeamScope.SUMMARY),
            (centre.psychologist, PSY, TeamScope.FULL),
        ],
    )
    store.record_consent(centre.worker, case_b, RecordConsent(given=False, on=today))

    world.who = {
        (CW, "own case (lead)"): (centre.worker, case_a),
        (CW, "team member (social work, full scope)"): (co_worker, case_a),
        (CW, "same department, not on the team"): (centre.second_worker, case_a),
        (CW, "other department"): (youth_worker, case_a),
        (CW, "other centre"): (other_worker, case_a),
        (CW, "former lead, after handing over and leaving"): (leaving_lead, case_a),
        (CW, "own case after consent withdrawn"): (centre.worker, case_b),
        (CW, "team member after consent withdrawn"): (co_worker, case_b),
        (CW, "during break-the-glass (other department)"): (on_duty, case_a),
        (CW, "after break-the-glass was ended"): (glass_ended, case_a),
        (CW, "after break-the-glass expired"): (glass_expired, case_a),
        (SP, "team member (law, summary scope)"): (centre.lawyer, case_a),
        (SP, "team member (psychology, full scope)"): (centre.psychologist, case_a),
        (SP, "not on the team"): (doctor, case_a),
        (SP, "removed from the team"): (removed_psychologist, case_a),
        (SP, "team member who has left"): (leaving_lawyer, case_a),
        (SP, "team member after consent withdrawn (law)"): (centre.lawyer, case_b),
        (SP, "during break-the-glass (not on the team)"): (glass_specialist, case_a),
        (DH, "head of the case's department"): (centre.head, case_a),
        (DH, "head of another department"): (youth_head, case_a),
        (DH, "head of a department in another centre"): (other_head, case_a),
        (DH, "head of the case's department, after leaving"): (leaving_head, case_a),
        (DH, "head of the case's department, consent withdrawn"): (centre.head, case_b),
        (SV, "supervisor of the lead caseworker"): (centre.supervisor, case_a),
        (SV, "supervisor of a team member (law)"): (law_supervisor, case_a),
        (SV, "supervisor of nobody on the case"): (idle_supervisor, case_a),
        (SV, "supervision of the lead ended today"): (ended_supervisor, case_a),
        (SV, "supervisor of the lead, after leaving"): (leaving_supervisor, case_a),
        (CD, "director of the case's centre"): (centre.director, case_a),
        (CD, "director of another centre"): (other_director, case_a),
        (CD, "director of the case's centre, after leaving"): (leaving_director, case_a),
        (CR, "any case"): (centre.reviewer, case_a),
        (CR, "any case, consent withdrawn"): (centre.reviewer, case_b),
        (CR, "after leaving"): (leaving_reviewer, case_a),
        (AD, "any case"): (centre.administrator, case_a),
        (AD, "refused when breaking the glass"): (glass_admin, case_a),
        (AD, "after leaving"): (leaving_admin, case_a),
    }
    assert sorted(world.who) == WHO, "every (role, situation) of the table is built"
    return world


def _close(world: World, case_id: UUID, by: Actor) -> UUID:
    plan = world.case(case_id).active_plan
    outcomes = (
        [OutcomeEntry(goal_id=g.goal_id, outcome=GoalOutcome.ACHIEVED) for g in plan.goals]
        if plan
        else []
    )
    return world.store.close_case(
        by,
        case_id,
        CloseCase(reason=ClosureReason.GOALS_MET, outcomes=outcomes, summary="goals met"),
    )


def _reopen_if_closed(world: World, case_id: UUID) -> None:
    if world.case(case_id).status in (CaseStatus.CLOSED, CaseStatus.CLOSING):
        world.store.reopen_case(
            world.lead, case_id, ReopenCase(reason="the client asked for more support")
        )


def _close_and_reopen(world: World, case_id: UUID) -> None:
    _close(world, case_id, world.lead)
    _reopen_if_closed(world, case_id)


def _write(world: World, by: Actor, case_id: UUID, target: Target) -> None:
    """Write one record of `target`'s kind through the command that writes it."""
    store, (kind, discipline) = world.store, target
    if kind is K.SUMMARY:
        store.rerate_risk(
            by,
            case_id,
            RerateRisk(risk_level=RiskLevel.MEDIUM, reason="re-rated at the monthly review"),
        )
    elif kind is K.CONSENT:
        consent = world.case(case_id).consent
        assert consent is not None
        store.record_consent(
            by,
            case_id,
            RecordConsent(
                given=consent.given, on=consent.on, disciplines=list(consent.disciplines)
            ),
        )
    elif kind is K.TEAM:
        newcomer = store.add_staff(
            world.admin,
            AddStaff(
                name=f"新同事 Newcomer {next(world.newcomers)}",
                centre_id=world.centre_id,
                department_id=world.family_id,
                roles=[CW],
                disciplines=[SW],
            ),
        )
        store.add_team_member(
            by, case_id, AddTeamMember(staff_id=newcomer, discipline=SW, scope=TeamScope.SUMMARY)
        )
    elif kind is K.PLAN:
        store.propose_plan(by, case_id, ProposePlan(goals=[_goal(world.lead.staff_id)]))
    elif kind is K.CLOSURE:
        _close(world, case_id, by)
    elif kind is K.NOTE:
        assert discipline is not None
        write_note(store, by, case_id, "phone call", NoteKind.PHONE, 10, discipline=discipline)
    else:
        assert discipline is not None
        store.record_assessment(
            by,
            case_id,
            RecordAssessment(
                discipline=discipline, domains=_rating(discipline), summary="re-assessed"
            ),
        )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Every situation of the table, on each backend in turn (built once per module)."""
    data: Path = tmp_path_factory.mktemp("matrix") / "data"
    env = {"CASEWORK_DATA_DIR": str(data)}
    schema = f"cw_matrix_{uuid4().hex[:12]}"
    conn = None
    if request.param == "postgres":
        try:
            conn = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as error:
            pytest.fail(f"PostgreSQL tests need {POSTGRES_URL}: {error}")
        conn.execute(f'CREATE SCHEMA "{schema}"')
        env["CASEWORK_DATABASE_URL"] = f"{POSTGRES_URL}?schema={schema}"
    store = Casework(Settings.from_env(env), MasterKey.generate("the access matrix master key"))
    try:
        yield _build(store)
    finally:
        store.close()
        if conn is not None:
            with conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


# -- what a reading shows ---------------------------------------------------------------


def _content(case: Case, target: Target) -> list[object]:
    """The records of `target` in a (possibly filtered) case."""
    kind, discipline = target
    if kind is K.NOTE or kind is K.ASSESSMENT:
        records = case.notes if kind is K.NOTE else case.assessments
        return [r for r in records.values() if r.discipline == discipline]
    return {
        K.SUMMARY: lambda: list(case.clients),
        K.CONSENT: lambda: list(case.consent_history),
        K.TEAM: lambda: list(case.team),
        K.PLAN: lambda: list(case.plan_versions),
        K.CLOSURE: lambda: list(case.closures),
    }[kind]()


def _new_access_records(
    world: World, actor: Actor, case_id: UUID, before: set[UUID]
) -> list[AccessRecord]:
    ids = world.store.access_index.find(AccessQuery(case_id=case_id, staff_id=actor.staff_id))
    return [world.store.load(i, AccessRecord, "access record") for i in ids if i not in before]


def _access_ids(world: World, actor: Actor, case_id: UUID) -> set[UUID]:
    return set(world.store.access_index.find(AccessQuery(case_id=case_id, staff_id=actor.staff_id)))


def _rule_and_reason(expected: str | Refused) -> tuple[str, str]:
    if isinstance(expected, Refused):
        return expected.rule, expected.reason
    return AccessDenied.rule, expected


def test_the_table_says_one_thing_about_every_role_situation_kind_and_action() -> None:
    seen = [(c.role, c.situation, c.target, c.action) for c in ENTRIES]
    assert len(seen) == len(set(seen)), "a (role, situation, kind, action) appears twice"
    expected = {(r, s, t, a) for r, s in WHO for t in EVERYTHING for a in Action}
    assert set(seen) == expected, "the table leaves some combination unsaid"
    assert {role for role, _ in WHO} == set(Role)


@dataclass(frozen=True)
class Read:
    """One read of a case by one person, and what it left behind: the reading or the
    refusal, the access records it added, and the case's version before and after."""

    reading: CaseReading | None
    refusal: RuleBroken | None
    records: list[AccessRecord]
    versions: tuple[int, int]


def _read(world: World, who: tuple[Role, str]) -> Read:
    """Each person reads their case once per backend; all their rows judge that read."""
    if who not in world.reads:
        actor, case_id = world.who[who]
        before, version = _access_ids(world, actor, case_id), world.version(case_id)
        reading, refusal = None, None
        try:
            reading = world.store.read_case(actor, case_id)
        except RuleBroken as error:
            refusal = error
        records = _new_access_records(world, actor, case_id, before)
        world.reads[who] = Read(reading, refusal, records, (version, world.version(case_id)))
    return world.reads[who]


@pytest.mark.parametrize("entry", [_param(c) for c in ENTRIES if c.action is SEE])
def test_reading(world: World, entry: Entry) -> None:
    actor, _ = world.who[(entry.role, entry.situation)]
    read = _read(world, (entry.role, entry.situation))
    whole = EXPECTED[entry.role, entry.situation, Target(K.SUMMARY), SEE]

    if whole != ALLOWED:
        assert entry.expected == whole, "a refused summary refuses the whole case"
        rule, reason = _rule_and_reason(whole)
        assert read.refusal is not None, f"the read was allowed: {read.reading}"
        assert (read.refusal.rule, reason in read.refusal.message) == (rule, True), (
            read.refusal.message
        )
    else:
        assert read.refusal is None, read.refusal.message
        assert read.reading is not None
        reading = read.reading
        withheld = [
            w
            for w in reading.withheld
            if (w.kind, w.discipline) == (entry.target.kind, entry.target.discipline)
        ]
        if entry.expected == ALLOWED:
            assert _content(reading.case, entry.target), f"{entry.target} is not shown"
            assert withheld == []
            assert entry.target.kind in reading.shown
        else:
            _, reason = _rule_and_reason(entry.expected)
            assert _content(reading.case, entry.target) == [], f"{entry.target} is shown"
            assert len(withheld) == 1 and withheld[0].count >= 1, reading.withheld
            assert reason in withheld[0].reason
            if entry.target.discipline is None:
                assert entry.target.kind not in reading.shown

    assert len(read.records) == 1, f"{len(read.records)} access records for one read"
    (record,) = read.records
    assert (record.actor_id, record.actor_role, record.action) == (
        actor.staff_id, actor.role, AccessAction.READ,
    )  # fmt: skip
    if whole == ALLOWED:
        assert record.outcome is AccessOutcome.ALLOWED
        if entry.expected == ALLOWED:
            assert str(entry.target.kind) in record.record_kinds
        else:
            assert _rule_and_reason(entry.expected)[1] in record.reason
    else:
        assert record.outcome is AccessOutcome.REFUSED
        assert _rule_and_reason(whole)[1] in record.reason
    assert read.versions[0] == read.versions[1], "a read changed the case"


@pytest.mark.parametrize("entry", [_param(c) for c in ENTRIES if c.action is WRITE])
def test_writing(world: World, entry: Entry) -> None:
    actor, case_id = world.who[(entry.role, entry.situation)]
    before, version = _access_ids(world, actor, case_id), world.version(case_id)
    try:
        if entry.expected == ALLOWED:
            _write(world, actor, case_id, entry.target)
            stored = list(world.store.events.get(case_id, gt=version))
            assert [(e.actor_id, e.actor_role) for e in stored] == [(actor.staff_id, actor.role)]
            assert _new_access_records(world, actor, case_id, before) == []
            return
        rule, reason = _rule_and_reason(entry.expected)
        with pytest.raises(RuleBroken) as refused:
            _write(world, actor, case_id, entry.target)
        assert (refused.value.rule, reason in refused.value.message) == (rule, True), (
            refused.value.message
        )
        assert world.version(case_id) == version, "a refused write changed the case"
        records = _new_access_records(world, actor, case_id, before)
        if entry.expected is NO_CONSENT:  # the case refused it; the access rule allowed it
            assert records == []
            return
        assert [(r.action, r.outcome) for r in records] == [
            (AccessAction.WRITE, AccessOutcome.REFUSED)
        ], "a refused write is recorded once"
        assert reason in records[0].reason
        assert records[0].actor_id == actor.staff_id
    finally:
        if entry.target.kind is K.CLOSURE:
            _reopen_if_closed(world, case_id)
