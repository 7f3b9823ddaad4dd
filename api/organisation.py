"""`/api/v1/organisation` and `/api/v1/staff`: the organisation's centres and
departments, its staff and who supervises whom, staff leaving, and how often each
person is supervised. Each handler is one service-layer call with the principal: the
service decides (organisation records are the administrators', and a centre director
keeps their own centre's; a staff record is read by its person and those who oversee
them) and records refusals."""

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get
from litestar.params import QueryParameter

from api.cases import NO_STORE, READS
from api.commands import ServedCasework
from api.dependencies import COMMAND_DEPENDENCIES, Asking, Service
from api.routes import command_route, created, read_route
from api.schemas.organisation import (
    DueView,
    StaffView,
    due_view,
    organisation_view,
    schedule_view,
    staff_view,
)
from casework.aggregates.base import now
from casework.aggregates.organisation import ORGANISATION_ID
from casework.application.organisation import Colleague


def the_organisation() -> UUID:
    """Centres and departments are written to the one organisation record."""
    return ORGANISATION_ID


class OrganisationController(Controller):
    path = "/api/v1/organisation"
    tags = ("organisation",)
    dependencies = COMMAND_DEPENDENCIES

    read = read_route(
        "/",
        operation_id="readOrganisation",
        summary="The organisation's centres and departments (anyone on staff); ETag is its version",
        read=ServedCasework.read_organisation,
        view=organisation_view,
    )
    add_centre = command_route(
        "/centres",
        operation_id="addCentre",
        summary="Add a centre (administrators); `created_id` is the centre",
        call=ServedCasework.add_centre,
        record=the_organisation,
    )
    add_department = command_route(
        "/departments",
        operation_id="addDepartment",
        summary="Add a department to a centre (administrators, the centre's director); "
        "`created_id` is the department",
        call=ServedCasework.add_department,
        record=the_organisation,
    )


class StaffController(Controller):
    path = "/api/v1/staff"
    tags = ("organisation",)
    dependencies = COMMAND_DEPENDENCIES

    @get(
        "/",
        operation_id="listStaff",
        summary="The staff records you may read (yours, and those of the people you "
        "oversee; administrators and compliance reviewers: everyone)",
        sync_to_thread=True,
        responses=READS,
    )
    def list_staff(self, casework: Service, by: Asking) -> Response[list[StaffView]]:
        views = [staff_view(s) for s in casework.read_staff_list(by)]
        return Response(views, headers=NO_STORE)

    @get(
        "/directory",
        operation_id="staffDirectory",
        summary="Everyone on staff by name, role, discipline and place (anyone on staff)",
        sync_to_thread=True,
        responses=READS,
    )
    def directory(self, casework: Service, by: Asking) -> Response[list[Colleague]]:
        return Response(casework.staff_directory(by), headers=NO_STORE)

    @get(
        "/supervision-due",
        operation_id="supervisionDue",
        summary="When each supervised person you may read about is next due, soonest first",
        sync_to_thread=True,
        responses=READS,
    )
    def supervision_due(
        self,
        casework: Service,
        by: Asking,
        on: Annotated[
            date | None, QueryParameter(description="The day to judge overdue by (today)")
        ] = None,
    ) -> Response[list[DueView]]:
        day = on or now().date()
        views = [due_view(d, day) for d in casework.supervision_due(by)]
        return Response(views, headers=NO_STORE)

    read = read_route(
        "/{staff_id:uuid}",
        operation_id="readStaff",
        summary="A staff record, if you may read it; ETag is its version",
        read=ServedCasework.read_staff,
        view=staff_view,
    )
    add = command_route(
        "/",
        operation_id="addStaff",
        summary="Add someone to a centre's staff (administrators; a centre's director, "
        "except for the roles only administrators give)",
        call=ServedCasework.add_staff,
        if_match=False,
        location="/api/v1/staff/{record_id}",
    )

    change_roles = command_route(
        "/{staff_id:uuid}/roles",
        operation_id="changeRoles",
        summary="Change someone's roles (their sessions end)",
        call=ServedCasework.change_roles,
    )

    move = command_route(
        "/{staff_id:uuid}/department",
        operation_id="moveStaff",
        summary="Move someone to another department (null: none)",
        call=ServedCasework.move_staff,
    )

    assign_supervisor = command_route(
        "/{staff_id:uuid}/supervisors",
        operation_id="assignSupervisor",
        summary="Link a supervisor to this person from a day (both records note it)",
        call=ServedCasework.assign_supervisor,
        if_match=False,
    )

    leave = command_route(
        "/{staff_id:uuid}/leaving",
        operation_id="staffLeaves",
        summary="Record someone leaving (refused, naming them, while they lead open cases)",
        call=ServedCasework.staff_leaves,
    )

    read_schedule = read_route(
        "/{staff_id:uuid}/supervision-schedule",
        operation_id="readSupervisionSchedule",
        summary="How often this person is supervised and when next",
        read=ServedCasework.get_supervision_schedule,
        view=schedule_view,
    )

    set_frequency = command_route(
        "/{staff_id:uuid}/supervision-schedule",
        operation_id="setSupervisionFrequency",
        summary="Set how often this person is supervised (administrators and those who "
        "oversee them); the record is their schedule",
        call=ServedCasework.set_supervision_frequency,
        if_match=False,
        record=created,
    )
