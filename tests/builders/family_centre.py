"""A small centre for referral, supervision and review stories: a family and an elderly
department, a caseworker, her supervisor, the two department heads, the centre director,
a legal-aid agency, an administrator, and a case with the client's consent to share
with them."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from casework.aggregates.agency import AgencyKind
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import Client, Consent, ReferralSource, RiskLevel
from casework.aggregates.discipline import Discipline
from casework.application import Casework

ADMIN = Actor(uuid4(), Role.ADMINISTRATOR)


@dataclass
class Centre:
    centre_id: UUID
    family: UUID
    elderly: UUID
    youth: UUID
    worker: Actor
    second_worker: Actor
    supervisor: Actor
    family_head: Actor
    elderly_head: Actor
    director: Actor
    legal_aid: UUID
    hospital: UUID
    administrator: Actor


def build_centre(app: Casework) -> Centre:
    """Built through the service layer, as a centre is set up for real: `ADMIN` founds
    the organisation (not on staff), sets up the centre and its administrator, who
    enrols everyone else, links supervision and registers the agencies."""
    app.found_organisation(ADMIN, "Haizhu Social Services")
    centre_id = app.add_centre(ADMIN, "Nanhua Family Integrated Service Centre")
    family = app.add_department(ADMIN, centre_id, "family")
    elderly = app.add_department(ADMIN, centre_id, "elderly")
    youth = app.add_department(ADMIN, centre_id, "youth")
    administrator = Actor(
        app.add_staff(ADMIN, "Chen Hao", centre_id, None, [Role.ADMINISTRATOR], [Discipline.OTHER]),
        Role.ADMINISTRATOR,
    )

    def join(name: str, role: Role, department: UUID | None) -> Actor:
        staff_id = app.add_staff(
            administrator, name, centre_id, department, [role], [Discipline.SOCIAL_WORK]
        )
        return Actor(staff_id, role)

    worker = join("Li Na", Role.CASEWORKER, family)
    second_worker = join("Wang Fang", Role.CASEWORKER, family)
    supervisor = join("Chan Ka-yan", Role.SUPERVISOR, None)
    family_head = join("Zhou Min", Role.DEPARTMENT_HEAD, family)
    elderly_head = join("Huang Wei", Role.DEPARTMENT_HEAD, elderly)
    director = join("Liang Jie", Role.CENTRE_DIRECTOR, None)
    for supervisee in (worker, second_worker):
        app.assign_supervisor(
            administrator, supervisee.staff_id, supervisor.staff_id, date(2025, 1, 1)
        )
    legal_aid = app.register_agency(
        administrator,
        "Haizhu Legal Aid Office",
        AgencyKind.LEGAL_AID,
        "020-1234 5678",
        ["legal advice"],
    )
    hospital = app.register_agency(
        administrator, "District Hospital", AgencyKind.HEALTH, "020-8765 4321", ["geriatric care"]
    )
    return Centre(
        centre_id=centre_id,
        family=family,
        elderly=elderly,
        youth=youth,
        worker=worker,
        second_worker=second_worker,
        supervisor=supervisor,
        family_head=family_head,
        elderly_head=elderly_head,
        director=director,
        legal_aid=legal_aid,
        hospital=hospital,
        administrator=administrator,
    )


def open_family_case(
    app: Casework,
    centre: Centre,
    risk_level: RiskLevel = RiskLevel.MEDIUM,
    agencies: list[UUID] | None = None,
    departments: list[UUID] | None = None,
    by: Actor | None = None,
) -> UUID:
    """A case in the family department, with consent to share with the elderly
    department and legal aid (unless told otherwise)."""
    worker = by or centre.worker
    return app.open_case(
        worker,
        [Client(uuid4(), "Chen Mei")],
        "an elderly mother cared for by a daughter in a marriage dispute",
        ReferralSource.COMMUNITY_COMMITTEE,
        centre.family,
        worker.staff_id,
        risk_level=risk_level,
        risk_rationale="threats of violence" if risk_level.needs_supervisor_approval else "",
        consent=Consent(
            given=True,
            on=date(2026, 3, 1),
            disciplines=[Discipline.SOCIAL_WORK, Discipline.LAW, Discipline.PSYCHOLOGY],
            agency_ids=[centre.legal_aid] if agencies is None else agencies,
            department_ids=[centre.elderly] if departments is None else departments,
        ),
    )
