"""The family centre every story is told in, built through the service layer: one
centre with a family, a youth and an elderly department; one person in each role (the
family department's caseworker leads the cases, a second caseworker works beside her,
both supervised); two partner agencies; family cases with the client's consent; and the
steps every story takes in them: putting someone on staff, writing a note, adding
someone to a case team."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from casework.aggregates.agency import AgencyKind
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import (
    NoteKind,
    ReferralSource,
    RiskLevel,
    Sex,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.commands.agencies import RegisterAgency
from casework.application.commands.cases import (
    AddTeamMember,
    ClientDetails,
    HouseholdMemberDetails,
    OpenCase,
    RecordConsent,
    RecordNote,
)
from casework.application.commands.organisation import (
    AddCentre,
    AddDepartment,
    AddStaff,
    AssignSupervisor,
)

FOUNDER = Actor(uuid4(), Role.ADMINISTRATOR)
SOCIAL = Discipline.SOCIAL_WORK
SUPERVISED_FROM = date(2026, 1, 1)


@dataclass(frozen=True)
class FamilyCentre:
    centre_id: UUID
    family_id: UUID
    youth_id: UUID
    elderly_id: UUID
    worker: Actor
    second_worker: Actor
    head: Actor
    elderly_head: Actor
    supervisor: Actor
    director: Actor
    lawyer: Actor
    psychologist: Actor
    reviewer: Actor
    administrator: Actor
    legal_aid_id: UUID
    hospital_id: UUID


def family_centre(app: Casework) -> FamilyCentre:
    """As a centre is set up for real: `FOUNDER` (not on staff) founds the organisation,
    sets up the centre and its first administrator, who enrols everyone else, links
    supervision and registers the partner agencies."""
    app.found_organisation(FOUNDER, "阳光社工服务中心 Sunshine Social Work")
    centre_id = app.add_centre(
        FOUNDER, AddCentre(name="海珠家综 Haizhu Family Centre", district="海珠区")
    )
    family_id = app.add_department(
        FOUNDER, AddDepartment(centre_id=centre_id, name="家庭部 Family")
    )
    youth_id = app.add_department(
        FOUNDER, AddDepartment(centre_id=centre_id, name="青少年部 Youth")
    )
    elderly_id = app.add_department(
        FOUNDER, AddDepartment(centre_id=centre_id, name="长者部 Elderly")
    )
    enrolled_by = FOUNDER

    def person(name: str, role: Role, discipline: Discipline, department: UUID | None) -> Actor:
        return in_post(app, enrolled_by, centre_id, name, role, discipline, department)

    def agency(name: str, kind: AgencyKind, contact: str, service: str) -> UUID:
        command = RegisterAgency(name=name, kind=kind, contact=contact, services=[service])
        return app.register_agency(administrator, command)

    administrator = person("IT Admin", Role.ADMINISTRATOR, Discipline.OTHER, None)
    enrolled_by = administrator
    worker = person("陈静 Chen Jing", Role.CASEWORKER, SOCIAL, family_id)
    second_worker = person("刘洋 Liu Yang", Role.CASEWORKER, SOCIAL, family_id)
    head = person("黄丽 Huang Li", Role.DEPARTMENT_HEAD, SOCIAL, family_id)
    elderly_head = person("林伟 Lin Wei", Role.DEPARTMENT_HEAD, SOCIAL, elderly_id)
    supervisor = person("Dr Margaret Ho", Role.SUPERVISOR, SOCIAL, None)
    for supervisee in (worker, second_worker):
        app.assign_supervisor(
            administrator,
            supervisee.staff_id,
            AssignSupervisor(supervisor_id=supervisor.staff_id, starts_on=SUPERVISED_FROM),
        )
    return FamilyCentre(
        centre_id=centre_id,
        family_id=family_id,
        youth_id=youth_id,
        elderly_id=elderly_id,
        worker=worker,
        second_worker=second_worker,
        head=head,
        elderly_head=elderly_head,
        supervisor=supervisor,
        director=person("梁志强 Liang Zhiqiang", Role.CENTRE_DIRECTOR, SOCIAL, None),
        lawyer=person("周律师 Zhou Min", Role.SPECIALIST, Discipline.LAW, family_id),
        psychologist=person("吴心怡 Wu Xinyi", Role.SPECIALIST, Discipline.PSYCHOLOGY, family_id),
        reviewer=person("Audit Office", Role.COMPLIANCE_REVIEWER, SOCIAL, None),
        administrator=administrator,
        legal_aid_id=agency(
            "Haizhu Legal Aid Office", AgencyKind.LEGAL_AID, "020-1234 5678", "legal advice"
        ),
        hospital_id=agency(
            "District Hospital", AgencyKind.HEALTH, "020-8765 4321", "geriatric care"
        ),
    )


def put_on_staff(
    app: Casework,
    by: Actor,
    centre_id: UUID,
    name: str,
    roles: list[Role],
    department_id: UUID | None,
    disciplines: list[Discipline],
) -> UUID:
    """`by` (an administrator) puts someone on a centre's staff; their staff id."""
    return app.add_staff(
        by,
        AddStaff(
            name=name,
            centre_id=centre_id,
            roles=roles,
            department_id=department_id,
            disciplines=disciplines,
        ),
    )


