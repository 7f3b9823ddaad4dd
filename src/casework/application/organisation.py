"""Organisation commands: centres, departments, staff, who supervises whom, and staff
leaving (only once every open case they lead is handed over)."""

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from casework.access import ActorContext
from casework.aggregates.base import Actor, Role, RuleBroken, now
from casework.aggregates.case import Case, CaseStatus
from casework.aggregates.discipline import Discipline
from casework.aggregates.organisation import ORGANISATION_ID, Organisation
from casework.aggregates.staff import Staff, SupervisionLink
from casework.application.core import CaseworkCore, T


class OrganisationCommands(CaseworkCore):
    def found_organisation(self, by: Actor, name: str, occurred_at: datetime | None = None) -> UUID:
        organisation = Organisation.found(by, name, occurred_at)
        self.save(organisation)
        return organisation.id

    def has_organisation(self) -> bool:
        return bool(self.recorder.select_events(ORGANISATION_ID, limit=1))

    def get_organisation(self, version: int | None = None) -> Organisation:
        return self.load(ORGANISATION_ID, Organisation, "organisation", version)

    def add_centre(
        self,
        by: Actor,
        name: str,
        district: str = "",
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_organisation(
            expected_version, lambda o: o.add_centre(by, name, district, occurred_at)
        )

    def add_department(
        self,
        by: Actor,
        centre_id: UUID,
        name: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_organisation(
            expected_version, lambda o: o.add_department(by, centre_id, name, occurred_at)
        )

    def add_staff(
        self,
        by: Actor,
        name: str,
        centre_id: UUID,
        department_id: UUID | None,
        roles: list[Role],
        disciplines: list[Discipline],
        external: bool = False,
        occurred_at: datetime | None = None,
    ) -> UUID:
        organisation = self.get_organisation()
        organisation.centre(centre_id)
        if department_id is not None:
            organisation.department(department_id)
        staff = Staff.join(
            by, name, centre_id, department_id, roles, disciplines, external, occurred_at
        )
        organisation.enrol_staff(by, staff.id, occurred_at)
        self.save(organisation, staff)
        return staff.id

    def get_staff(self, staff_id: UUID, version: int | None = None) -> Staff:
        return self.load(staff_id, Staff, "staff member", version)

    def list_staff(self) -> list[Staff]:
        return [self.get_staff(staff_id) for staff_id in self.get_organisation().staff_ids]

    def change_roles(
        self,
        staff_id: UUID,
        by: Actor,
        roles: list[Role],
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._update_staff(
            staff_id, expected_version, lambda s: s.change_roles(by, roles, occurred_at)
        )
        self.staff_access_changed(staff_id, by)  # type: ignore[attr-defined]  # sessions end

    def move_staff(
        self,
        staff_id: UUID,
        by: Actor,
        department_id: UUID | None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        """To another department of the organisation (None: no department)."""
        if department_id is not None:
            self.get_organisation().department(department_id)
        self._update_staff(
            staff_id,
            expected_version,
            lambda s: s.move_to_department(by, department_id, occurred_at),
        )

    def assign_supervisor(
        self,
        by: Actor,
        supervisee_id: UUID,
        supervisor_id: UUID,
        starts_on: date,
        ends_on: date | None = None,
        occurred_at: datetime | None = None,
    ) -> None:
        """Internal or external (a supervisor's staff record says which)."""
        supervisee = self.get_staff(supervisee_id)
        supervisor = self.get_staff(supervisor_id)
        supervisor.require_role(Role.SUPERVISOR)
        link = SupervisionLink(supervisor_id, supervisee_id, starts_on, ends_on)
        supervisee.start_supervision(by, link, occurred_at)
        supervisor.start_supervision(by, link, occurred_at)
        self.save(supervisee, supervisor)

    def end_supervision(
        self,
        by: Actor,
        supervisee_id: UUID,
        supervisor_id: UUID,
        ends_on: date,
        occurred_at: datetime | None = None,
    ) -> None:
        supervisee = self.get_staff(supervisee_id)
        supervisor = self.get_staff(supervisor_id)
        for staff in (supervisee, supervisor):
            staff.end_supervision(by, supervisor_id, supervisee_id, ends_on, occurred_at)
        self.save(supervisee, supervisor)

    def staff_leaves(
        self,
        staff_id: UUID,
        by: Actor,
        on: date,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Refused, listing the cases, while they lead cases not yet closed (a case
        waiting for closure approval still needs its lead)."""

        def leave(staff: Staff) -> None:
            unfinished = [c for c in staff.lead_case_ids if not self._finished(c)]
            staff.leave(by, on, unfinished, occurred_at)

        self._update_staff(staff_id, expected_version, leave)
        self.staff_access_changed(staff_id, by)  # type: ignore[attr-defined]  # sessions end

    def _update_organisation(
        self, expected_version: int | None, command: Callable[[Organisation], T]
    ) -> T:
        return self.update(ORGANISATION_ID, Organisation, "organisation", expected_version, command)

    def _update_staff(
        self, staff_id: UUID, expected_version: int | None, command: Callable[[Staff], T]
    ) -> T:
        return self.update(staff_id, Staff, "staff member", expected_version, command)

    def _finished(self, case_id: UUID) -> bool:
        """Closed, or erased: either way nobody needs to take it over."""
        try:
            return self.load(case_id, Case, "case").status == CaseStatus.CLOSED
        except RuleBroken as error:
            if error.rule == "erased":
                return True
            raise

    def actor_context(self, actor: Actor, at: datetime | None = None) -> ActorContext:
        """What the access rule needs to know about someone acting in a role now."""
        staff = self.get_staff(actor.staff_id)
        staff.require_role(actor.role)
        day = (at or now()).date()
        return ActorContext(
            staff_id=staff.id,
            role=actor.role,
            centre_id=staff.centre_id,
            department_id=staff.department_id,
            supervisee_ids=frozenset(staff.supervisees_on(day)),
        )
