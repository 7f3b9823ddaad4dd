"""The demo centre's organisation and people: the service society, its centre and six
departments, ~20 staff with internal and external supervisors, and the worker who
hands over his cases and leaves."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from casework.aggregates.base import Actor, Role
from casework.aggregates.case import CaseStatus
from casework.aggregates.discipline import Discipline
from casework.aggregates.staff import Staff
from casework.application import Casework
from casework.application.commands.cases import (
    HandOverCase,
)

ORGANISATION = "阳光社会工作服务社 Sunshine Social Work Services"
CENTRE = "海珠区江南中街家庭综合服务中心 Jiangnanzhong Family Integrated Service Centre"

DEPARTMENTS = {
    "youth": "青少年部 Youth",
    "family": "家庭部 Family",
    "elderly": "长者部 Elderly",
    "disability": "残障部 Disability",
    "women_children": "妇女儿童部 Women and Children",
    "volunteers": "义工部 Volunteers",
}

SW, LAW, PSY, MED, EDU = (
    Discipline.SOCIAL_WORK,
    Discipline.LAW,
    Discipline.PSYCHOLOGY,
    Discipline.MEDICINE,
    Discipline.EDUCATION,
)

# The worker who hands over his cases and leaves; the day supervision began.
LEAVER = "王磊 Wang Lei"
SUPERVISED_FROM = date(2025, 9, 1)

# (name, roles, disciplines, department key or None, external)
STAFF = [
    ("梁志强 Liang Zhiqiang", [Role.CENTRE_DIRECTOR], [SW], None, False),
    ("陈静 Chen Jing", [Role.DEPARTMENT_HEAD, Role.CASEWORKER], [SW], "family", False),
    ("刘洋 Liu Yang", [Role.CASEWORKER], [SW], "family", False),
    ("黄丽 Huang Li", [Role.CASEWORKER], [SW], "family", False),
    ("张伟 Zhang Wei", [Role.DEPARTMENT_HEAD, Role.CASEWORKER], [SW], "youth", False),
    ("李娜 Li Na", [Role.CASEWORKER], [SW, EDU], "youth", False),
    ("王磊 Wang Lei", [Role.CASEWORKER], [SW], "youth", False),
    ("赵敏 Zhao Min", [Role.DEPARTMENT_HEAD, Role.CASEWORKER], [SW], "elderly", False),
    ("孙红 Sun Hong", [Role.CASEWORKER], [SW], "elderly", False),
    ("周杰 Zhou Jie", [Role.DEPARTMENT_HEAD, Role.CASEWORKER], [SW], "disability", False),
    ("吴芳 Wu Fang", [Role.CASEWORKER], [SW], "disability", False),
    ("郑雪 Zheng Xue", [Role.DEPARTMENT_HEAD, Role.CASEWORKER], [SW], "women_children", False),
    ("冯婷 Feng Ting", [Role.CASEWORKER], [SW], "women_children", False),
    ("何伟 He Wei", [Role.DEPARTMENT_HEAD, Role.CASEWORKER], [SW], "volunteers", False),
    ("周敏律师 Zhou Min (lawyer)", [Role.SPECIALIST], [LAW], "family", False),
    ("吴心怡 Wu Xinyi (psychologist)", [Role.SPECIALIST], [PSY], "family", False),
    ("林医生 Dr Lin Hui", [Role.SPECIALIST], [MED], "elderly", False),
    ("赵老师 Zhao Qing (teacher)", [Role.SPECIALIST], [EDU], "youth", False),
    ("罗文 Luo Wen (senior social worker)", [Role.SUPERVISOR, Role.CASEWORKER], [SW], None, False),
    ("何美玲 Dr Margaret Ho (Hong Kong)", [Role.SUPERVISOR], [SW, PSY], None, True),
    ("陈伟文 Prof. Chan Wai-man (university)", [Role.SUPERVISOR], [SW], None, True),
    ("孙审计 Sun Jian (evaluation)", [Role.COMPLIANCE_REVIEWER], [Discipline.OTHER], None, False),
    ("徐磊 Xu Lei (IT)", [Role.ADMINISTRATOR], [Discipline.OTHER], None, False),
]


@dataclass(frozen=True)
class People:
    by_name: dict[str, Actor]
    leads: dict[str, list[Actor]]  # department key → who may lead its cases
    supervisor_of: dict[UUID, Actor]
    specialists: dict[Discipline, Actor]
    department_ids: dict[str, UUID]


def found_centre(app: Casework) -> People:
    """The organisation, its centre and departments, the staff and who supervises whom."""
    founder = Actor(uuid4(), Role.ADMINISTRATOR)
    app.found_organisation(founder, ORGANISATION)
    centre_id = app.add_centre(founder, CENTRE, "海珠区 Haizhu District")
    department_ids = {
        key: app.add_department(founder, centre_id, name) for key, name in DEPARTMENTS.items()
    }
    by_name: dict[str, Actor] = {}
    leads: dict[str, list[Actor]] = {key: [] for key in DEPARTMENTS}
    specialists: dict[Discipline, Actor] = {}
    for name, roles, disciplines, department, external in STAFF:
        staff_id = app.add_staff(
            founder,
            name,
            centre_id,
            department_ids[department] if department else None,
            roles,
            disciplines,
            external,
        )
        actor = Actor(staff_id, roles[0])
        by_name[name] = actor
        if department and Role.CASEWORKER in roles:
            leads[department].append(Actor(staff_id, Role.CASEWORKER))
        if roles == [Role.SPECIALIST]:
            specialists[disciplines[0]] = actor
    supervisors = [a for a in by_name.values() if a.role == Role.SUPERVISOR]
    director = by_name[STAFF[0][0]]
    supervisor_of: dict[UUID, Actor] = {}
    frontline = [a for workers in leads.values() for a in workers] + list(specialists.values())
    for n, worker in enumerate(frontline):
        supervisor = supervisors[n % len(supervisors)]
        app.assign_supervisor(director, worker.staff_id, supervisor.staff_id, SUPERVISED_FROM)
        supervisor_of[worker.staff_id] = supervisor
    return People(by_name, leads, supervisor_of, specialists, department_ids)


def people_in_store(app: Casework) -> People:
    """The cast as `found_centre` made it, read back from the store (a resumed build
    goes on with the same people)."""
    staff = {s.name: s for s in app.list_staff()}
    departments = {d.name: d.department_id for d in app.get_organisation().departments}
    department_ids = {key: departments[name] for key, name in DEPARTMENTS.items()}
    by_name: dict[str, Actor] = {}
    leads: dict[str, list[Actor]] = {key: [] for key in DEPARTMENTS}
    specialists: dict[Discipline, Actor] = {}
    for name, roles, disciplines, department, _external in STAFF:
        actor = Actor(staff[name].id, roles[0])
        by_name[name] = actor
        if department and Role.CASEWORKER in roles:
            leads[department].append(Actor(actor.staff_id, Role.CASEWORKER))
        if roles == [Role.SPECIALIST]:
            specialists[disciplines[0]] = actor
    frontline = [a for workers in leads.values() for a in workers] + list(specialists.values())
    by_id: dict[UUID, Staff] = {s.id: s for s in staff.values()}
    supervisor_of = {
        worker.staff_id: Actor(supervisor_id, Role.SUPERVISOR)
        for worker in frontline
        for supervisor_id in by_id[worker.staff_id].supervisors_on(SUPERVISED_FROM)[:1]
    }
    return People(by_name, leads, supervisor_of, specialists, department_ids)


def a_worker_leaves(app: Casework, people: People) -> None:
    """王磊 hands his open cases to 李娜 and leaves: the hand-over audit in the record."""
    leaver = people.by_name[LEAVER]
    successor = people.by_name["李娜 Li Na"]
    head = people.by_name["张伟 Zhang Wei"]
    for case_id in list(app.get_staff(leaver.staff_id).lead_case_ids):
        if app.repository.get(case_id).status != CaseStatus.CLOSED:
            app.hand_over_case(
                head,
                case_id,
                HandOverCase(
                    to_staff_id=successor.staff_id, reason="王磊离职交接 Wang Lei is leaving"
                ),
            )
    # The centre director records the leaving; the head assigned the cases.
    director = people.by_name[STAFF[0][0]]
    app.staff_leaves(leaver.staff_id, director, datetime.now(tz=UTC).date())
