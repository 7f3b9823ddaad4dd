"""`/api/v1/agencies`: the register of outside agencies referrals go to. Anyone on
staff reads it; administrators, centre directors and department heads keep it (the
service layer decides)."""

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from api.cases import NO_STORE, OPENS, READS, WRITES
from api.commands import etag
from api.dependencies import COMMAND_DEPENDENCIES, Asking, ExpectedVersion, Runner, Service
from api.schemas.agencies import AgencyView, agency_view
from api.schemas.common import Recorded
from casework.application.commands.agencies import (
    ChangeAgencyDetails,
    CloseAgency,
    RegisterAgency,
)


class AgencyController(Controller):
    path = "/api/v1/agencies"
    tags = ("agencies",)
    dependencies = COMMAND_DEPENDENCIES

    @get(
        "/",
        operation_id="listAgencies",
        summary="The agencies of the register, in the order they were registered",
        sync_to_thread=True,
        responses=READS,
    )
    def list_agencies(self, casework: Service, by: Asking) -> Response[list[AgencyView]]:
        return Response([agency_view(a) for a in casework.list_agencies(by)], headers=NO_STORE)

    @get(
        "/{agency_id:uuid}",
        operation_id="readAgency",
        summary="An agency; ETag is its version",
        sync_to_thread=True,
        responses=READS,
    )
    def read(
        self, casework: Service, by: Asking, agency_id: FromPath[UUID]
    ) -> Response[AgencyView]:
        view = agency_view(casework.read_agency(by, agency_id))
        return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})

    @post(
        "/",
        operation_id="registerAgency",
        summary="Register an outside agency",
        sync_to_thread=True,
        responses=OPENS,
    )
    def register(
        self, casework: Service, by: Asking, data: JSONBody[RegisterAgency], command: Runner
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.register_agency(by, data),
            location="/api/v1/agencies/{record_id}",
        )

    @post(
        "/{agency_id:uuid}/details",
        operation_id="changeAgencyDetails",
        summary="Change an agency's contact and services",
        sync_to_thread=True,
        responses=WRITES,
    )
    def change_details(
        self,
        casework: Service,
        by: Asking,
        agency_id: FromPath[UUID],
        data: JSONBody[ChangeAgencyDetails],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            agency_id,
            lambda: casework.change_agency_details(by, agency_id, data, expected_version),
        )

    @post(
        "/{agency_id:uuid}/closure",
        operation_id="closeAgency",
        summary="Close an agency: no new referrals go to it",
        sync_to_thread=True,
        responses=WRITES,
    )
    def close(
        self,
        casework: Service,
        by: Asking,
        agency_id: FromPath[UUID],
        data: JSONBody[CloseAgency],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            agency_id,
            lambda: casework.close_agency(by, agency_id, data, expected_version),
        )
