"""Names for the ids the read commands print: staff from the staff records,
departments and centres from the organisation, agencies from their records. A
name is shown beside its id (the id is what the other commands take); an id
nobody knows is shown as it is."""

from functools import cached_property
from uuid import UUID

from casework.application import Casework
from casework.application.errors import NotFound


class Names:
    def __init__(self, app: Casework) -> None:
        self.app = app
        self._agencies: dict[UUID, str] = {}

    @cached_property
    def _staff(self) -> dict[UUID, str]:
        return {s.id: s.name for s in self.app.list_staff()}

    @cached_property
    def _units(self) -> dict[UUID, str]:
        if not self.app.has_organisation():
            return {}
        organisation = self.app.get_organisation()
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
                self._agencies[agency_id] = self.app.get_agency(agency_id).name
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
