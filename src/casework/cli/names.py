"""Names for the ids the read commands print: staff from the staff directory,
departments and centres from the organisation, agencies from the register, each read
as the signed-in person (anyone on staff may). A name is shown beside its id (the id
is what the other commands take); an id nobody knows is shown as it is."""

from functools import cached_property
from uuid import UUID

from casework.aggregates.base import Actor
from casework.application import Casework
from casework.application.errors import NotFound


class Names:
    def __init__(self, app: Casework, by: Actor) -> None:
        self.app, self.by = app, by
        self._agencies: dict[UUID, str] = {}

    @cached_property
    def _staff(self) -> dict[UUID, str]:
        return {c.staff_id: c.name for c in self.app.staff_directory(self.by)}

    @cached_property
    def _units(self) -> dict[UUID, str]:
        if not self.app.has_organisation():
            return {}
        organisation = self.app.read_organisation(self.by)
        centres = {c.centre_id: c.name for c in organisation.centres}
        departments = {d.department_id: d.name for d in organisation.departments}
        return centres | departments

    def staff(self, staff_id: UUID | None) -> str:
        if staff_id is None:
            return "-"
        return self._staff.get(staff_id, str(staff_id))

    def department(self, department_id: UUID | None) -> str:
        if department_id is None:
            return "-"
        return self._units.get(department_id, str(department_id))

    def agency(self, agency_id: UUID) -> str:
        if agency_id not in self._agencies:
            try:
                self._agencies[agency_id] = self.app.read_agency(self.by, agency_id).name
            except NotFound:
                self._agencies[agency_id] = str(agency_id)
        return self._agencies[agency_id]

    def holder(self, kind: str, holder_id: UUID) -> str:
        """A referral's sender or receiver: a department or an external agency."""
        return self.agency(holder_id) if kind == "agency" else self.department(holder_id)

    def labelled(self, name: str, record_id: UUID | None) -> str:
        """`name (id)`, or the id alone when the name is not known."""
        if record_id is None:
            return "-"
        return name if name == str(record_id) else f"{name} ({record_id})"
