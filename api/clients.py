"""`/api/v1/client-searches`: find cases by a client's exact ID number, phone or name
through the blind index. A POST, so the value searched for is never in a URL or an
access log line; only the cases the searcher may see are answered, and the search is
recorded with the field searched (never the value)."""

from litestar import Controller, Response, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from api.cases import NO_STORE
from api.dependencies import Asking, Service
from api.problems import problem_responses
from api.schemas.accounts import ClientSearch, FoundCases


class ClientSearchController(Controller):
    path = "/api/v1/client-searches"
    tags = ("clients",)

    @post(
        "/",
        operation_id="findCasesByClient",
        summary="The cases you may see whose client matches exactly",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 422),
    )
    def find(
        self, casework: Service, by: Asking, data: JSONBody[ClientSearch]
    ) -> Response[FoundCases]:
        found = casework.find_cases_by_client(by, data.field, data.value)
        return Response(FoundCases(case_ids=found), status_code=HTTP_200_OK, headers=NO_STORE)
