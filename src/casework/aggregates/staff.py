"""A member of staff: roles, disciplines, centre and department, who supervises them,
the open cases they lead, and whether they have left (only after handing every open case
over)."""

from datetime import date, datetime
from uuid import UUID

import msgspec

from casework.aggregates.base import Actor, InvalidValue, Record, Role, RuleBroken, required_text
from casework.aggregates.discipline import Discipline

# Roles that may lead a case.
LEAD_ROLES = (Role.CASEWORKER, Role.DEPARTMENT_HEAD)


class SupervisionLink(msgspec.Struct, frozen=True):
    """Who supervises whom, from when, until when (kept on both people's records)."""

    supervisor_id: UUID
    supervisee_id: UUID
    starts_on: date
    ends_on: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


class HandOverRequired(RuleBroken):
    rule = "hand_over_required"


class StaffHasLeft(RuleBroken):
    rule = "staff_has_left"
    status = 403  # someone who has left acts in no role


class RoleNotHeld(RuleBroken):
    rule = "role_not_held"
    status = 403


class CannotLeadCases(RuleBroken):
    rule = "cannot_lead_cases"


class SupervisionNotFound(RuleBroken):
    rule = "supervision_not_found"
    status = 404


class LeadEnded(Record.Event):
    """The case goes off their list of cases they lead (a closed case may be off it
    already)."""

    case_id: UUID

    def apply(self, staff: "Staff") -> None:
        if self.case_id in staff.lead_case_ids:
            staff.lead_case_ids.remove(self.case_id)


