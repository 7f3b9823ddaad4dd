"""The organisation, its staff and their supervision schedules."""

from datetime import date
from uuid import UUID

import msgspec

from casework.aggregates.base import Role
from casework.aggregates.discipline import Discipline
from casework.aggregates.organisation import Centre, Department, Organisation
from casework.aggregates.staff import Staff, SupervisionLink
from casework.aggregates.supervision_schedule import SupervisionSchedule
from casework.application.supervision import SupervisionDue


class OrganisationView(msgspec.Struct, kw_only=True, frozen=True):
    """Its centres and departments; ETag is its version (the If-Match of adding one)."""

    name: str
    version: int
    centres: list[Centre]
    departments: list[Department]


def organisation_view(organisation: Organisation) -> OrganisationView:
    return OrganisationView(
        name=organisation.name,
        version=organisation.version,
        centres=list(organisation.centres),
        departments=list(organisation.departments),
    )


class StaffView(msgspec.Struct, kw_only=True, frozen=True):
    """A staff record; ETag is its version."""

    staff_id: UUID
    version: int
    name: str
    centre_id: UUID
    department_id: UUID | None
    roles: list[Role]
    disciplines: list[Discipline]
    external: bool
    active: bool
    left_on: date | None
    supervision: list[SupervisionLink]
    lead_case_ids: list[UUID]


def staff_view(staff: Staff) -> StaffView:
    return StaffView(
        staff_id=staff.id,
        version=staff.version,
        name=staff.name,
        centre_id=staff.centre_id,
        department_id=staff.department_id,
        roles=list(staff.roles),
        disciplines=list(staff.disciplines),
        external=staff.external,
        active=staff.active,
        left_on=staff.left_on,
        supervision=list(staff.supervision),
        lead_case_ids=list(staff.lead_case_ids),
    )


class ScheduleView(msgspec.Struct, kw_only=True, frozen=True):
    staff_id: UUID
    version: int
    every_days: int
    new_staff_every_days: int
    new_staff_months: int
    started_on: date | None
    last_supervised_on: date | None
    due_on: date


def schedule_view(schedule: SupervisionSchedule) -> ScheduleView:
    return ScheduleView(
        staff_id=schedule.staff_id,
        version=schedule.version,
        every_days=schedule.every_days,
        new_staff_every_days=schedule.new_staff_every_days,
        new_staff_months=schedule.new_staff_months,
        started_on=schedule.started_on,
        last_supervised_on=schedule.last_supervised_on,
        due_on=schedule.due_on(),
    )


class DueView(msgspec.Struct, kw_only=True, frozen=True):
    """`due_on` null: never supervised and no policy set (due now)."""

    staff_id: UUID
    name: str
    last_supervised_on: date | None
    due_on: date | None
    overdue: bool


def due_view(due: SupervisionDue, on: date) -> DueView:
    return DueView(
        staff_id=due.staff_id,
        name=due.name,
        last_supervised_on=due.last_supervised_on,
        due_on=due.due_on,
        overdue=due.is_overdue(on),
    )
