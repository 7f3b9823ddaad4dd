"""The demo centre's organisation and people: the service society, its centre and six
departments, ~20 staff with internal and external supervisors, and the worker who
hands over his cases and leaves."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from casework.aggregates.base import Actor, Role
from casework.aggregates.case import CaseStatus
from casework.aggregates.discipline import Discipline
from casework.aggregates.staff import Staff
from casework.application import Casework
from casework.application.commands.cases import HandOverCase
from casework.application.commands.organisation import (
    AddCentre,
    AddDepartment,
    AddStaff,
    AssignSupervisor,
    RecordLeaving,
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

STAFF: list["Member"] = [
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


# (name, roles, disciplines, department key or None, external): one person on a roster.
Member = tuple[str, list[Role], list[Discipline], str | None, bool]


@dataclass(frozen=True)
class People:
    by_name: dict[str, Actor]
    leads: dict[str, list[Actor]]  # department key → who may lead its cases
    supervisor_of: dict[UUID, Actor]
    specialists: dict[Discipline, Actor]
    department_ids: dict[str, UUID]
    heads: dict[UUID, Actor]  # department id → its head


def found_centre(app: Casework) -> People:
    """The organisation, its centre and departments, the staff and who supervises whom."""
    founder = Actor(uuid4(), Role.ADMINISTRATOR)
    app.found_organisation(founder, ORGANISATION)
    centre_id = app.add_centre(founder, AddCentre(name=CENTRE, district="海珠区 Haizhu District"))
    return staff_centre(app, founder, centre_id, STAFF)


def staff_centre(
    app: Casework, by: Actor, centre_id: UUID, roster: list[Member], on_staff: Sequence[Staff] = ()
) -> People:
    """A centre's departments, its staff from `roster` (its director first) and who
    supervises whom. Resumable: the departments and people (`on_staff`, by name) the
    centre has already are kept, so a centre whose staffing was interrupted is finished,
    not doubled."""
    departments = {
        d.name: d.department_id for d in app.get_organisation().departments_of(centre_id)
    }
    for name in DEPARTMENTS.values():
        if name not in departments:
            departments[name] = app.add_department(
                by, AddDepartment(centre_id=centre_id, name=name)
            )
    staff = list(on_staff)
    named = {s.name for s in staff}
    for name, roles, disciplines, department, external in roster:
        if name not in named:
            department_id = departments[DEPARTMENTS[department]] if department else None
            staff_id = app.add_staff(
                by,
                AddStaff(
                    name=name,
                    centre_id=centre_id,
                    department_id=department_id,
                    roles=roles,
                    disciplines=disciplines,
                    external=external,
                ),
            )
            staff.append(app.get_staff(staff_id))
    people = people_of(app, centre_id, roster, staff)
    director = people.by_name[roster[0][0]]
    supervisors = [a for a in people.by_name.values() if a.role == Role.SUPERVISOR]
    for n, worker in enumerate(_frontline(people)):
        if worker.staff_id not in people.supervisor_of:
            supervisor = supervisors[n % len(supervisors)]
            app.assign_supervisor(
                director,
                worker.staff_id,
                AssignSupervisor(supervisor_id=supervisor.staff_id, starts_on=SUPERVISED_FROM),
            )
            people.supervisor_of[worker.staff_id] = supervisor
    return people


def _frontline(people: People) -> list[Actor]:
    return [a for workers in people.leads.values() for a in workers] + list(
        people.specialists.values()
    )


def people_in_store(app: Casework) -> People:
    """The cast as `found_centre` made it, read back from the store (a resumed build
    goes on with the same people)."""
    centre_id = app.get_organisation().centres[0].centre_id
    return people_of(app, centre_id, STAFF, app.list_staff())


def people_of(app: Casework, centre_id: UUID, roster: list[Member], staff: list[Staff]) -> People:
    """A centre's cast as `staff_centre` made it from `roster`, read back from its
    staff records (`staff`; others' are ignored)."""
    on_staff = {s.name: s for s in staff if s.centre_id == centre_id}
    departments = {
        d.name: d.department_id for d in app.get_organisation().departments_of(centre_id)
    }
    department_ids = {key: departments[name] for key, name in DEPARTMENTS.items()}
    by_name: dict[str, Actor] = {}
    leads: dict[str, list[Actor]] = {key: [] for key in DEPARTMENTS}
    specialists: dict[Discipline, Actor] = {}
    heads: dict[UUID, Actor] = {}
    for name, roles, disciplines, department, _external in roster:
        if name not in on_staff:
            continue
        actor = Actor(on_staff[name].id, roles[0])
        by_name[name] = actor
        if department and Role.CASEWORKER in roles:
            leads[department].append(Actor(actor.staff_id, Role.CASEWORKER))
        if department and Role.DEPARTMENT_HEAD in roles:
            heads[department_ids[department]] = Actor(actor.staff_id, Role.DEPARTMENT_HEAD)
        if roles == [Role.SPECIALIST]:
            specialists[disciplines[0]] = actor
    people = People(by_name, leads, {}, specialists, department_ids, heads)
    by_id = {s.id: s for s in on_staff.values()}
    for worker in _frontline(people):
        for supervisor_id in by_id[worker.staff_id].supervisors_on(SUPERVISED_FROM)[:1]:
            people.supervisor_of[worker.staff_id] = Actor(supervisor_id, Role.SUPERVISOR)
    return people


def a_worker_leaves(app: Casework, people: People) -> None:
    """王磊 hands his open cases to 李娜 and leaves: the hand-over audit in the record."""
    leaver = people.by_name[LEAVER]
    successor = people.by_name["李娜 Li Na"]
    head = people.by_name["张伟 Zhang Wei"]
    for case_id in list(app.get_staff(leaver.staff_id).lead_case_ids):
        if app.repository.get(case_id).status != CaseStatus.CLOSED:
            reason = "王磊离职交接 Wang Lei is leaving"
            app.hand_over_case(
                head, case_id, HandOverCase(to_staff_id=successor.staff_id, reason=reason)
            )
    # The centre director records the leaving; the head assigned the cases.
    director = people.by_name[STAFF[0][0]]
    app.staff_leaves(director, leaver.staff_id, RecordLeaving(on=datetime.now(tz=UTC).date()))