class Staff(Record):
    name: str
    centre_id: UUID
    department_id: UUID | None
    roles: list[Role]
    disciplines: list[Discipline]
    external: bool
    left_on: date | None
    supervision: list[SupervisionLink]
    # The cases they lead that are not closed (a case waiting for closure approval still
    # is): closing takes a case off, reopening puts it back (ADR 0013). Records written
    # before closures were noted here still list the cases closed until then.
    lead_case_ids: list[UUID]

    class Joined(Record.Created):
        name: str
        centre_id: UUID
        department_id: UUID | None
        roles: list[Role]
        disciplines: list[Discipline]
        external: bool

    def __init__(
        self,
        name: str,
        centre_id: UUID,
        department_id: UUID | None,
        roles: list[Role],
        disciplines: list[Discipline],
        external: bool,
    ) -> None:
        self.name = name
        self.centre_id = centre_id
        self.department_id = department_id
        self.roles = list(roles)
        self.disciplines = list(disciplines)
        self.external = external
        self.left_on = None
        self.supervision = []
        self.lead_case_ids = []

    class RolesChanged(Record.Event):
        roles: list[Role]

        def apply(self, staff: "Staff") -> None:
            staff.roles = list(self.roles)

    class DepartmentChanged(Record.Event):
        department_id: UUID | None

        def apply(self, staff: "Staff") -> None:
            staff.department_id = self.department_id

    class SupervisionStarted(Record.Event):
        link: SupervisionLink

        def apply(self, staff: "Staff") -> None:
            staff.supervision.append(self.link)

    class SupervisionEnded(Record.Event):
        supervisor_id: UUID
        supervisee_id: UUID
        ends_on: date

        def apply(self, staff: "Staff") -> None:
            staff.supervision = [
                msgspec.structs.replace(link, ends_on=self.ends_on)
                if link.supervisor_id == self.supervisor_id
                and link.supervisee_id == self.supervisee_id
                and link.ends_on is None
                else link
                for link in staff.supervision
            ]

    class CaseLeadTaken(Record.Event):
        case_id: UUID

        def apply(self, staff: "Staff") -> None:
            staff.lead_case_ids.append(self.case_id)

    class CaseLeadHandedOver(LeadEnded):
        to_staff_id: UUID

    class LeadCaseClosed(LeadEnded):
        """A case they lead was closed (or they took the lead of a closed case)."""

    class LeadCaseReopened(Record.Event):
        case_id: UUID

        def apply(self, staff: "Staff") -> None:
            if self.case_id not in staff.lead_case_ids:
                staff.lead_case_ids.append(self.case_id)

    class Left(Record.Event):
        on: date

        def apply(self, staff: "Staff") -> None:
            staff.left_on = self.on

    @property
    def active(self) -> bool:
        return self.left_on is None

    def supervisors_on(self, day: date) -> list[UUID]:
        return [
            link.supervisor_id
            for link in self.supervision
            if link.supervisee_id == self.id and link.in_force_on(day)
        ]

    def supervisees_on(self, day: date) -> list[UUID]:
        return [
            link.supervisee_id
            for link in self.supervision
            if link.supervisor_id == self.id and link.in_force_on(day)
        ]

    def require_role(self, role: Role) -> None:
        self.require_active()
        if role not in self.roles:
            raise RoleNotHeld(f"{self.name} does not hold the role {Role(role).value}")

    @classmethod
    def join(
        cls,
        by: Actor,
        name: str,
        centre_id: UUID,
        department_id: UUID | None,
        roles: list[Role],
        disciplines: list[Discipline],
        external: bool = False,
        occurred_at: datetime | None = None,
    ) -> "Staff":
        name = required_text("name", name)
        if not roles:
            raise InvalidValue("roles", "give at least one role")
        return cls.start(
            cls.Joined,
            by,
            occurred_at,
            name=name,
            centre_id=centre_id,
            department_id=department_id,
            roles=sorted({Role(r) for r in roles}),
            disciplines=sorted({Discipline(d) for d in disciplines}),
            external=external,
        )

    def require_active(self) -> None:
        if not self.active:
            raise StaffHasLeft(f"{self.name} left on {self.left_on}")

    def change_roles(
        self, by: Actor, roles: list[Role], occurred_at: datetime | None = None
    ) -> None:
        self.require_active()
        if not roles:
            raise InvalidValue("roles", "give at least one role")
        self.record(self.RolesChanged, by, occurred_at, roles=sorted({Role(r) for r in roles}))

    def move_to_department(
        self, by: Actor, department_id: UUID | None, occurred_at: datetime | None = None
    ) -> None:
        self.require_active()
        self.record(self.DepartmentChanged, by, occurred_at, department_id=department_id)

    def start_supervision(
        self, by: Actor, link: SupervisionLink, occurred_at: datetime | None = None
    ) -> None:
        """Record a supervision link on this person's record (call on both people)."""
        self.require_active()
        if link.supervisor_id == link.supervisee_id:
            raise InvalidValue("supervisor", "nobody supervises themselves")
        if link.ends_on is not None and link.ends_on <= link.starts_on:
            raise InvalidValue("ends_on", "must be after the start date")
        self.record(self.SupervisionStarted, by, occurred_at, link=link)

    def end_supervision(
        self,
        by: Actor,
        supervisor_id: UUID,
        supervisee_id: UUID,
        ends_on: date,
        occurred_at: datetime | None = None,
    ) -> None:
        if not any(
            link.supervisor_id == supervisor_id
            and link.supervisee_id == supervisee_id
            and link.ends_on is None
            for link in self.supervision
        ):
            raise SupervisionNotFound(f"{supervisor_id} has no open supervision of {supervisee_id}")
        self.record(
            self.SupervisionEnded,
            by,
            occurred_at,
            supervisor_id=supervisor_id,
            supervisee_id=supervisee_id,
            ends_on=ends_on,
        )

    def take_lead(
        self,
        by: Actor,
        case_id: UUID,
        occurred_at: datetime | None = None,
        *,
        closed: bool = False,
    ) -> None:
        """Lead the case from now on; a `closed` one is not listed until it is reopened."""
        self.require_active()
        if not any(role in LEAD_ROLES for role in self.roles):
            raise CannotLeadCases(f"{self.name} is not a caseworker or department head")
        self.record(self.CaseLeadTaken, by, occurred_at, case_id=case_id)
        if closed:
            self.record(self.LeadCaseClosed, by, occurred_at, case_id=case_id)

    def hand_over_lead(
        self,
        by: Actor,
        case_id: UUID,
        to_staff_id: UUID,
        occurred_at: datetime | None = None,
        *,
        closed: bool = False,
    ) -> None:
        if not closed and case_id not in self.lead_case_ids:
            raise InvalidValue("case", f"{self.name} does not lead case {case_id}")
        self.record(
            self.CaseLeadHandedOver, by, occurred_at, case_id=case_id, to_staff_id=to_staff_id
        )

    def lead_case_closed(
        self, by: Actor, case_id: UUID, occurred_at: datetime | None = None
    ) -> None:
        self.record(self.LeadCaseClosed, by, occurred_at, case_id=case_id)

    def lead_case_reopened(
        self, by: Actor, case_id: UUID, occurred_at: datetime | None = None
    ) -> None:
        """Only someone still on staff leads a case again."""
        self.require_active()
        self.record(self.LeadCaseReopened, by, occurred_at, case_id=case_id)

    def leave(
        self,
        by: Actor,
        on: date,
        open_case_ids: list[UUID],
        occurred_at: datetime | None = None,
    ) -> None:
        """Mark as left; refused while they still lead open cases (the hand-over audit:
        `open_case_ids` are those of `lead_case_ids` neither closed nor erased)."""
        self.require_active()
        if open_case_ids:
            raise HandOverRequired(
                f"{self.name} still leads {len(open_case_ids)} open "
                "case(s); hand them over first: " + ", ".join(str(c) for c in open_case_ids),
                case_ids=[str(c) for c in open_case_ids],
            )
        self.record(self.Left, by, occurred_at, on=on)
