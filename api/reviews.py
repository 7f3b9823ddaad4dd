"""`/api/v1/cases/{case_id}/reviews/{record_kind}/{record_id}`: a supervisor's review of
one case record (a note, assessment, plan or closure) at its exact revision: approve
it, ask for a revision, link the revision made, read the review and its standing.

Approving and asking for a revision take no `If-Match`: the judgement pins the
record's revision and content hash itself. Each handler is one service-layer call."""

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal
from uuid import UUID

from litestar import Controller, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from api.cases import NO_STORE, READS
from api.commands import ServedCasework
from api.dependencies import COMMAND_DEPENDENCIES, Asking, Service
from api.routes import command_route, created, read_route
from api.schemas.reviews import Standing, review_view
from casework.aggregates.review import RecordKind, review_id
from casework.application.principal import Principal

# The kinds a supervisor reviews (`casework.aggregates.case.REVIEWABLE_KINDS`).
Reviewed = Literal["note", "assessment", "plan", "closure"]
# The controller's path names the reviewed record.
REVIEWED = {"case_id": UUID, "record_kind": Reviewed, "record_id": UUID}


def of_kind(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` of the service, given the path's record kind as a `RecordKind` (its
    signature, so its `command` is still the request body)."""

    @wraps(method)
    def call(
        casework: ServedCasework,
        by: Principal,
        case_id: UUID,
        kind: str,
        record_id: UUID,
        *rest: Any,
        **keywords: Any,
    ) -> Any:
        return method(casework, by, case_id, RecordKind(kind), record_id, *rest, **keywords)

    return call


def the_review(case_id: UUID, kind: str, record_id: UUID) -> UUID:
    return review_id(case_id, RecordKind(kind), record_id)


def judgement(
    path: str, *, operation_id: str, summary: str, call: Callable[..., Any]
) -> HTTPRouteHandler:
    """A supervisor's judgement of the record, `call` of the service: no `If-Match`, as
    it pins the record's revision itself; the review it writes is the one it returns."""
    return command_route(
        path,
        operation_id=operation_id,
        summary=summary,
        call=of_kind(call),
        record=created,
        if_match=False,
        ids=REVIEWED,
    )


class ReviewController(Controller):
    path = "/api/v1/cases/{case_id:uuid}/reviews/{record_kind:str}/{record_id:uuid}"
    tags = ("reviews",)
    dependencies = COMMAND_DEPENDENCIES

    read = read_route(
        "/",
        operation_id="readReview",
        summary="The review of one record (the read is recorded); ETag is its version",
        read=of_kind(ServedCasework.get_review),
        view=review_view,
        ids=REVIEWED,
    )

    @get(
        "/standing",
        operation_id="reviewStanding",
        summary='Where the record stands, e.g. "approved v3; amended since"',
        sync_to_thread=True,
        responses=READS,
    )
    def standing(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        record_kind: FromPath[Reviewed],
        record_id: FromPath[UUID],
    ) -> Response[Standing]:
        said = casework.review_standing(by, case_id, RecordKind(record_kind), record_id)
        return Response(Standing(standing=said), headers=NO_STORE)

    approve = judgement(
        "/approval",
        operation_id="approveRecord",
        summary="Approve the record as it now is",
        call=ServedCasework.approve_record,
    )
    request_revision = judgement(
        "/revision-request",
        operation_id="requestRevision",
        summary="Ask the author for a revision, with comments",
        call=ServedCasework.request_revision,
    )
    submit_revision = command_route(
        "/revision",
        operation_id="submitRevision",
        summary="Send the revision made (addendum, amendment, new plan version) for review "
        "(If-Match: the review's ETag)",
        call=of_kind(ServedCasework.submit_revision),
        record=the_review,
        ids=REVIEWED,
    )
