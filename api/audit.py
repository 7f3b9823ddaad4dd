"""`/api/v1/audit-samples` and `/api/v1/ledger`: reproducible random samples of a
worker's records (ADR 0023), drawn and read by compliance reviewers and the worker's
overseers; the ledger's latest checkpoint, its verification now, and the inclusion
proof of one stored event, for compliance reviewers, centre directors and
administrators. The service layer decides; nothing here is case content."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, PathParameter

from api.cases import NO_STORE, OPENS, READS
from api.dependencies import COMMAND_DEPENDENCIES, Asking, Runner, Service
from api.problems import Problem, problem_responses
from api.schemas.audit import (
    AuditSampleBody,
    AuditSampleView,
    ReproductionView,
    VerificationView,
    audit_sample_view,
    verification_view,
)
from api.schemas.common import Recorded
from casework.application.compliance import EventProof
from casework.store.ledger import Checkpoint

PROOF = problem_responses(401, 403, 404, 409, 422, 503)


class AuditSampleController(Controller):
    path = "/api/v1/audit-samples"
    tags = ("compliance",)
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/",
        operation_id="drawAuditSample",
        summary="Draw a random sample of a worker's records in a period (the seed is "
        "recorded so the draw can be repeated)",
        sync_to_thread=True,
        responses=OPENS,
    )
    def draw(
        self, casework: Service, by: Asking, data: JSONBody[AuditSampleBody], command: Runner
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.draw_audit_sample(
                by,
                data.worker_id,
                data.period_start,
                data.period_end,
                data.size,
                data.seed,
                data.occurred_at,
            ),
            location="/api/v1/audit-samples/{record_id}",
        )

    @get(
        "/{sample_id:uuid}",
        operation_id="readAuditSample",
        summary="An audit sample: which records were drawn (recorded)",
        sync_to_thread=True,
        responses=READS,
    )
    def read(
        self, casework: Service, by: Asking, sample_id: FromPath[UUID]
    ) -> Response[AuditSampleView]:
        return Response(
            audit_sample_view(casework.get_audit_sample(by, sample_id)), headers=NO_STORE
        )

    @get(
        "/{sample_id:uuid}/reproduction",
        operation_id="reproduceAuditSample",
        summary="Draw the sample again from the case versions it recorded: the same draw?",
        sync_to_thread=True,
        responses=READS,
    )
    def reproduce(
        self, casework: Service, by: Asking, sample_id: FromPath[UUID]
    ) -> Response[ReproductionView]:
        same = casework.audit_sample_reproduces(by, sample_id)
        return Response(ReproductionView(sample_id=sample_id, reproduced=same), headers=NO_STORE)


class LedgerController(Controller):
    path = "/api/v1/ledger"
    tags = ("compliance",)

    @get(
        "/checkpoints/latest",
        operation_id="latestCheckpoint",
        summary="The latest signed checkpoint (404 before the first)",
        sync_to_thread=True,
        responses=READS,
    )
    def latest_checkpoint(self, casework: Service, by: Asking) -> Response[Checkpoint]:
        checkpoint = casework.read_latest_checkpoint(by)
        if checkpoint is None:
            raise Problem(
                404,
                "not_found",
                "no checkpoint has been signed yet",
                detail_zh="尚未签署任何检查点",
            )
        return Response(checkpoint, headers=NO_STORE)

    @get(
        "/verification",
        operation_id="verifyLedger",
        summary="The ledger verified now: every event covered, every checkpoint signed "
        "and consistent, the key log intact",
        sync_to_thread=True,
        responses=READS,
    )
    def verification(self, casework: Service, by: Asking) -> Response[VerificationView]:
        return Response(verification_view(casework.read_verification(by)), headers=NO_STORE)

    @get(
        "/proofs/{record_id:uuid}/{version:int}",
        operation_id="inclusionProof",
        summary="The inclusion proof of one stored event (a record at a version) into "
        "the latest checkpoint (409 until a checkpoint covers it)",
        sync_to_thread=True,
        responses=PROOF,
    )
    def inclusion_proof(
        self,
        casework: Service,
        by: Asking,
        record_id: FromPath[UUID],
        version: Annotated[int, PathParameter(ge=1, description="The event's version")],
    ) -> Response[EventProof]:
        return Response(casework.read_inclusion_proof(by, record_id, version), headers=NO_STORE)
