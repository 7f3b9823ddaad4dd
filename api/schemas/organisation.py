"""The organisation, its staff and their supervision schedules."""

from datetime import date
from uuid import UUID

import msgspec

from api.schemas.common import shown_as
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
    return shown_as(OrganisationView, organisation)


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
    return shown_as(StaffView, staff, staff_id=staff.id)


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
    return shown_as(ScheduleView, schedule, due_on=schedule.due_on())


class DueView(msgspec.Struct, kw_only=True, frozen=True):
    """`due_on` null: never supervised and no policy set (due now)."""

    staff_id: UUID
    name: str
    last_supervised_on: date | None
    due_on: date | None
    overdue: bool


def due_view(due: SupervisionDue, on: date) -> DueView:
    return shown_as(DueView, due, overdue=due.is_overdue(on))
