"""The organisation: its centres and their departments (youth, family, elderly, …).

There is one organisation per store, so its record has a fixed id.
"""

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import msgspec

from casework.aggregates.base import Actor, Record, RuleBroken, required_text

ORGANISATION_ID = uuid5(NAMESPACE_URL, "casework:organisation")


class Centre(msgspec.Struct, frozen=True):
    centre_id: UUID
    name: str
    district: str = ""


class Department(msgspec.Struct, frozen=True):
    department_id: UUID
    centre_id: UUID
    name: str


class UnknownCentre(RuleBroken):
    rule = "unknown_centre"
    status = 404


class UnknownDepartment(RuleBroken):
    rule = "unknown_department"
    status = 404


class DuplicateName(RuleBroken):
    rule = "duplicate_name"


class Organisation(Record):
    name: str
    centres: list[Centre]
    departments: list[Department]
    staff_ids: list[UUID]

    class Founded(Record.Created):
        name: str

    def __init__(self, name: str) -> None:
        self.name = name
        self.centres = []
        self.departments = []
        self.staff_ids = []

    @staticmethod
    def create_id() -> UUID:
        return ORGANISATION_ID

    class CentreAdded(Record.Event):
        centre: Centre

        def apply(self, organisation: "Organisation") -> None:
            organisation.centres.append(self.centre)

    class DepartmentAdded(Record.Event):
        department: Department

        def apply(self, organisation: "Organisation") -> None:
            organisation.departments.append(self.department)

    class StaffEnrolled(Record.Event):
        staff_id: UUID

        def apply(self, organisation: "Organisation") -> None:
            organisation.staff_ids.append(self.staff_id)

    def centre(self, centre_id: UUID) -> Centre:
        found = next((c for c in self.centres if c.centre_id == centre_id), None)
        if found is None:
            raise UnknownCentre(f"no centre {centre_id} in the organisation")
        return found

    def department(self, department_id: UUID) -> Department:
        found = next((d for d in self.departments if d.department_id == department_id), None)
        if found is None:
            raise UnknownDepartment(f"no department {department_id} in the organisation")
        return found

    def departments_of(self, centre_id: UUID) -> list[Department]:
        return [d for d in self.departments if d.centre_id == centre_id]

    @classmethod
    def found(cls, by: Actor, name: str, occurred_at: datetime | None = None) -> "Organisation":
        return cls.start(cls.Founded, by, occurred_at, name=required_text("name", name))

    def add_centre(
        self, by: Actor, name: str, district: str = "", occurred_at: datetime | None = None
    ) -> UUID:
        name = required_text("centre name", name)
        if any(c.name == name for c in self.centres):
            raise DuplicateName(f"there is already a centre called {name!r}")
        centre = Centre(uuid4(), name, district.strip())
        self.record(self.CentreAdded, by, occurred_at, centre=centre)
        return centre.centre_id

    def add_department(
        self, by: Actor, centre_id: UUID, name: str, occurred_at: datetime | None = None
    ) -> UUID:
        self.centre(centre_id)
        name = required_text("department name", name)
        if any(d.name == name for d in self.departments_of(centre_id)):
            raise DuplicateName(f"the centre already has a department called {name!r}")
        department = Department(uuid4(), centre_id, name)
        self.record(self.DepartmentAdded, by, occurred_at, department=department)
        return department.department_id

    def enrol_staff(self, by: Actor, staff_id: UUID, occurred_at: datetime | None = None) -> None:
        self.record(self.StaffEnrolled, by, occurred_at, staff_id=staff_id)