def in_post(
    app: Casework,
    by: Actor,
    centre_id: UUID,
    name: str,
    role: Role,
    discipline: Discipline,
    department_id: UUID | None,
) -> Actor:
    """Someone put on staff in one role and one discipline, acting in that role."""
    return Actor(put_on_staff(app, by, centre_id, name, [role], department_id, [discipline]), role)


def enrol(
    app: Casework, centre: FamilyCentre, name: str, department_id: UUID | None, *roles: Role
) -> UUID:
    """The family centre's administrator puts a social worker on staff in these roles."""
    return put_on_staff(
        app, centre.administrator, centre.centre_id, name, list(roles), department_id, [SOCIAL]
    )


def family_client(
    name: str = "王芳 Wang Fang", id_number: str = "440105198803120026"
) -> ClientDetails:
    """The client as given at intake (the case gives her a client id)."""
    return ClientDetails(
        name=name,
        sex=Sex.FEMALE,
        date_of_birth=date(1988, 3, 12),
        id_number=id_number,
        phone="138 0013 8000",
        address="海珠区江南西路 12 号",
        community="江南西",
        languages=["粤语", "普通话"],
        vulnerability_flags=["domestic_violence"],
        household=[
            HouseholdMemberDetails(
                name="李明 Li Ming",
                relationship="son",
                sex=Sex.MALE,
                date_of_birth=date(2015, 6, 1),
            )
        ],
    )


def open_family_case(
    app: Casework,
    centre: FamilyCentre,
    risk_level: RiskLevel = RiskLevel.MEDIUM,
    client: ClientDetails | None = None,
    disciplines: tuple[Discipline, ...] = (Discipline.SOCIAL_WORK, Discipline.LAW),
    agencies: list[UUID] | None = None,
    departments: list[UUID] | None = None,
    by: Actor | None = None,
) -> UUID:
    """Intake of a family case led by the caseworker (or `by`), with consent given for
    social work and law and to share with legal aid and the elderly department (unless
    told otherwise)."""
    worker = by or centre.worker
    return app.open_case(
        worker,
        OpenCase(
            clients=[client or family_client()],
            presenting_problem="婚姻冲突，担心孩子 marital conflict; worried about her son",
            referral_source=ReferralSource.COMMUNITY_COMMITTEE,
            department_id=centre.family_id,
            lead_worker_id=worker.staff_id,
            risk_level=risk_level,
            risk_rationale="threats of violence at home"
            if risk_level.needs_supervisor_approval
            else "",
            consent=RecordConsent(
                given=True,
                on=date(2026, 3, 1),
                disciplines=list(disciplines),
                agency_ids=[centre.legal_aid_id] if agencies is None else agencies,
                department_ids=[centre.elderly_id] if departments is None else departments,
            ),
        ),
    )


def write_note(
    app: Casework,
    by: Actor,
    case_id: UUID,
    narrative: str,
    kind: NoteKind = NoteKind.PHONE,
    minutes: int = 5,
    discipline: Discipline = SOCIAL,
    goal_id: UUID | None = None,
    occurred_at: datetime | None = None,
) -> UUID:
    """`by` writes a case note (a five-minute phone call unless told otherwise)."""
    note = RecordNote(
        kind=kind,
        narrative=narrative,
        duration_minutes=minutes,
        occurred_at=occurred_at,
        discipline=discipline,
        goal_id=goal_id,
    )
    return app.record_note(by, case_id, note)


def join_team(
    app: Casework,
    by: Actor,
    case_id: UUID,
    member: Actor,
    discipline: Discipline,
    scope: TeamScope = TeamScope.FULL,
    ends_at: datetime | None = None,
) -> None:
    """`by` (the case's lead, as a rule) adds `member` to the case team in one discipline."""
    joins = AddTeamMember(
        staff_id=member.staff_id, discipline=discipline, scope=scope, ends_at=ends_at
    )
    app.add_team_member(by, case_id, joins)
