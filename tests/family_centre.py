"""A small centre for referral, supervision and review stories: a family and an elderly
department, a caseworker, her supervisor, the two department heads, the centre director,
a legal-aid agency, and a case with the client's consent to share with them."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from casework.aggregates.agency import AgencyKind
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import Client, Consent, ReferralSource, RiskLevel
from casework.aggregates.discipline import Discipline
from casework.aggregates.organisation import Organisation
from casework.aggregates.staff import Staff, SupervisionLink
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


def build_centre(app: Casework) -> Centre:
    organisation = Organisation.found(ADMIN, "Haizhu Social Services")
    centre_id = organisation.add_centre(ADMIN, "Nanhua Family Integrated Service Centre")
    family = organisation.add_department(ADMIN, centre_id, "family")
    elderly = organisation.add_department(ADMIN, centre_id, "elderly")
    youth = organisation.add_department(ADMIN, centre_id, "youth")

    def join(name: str, role: Role, department: UUID | None) -> Staff:
        staff = Staff.join(ADMIN, name, centre_id, department, [role], [Discipline.SOCIAL_WORK])
        organisation.enrol_staff(ADMIN, staff.id)
        return staff

    worker = join("Li Na", Role.CASEWORKER, family)
    second_worker = join("Wang Fang", Role.CASEWORKER, family)
    supervisor = join("Chan Ka-yan", Role.SUPERVISOR, None)
    family_head = join("Zhou Min", Role.DEPARTMENT_HEAD, family)
    elderly_head = join("Huang Wei", Role.DEPARTMENT_HEAD, elderly)
    director = join("Liang Jie", Role.CENTRE_DIRECTOR, None)
    for supervisee in (worker, second_worker):
        link = SupervisionLink(supervisor.id, supervisee.id, date(2025, 1, 1))
        supervisor.start_supervision(ADMIN, link)
        supervisee.start_supervision(ADMIN, link)
    app.save(organisation, worker, second_worker, supervisor, family_head, elderly_head, director)
    legal_aid = app.register_agency(
        ADMIN, "Haizhu Legal Aid Office", AgencyKind.LEGAL_AID, "020-1234 5678", ["legal advice"]
    )
    hospital = app.register_agency(
        ADMIN, "District Hospital", AgencyKind.HEALTH, "020-8765 4321", ["geriatric care"]
    )

    def actor(staff: Staff, role: Role) -> Actor:
        return Actor(staff.id, role)

    return Centre(
        centre_id=centre_id,
        family=family,
        elderly=elderly,
        youth=youth,
        worker=actor(worker, Role.CASEWORKER),
        second_worker=actor(second_worker, Role.CASEWORKER),
        supervisor=actor(supervisor, Role.SUPERVISOR),
        family_head=actor(family_head, Role.DEPARTMENT_HEAD),
        elderly_head=actor(elderly_head, Role.DEPARTMENT_HEAD),
        director=actor(director, Role.CENTRE_DIRECTOR),
        legal_aid=legal_aid,
        hospital=hospital,
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
