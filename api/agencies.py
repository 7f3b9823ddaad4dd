"""`/api/v1/agencies`: the register of outside agencies referrals go to. Anyone on
staff reads it; administrators, centre directors and department heads keep it (the
service layer decides)."""

from litestar import Controller, Response, get

from api.cases import NO_STORE, READS
from api.commands import ServedCasework
from api.dependencies import COMMAND_DEPENDENCIES, Asking, Service
from api.routes import command_route, read_route
from api.schemas.agencies import AgencyView, agency_view


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

    read = read_route(
        "/{agency_id:uuid}",
        operation_id="readAgency",
        summary="An agency; ETag is its version",
        read=ServedCasework.read_agency,
        view=agency_view,
    )
    register = command_route(
        "/",
        operation_id="registerAgency",
        summary="Register an outside agency",
        call=ServedCasework.register_agency,
        if_match=False,
        location="/api/v1/agencies/{record_id}",
    )
    change_details = command_route(
        "/{agency_id:uuid}/details",
        operation_id="changeAgencyDetails",
        summary="Change an agency's contact and services",
        call=ServedCasework.change_agency_details,
    )
    close = command_route(
        "/{agency_id:uuid}/closure",
        operation_id="closeAgency",
        summary="Close an agency: no new referrals go to it",
        call=ServedCasework.close_agency,
    )
