"""`/api/v1/organisation` and `/api/v1/staff`: the organisation's centres and
departments, its staff and who supervises whom, staff leaving, and how often each
person is supervised. Each handler is one service-layer call with the principal: the
service decides (organisation records are the administrators', and a centre director
keeps their own centre's; a staff record is read by its person and those who oversee
them) and records refusals."""

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from api.cases import NO_STORE, OPENS, READS, WRITES
from api.commands import etag
from api.dependencies import COMMAND_DEPENDENCIES, Asking, ExpectedVersion, Runner, Service
from api.schemas.common import Recorded
from api.schemas.organisation import (
    DueView,
    OrganisationView,
    ScheduleView,
    StaffView,
    due_view,
    organisation_view,
    schedule_view,
    staff_view,
)
from casework.aggregates.base import now
from casework.aggregates.organisation import ORGANISATION_ID
from casework.application.commands.organisation import (
    AddCentre,
    AddDepartment,
    AddStaff,
    AssignSupervisor,
    ChangeRoles,
    MoveStaff,
    RecordLeaving,
)
from casework.application.commands.supervision import SetSupervisionFrequency
from casework.application.organisation import Colleague


class OrganisationController(Controller):
    path = "/api/v1/organisation"
    tags = ("organisation",)
    dependencies = COMMAND_DEPENDENCIES

    @get(
        "/",
        operation_id="readOrganisation",
        summary="The organisation's centres and departments (anyone on staff); ETag is its version",
        sync_to_thread=True,
        responses=READS,
    )
    def read(self, casework: Service, by: Asking) -> Response[OrganisationView]:
        view = organisation_view(casework.read_organisation(by))
        return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})

    @post(
        "/centres",
        operation_id="addCentre",
        summary="Add a centre (administrators); `created_id` is the centre",
        sync_to_thread=True,
        responses=WRITES,
    )
    def add_centre(
        self,
        casework: Service,
        by: Asking,
        data: JSONBody[AddCentre],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            ORGANISATION_ID,
            lambda: casework.add_centre(by, data, expected_version),
        )

    @post(
        "/departments",
        operation_id="addDepartment",
        summary="Add a department to a centre (administrators, the centre's director); "
        "`created_id` is the department",
        sync_to_thread=True,
        responses=WRITES,
    )
    def add_department(
        self,
        casework: Service,
        by: Asking,
        data: JSONBody[AddDepartment],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            ORGANISATION_ID,
            lambda: casework.add_department(by, data, expected_version),
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

    @get(
        "/{staff_id:uuid}",
        operation_id="readStaff",
        summary="A staff record, if you may read it; ETag is its version",
        sync_to_thread=True,
        responses=READS,
    )
    def read(self, casework: Service, by: Asking, staff_id: FromPath[UUID]) -> Response[StaffView]:
        view = staff_view(casework.read_staff(by, staff_id))
        return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})

    @post(
        "/",
        operation_id="addStaff",
        summary="Add someone to a centre's staff (administrators; a centre's director, "
        "except for the roles only administrators give)",
        sync_to_thread=True,
        responses=OPENS,
    )
    def add(
        self, casework: Service, by: Asking, data: JSONBody[AddStaff], command: Runner
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.add_staff(by, data),
            location="/api/v1/staff/{record_id}",
        )

    @post(
        "/{staff_id:uuid}/roles",
        operation_id="changeRoles",
        summary="Change someone's roles (their sessions end)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def change_roles(
        self,
        casework: Service,
        by: Asking,
        staff_id: FromPath[UUID],
        data: JSONBody[ChangeRoles],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            staff_id,
            lambda: casework.change_roles(by, staff_id, data, expected_version),
        )

    @post(
        "/{staff_id:uuid}/department",
        operation_id="moveStaff",
        summary="Move someone to another department (null: none)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def move(
        self,
        casework: Service,
        by: Asking,
        staff_id: FromPath[UUID],
        data: JSONBody[MoveStaff],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            staff_id,
            lambda: casework.move_staff(by, staff_id, data, expected_version),
        )

    @post(
        "/{staff_id:uuid}/supervisors",
        operation_id="assignSupervisor",
        summary="Link a supervisor to this person from a day (both records note it)",
        sync_to_thread=True,
        responses=OPENS,
    )
    def assign_supervisor(
        self,
        casework: Service,
        by: Asking,
        staff_id: FromPath[UUID],
        data: JSONBody[AssignSupervisor],
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            staff_id,
            lambda: casework.assign_supervisor(by, staff_id, data),
        )

    @post(
        "/{staff_id:uuid}/leaving",
        operation_id="staffLeaves",
        summary="Record someone leaving (refused, naming them, while they lead open cases)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def leave(
        self,
        casework: Service,
        by: Asking,
        staff_id: FromPath[UUID],
        data: JSONBody[RecordLeaving],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            staff_id,
            lambda: casework.staff_leaves(by, staff_id, data, expected_version),
        )

    @get(
        "/{staff_id:uuid}/supervision-schedule",
        operation_id="readSupervisionSchedule",
        summary="How often this person is supervised and when next",
        sync_to_thread=True,
        responses=READS,
    )
    def read_schedule(
        self, casework: Service, by: Asking, staff_id: FromPath[UUID]
    ) -> Response[ScheduleView]:
        view = schedule_view(casework.get_supervision_schedule(by, staff_id))
        return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})

    @post(
        "/{staff_id:uuid}/supervision-schedule",
        operation_id="setSupervisionFrequency",
        summary="Set how often this person is supervised (administrators and those who "
        "oversee them); the record is their schedule",
        sync_to_thread=True,
        responses=OPENS,
    )
    def set_frequency(
        self,
        casework: Service,
        by: Asking,
        staff_id: FromPath[UUID],
        data: JSONBody[SetSupervisionFrequency],
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.set_supervision_frequency(by, staff_id, data),
        )
