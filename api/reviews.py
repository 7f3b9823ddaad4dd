"""`/api/v1/cases/{case_id}/reviews/{record_kind}/{record_id}`: a supervisor's review of
one case record (a note, assessment, plan or closure) at its exact revision: approve
it, ask for a revision, link the revision made, read the review and its standing.

Approving and asking for a revision take no `If-Match`: the judgement pins the
record's revision and content hash itself. Each handler is one service-layer call."""

from typing import Literal
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from api.cases import NO_STORE, OPENS, READS, WRITES
from api.commands import etag
from api.dependencies import COMMAND_DEPENDENCIES, Asking, ExpectedVersion, Runner, Service
from api.schemas.common import Recorded
from api.schemas.reviews import (
    ReviewView,
    Standing,
    review_view,
)
from casework.aggregates.review import RecordKind, review_id
from casework.application.commands.reviews import ApproveRecord, RequestRevision, SubmitRevision

# The kinds a supervisor reviews (`casework.aggregates.case.REVIEWABLE_KINDS`).
Reviewed = Literal["note", "assessment", "plan", "closure"]


class ReviewController(Controller):
    path = "/api/v1/cases/{case_id:uuid}/reviews/{record_kind:str}/{record_id:uuid}"
    tags = ("reviews",)
    dependencies = COMMAND_DEPENDENCIES

    @get(
        "/",
        operation_id="readReview",
        summary="The review of one record (the read is recorded); ETag is its version",
        sync_to_thread=True,
        responses=READS,
    )
    def read(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        record_kind: FromPath[Reviewed],
        record_id: FromPath[UUID],
    ) -> Response[ReviewView]:
        view = review_view(casework.get_review(by, case_id, RecordKind(record_kind), record_id))
        return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})

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

    @post(
        "/approval",
        operation_id="approveRecord",
        summary="Approve the record as it now is",
        sync_to_thread=True,
        responses=OPENS,
    )
    def approve(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        record_kind: FromPath[Reviewed],
        record_id: FromPath[UUID],
        data: JSONBody[ApproveRecord],
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.approve_record(by, case_id, RecordKind(record_kind), record_id, data),
        )

    @post(
        "/revision-request",
        operation_id="requestRevision",
        summary="Ask the author for a revision, with comments",
        sync_to_thread=True,
        responses=OPENS,
    )
    def request_revision(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        record_kind: FromPath[Reviewed],
        record_id: FromPath[UUID],
        data: JSONBody[RequestRevision],
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.request_revision(
                by, case_id, RecordKind(record_kind), record_id, data
            ),
        )

    @post(
        "/revision",
        operation_id="submitRevision",
        summary="Send the revision made (addendum, amendment, new plan version) for review "
        "(If-Match: the review's ETag)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def submit_revision(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        record_kind: FromPath[Reviewed],
        record_id: FromPath[UUID],
        data: JSONBody[SubmitRevision],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        kind = RecordKind(record_kind)
        return command.run(
            review_id(case_id, kind, record_id),
            lambda: casework.submit_revision(
                by, case_id, kind, record_id, data, expected_version=expected_version
            ),
        )
