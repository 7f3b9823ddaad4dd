"""A small centre for domain stories: one centre, two departments, and one person in
each role (the family department's caseworker leads the cases)."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from casework.aggregates.base import Actor, Role
from casework.aggregates.case import (
    Client,
    Consent,
    HouseholdMember,
    ReferralSource,
    RiskLevel,
    Sex,
)
from casework.aggregates.discipline import Discipline
from casework.application import Casework

FOUNDER = Actor(uuid4(), Role.ADMINISTRATOR)


@dataclass(frozen=True)
class SmallCentre:
    centre_id: UUID
    family_id: UUID
    youth_id: UUID
    worker: Actor
    second_worker: Actor
    head: Actor
    supervisor: Actor
    director: Actor
    lawyer: Actor
    psychologist: Actor
    reviewer: Actor
    administrator: Actor


def small_centre(app: Casework) -> SmallCentre:
    """Built through the service layer: the founder sets up the centre and its first
    administrator, who enrols everyone else."""
    app.found_organisation(FOUNDER, "阳光社工服务中心 Sunshine Social Work")
    centre_id = app.add_centre(FOUNDER, "海珠家综 Haizhu Family Centre", "海珠区")
    family_id = app.add_department(FOUNDER, centre_id, "家庭部 Family")
    youth_id = app.add_department(FOUNDER, centre_id, "青少年部 Youth")
    enrolled_by = FOUNDER

    def person(name: str, role: Role, discipline: Discipline, department: UUID | None) -> Actor:
        staff_id = app.add_staff(enrolled_by, name, centre_id, department, [role], [discipline])
        return Actor(staff_id, role)

    administrator = person("IT Admin", Role.ADMINISTRATOR, Discipline.OTHER, None)
    enrolled_by = administrator
    social = Discipline.SOCIAL_WORK
    centre = SmallCentre(
        centre_id=centre_id,
        family_id=family_id,
        youth_id=youth_id,
        worker=person("陈静 Chen Jing", Role.CASEWORKER, social, family_id),
        second_worker=person("刘洋 Liu Yang", Role.CASEWORKER, social, family_id),
        head=person("黄丽 Huang Li", Role.DEPARTMENT_HEAD, social, family_id),
        supervisor=person("Dr Margaret Ho", Role.SUPERVISOR, social, None),
        director=person("梁志强 Liang Zhiqiang", Role.CENTRE_DIRECTOR, social, None),
        lawyer=person("周律师 Zhou Min", Role.SPECIALIST, Discipline.LAW, family_id),
        psychologist=person("吴心怡 Wu Xinyi", Role.SPECIALIST, Discipline.PSYCHOLOGY, family_id),
        reviewer=person("Audit Office", Role.COMPLIANCE_REVIEWER, social, None),
        administrator=administrator,
    )
    app.assign_supervisor(
        administrator, centre.worker.staff_id, centre.supervisor.staff_id, date(2026, 1, 1)
    )
    return centre


def family_client(name: str = "王芳 Wang Fang", id_number: str = "440105198803120026") -> Client:
    return Client(
        client_id=uuid4(),
        name=name,
        sex=Sex.FEMALE,
        date_of_birth=date(1988, 3, 12),
        id_number=id_number,
        phone="138 0013 8000",
        address="海珠区江南西路 12 号",
        community="江南西",
        languages=["粤语", "普通话"],
        vulnerability_flags=["domestic_violence"],
        household=[HouseholdMember("李明 Li Ming", "son", Sex.MALE, date(2015, 6, 1))],
    )


def open_family_case(
    app: Casework,
    centre: SmallCentre,
    risk: RiskLevel = RiskLevel.MEDIUM,
    client: Client | None = None,
    consent: tuple[Discipline, ...] = (Discipline.SOCIAL_WORK, Discipline.LAW),
) -> UUID:
    """Intake of a family case led by the centre's caseworker, with consent given."""
    return app.open_case(
        centre.worker,
        [client or family_client()],
        "婚姻冲突，担心孩子 marital conflict; worried about her son",
        ReferralSource.COMMUNITY_COMMITTEE,
        centre.family_id,
        centre.worker.staff_id,
        risk,
        "threats of violence at home" if risk.needs_supervisor_approval else "",
        consent=Consent(given=True, on=date(2026, 3, 1), disciplines=list(consent)),
    )
