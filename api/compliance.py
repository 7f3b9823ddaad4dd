"""`/api/v1/compliance`: a record as it stood at an instant (as recorded by casework or
as had occurred), what changed between two instants, a case's export bundle with a
proof for every event, and four-eyes erasure (requested, approved by a second person,
carried out). Each handler is one service-layer call: the service decides what the
reader may see (every look back is recorded) and who may take each erasure step."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from api.cases import GLASS, NO_STORE, OPENS, READS
from api.commands import JSON, ServedCasework
from api.dependencies import COMMAND_DEPENDENCIES, Asking, Runner, Service
from api.routes import command_route, read_route
from api.schemas.common import Recorded
from api.schemas.compliance import (
    ErasureRequestBody,
    ErasureStepBody,
    ReplayView,
    erasure_request_view,
    replay_view,
)
from casework.application.principal import Principal
from casework.compliance.diff import RecordDiff
from casework.compliance.replay import Basis

BasisName = Annotated[
    Literal["recorded", "occurred"],
    QueryParameter(
        description="`recorded`: what casework had recorded by then; "
        "`occurred`: what had happened by then"
    ),
]
BASES = {"recorded": Basis.RECORDED, "occurred": Basis.OCCURRED}
Instant = Annotated[
    datetime, QueryParameter(description="With its offset, e.g. 2026-03-01T09:00:00+08:00")
]


def at_its_time(step: Callable[..., Any]) -> Callable[..., Any]:
    """An erasure step of the service, given the body's `occurred_at`."""

    def call(
        casework: ServedCasework, by: Principal, request_id: UUID, data: ErasureStepBody
    ) -> Any:
        return step(casework, by, request_id, data.occurred_at)

    return call


class ComplianceController(Controller):
    path = "/api/v1/compliance"
    tags = ("compliance",)
    dependencies = COMMAND_DEPENDENCIES

    @get(
        "/records/{record_id:uuid}/as-of",
        operation_id="replayRecord",
        summary="A record as it stood at an instant, as you may see it (recorded)",
        sync_to_thread=True,
        responses=READS,
    )
    def replay(
        self,
        casework: Service,
        by: Asking,
        record_id: FromPath[UUID],
        at: Instant,
        basis: BasisName = "recorded",
    ) -> Response[ReplayView]:
        replay = casework.replay(by, record_id, at, BASES[basis])
        return Response(replay_view(replay), headers=NO_STORE)

    @get(
        "/records/{record_id:uuid}/diff",
        operation_id="diffRecord",
        summary="What changed in a record between two instants (recorded)",
        sync_to_thread=True,
        responses=READS,
    )
    def diff(
        self,
        casework: Service,
        by: Asking,
        record_id: FromPath[UUID],
        since: Instant,
        until: Instant,
        basis: BasisName = "recorded",
    ) -> Response[RecordDiff]:
        changes = casework.diff_record(by, record_id, since, until, BASES[basis])
        return Response(changes, headers=NO_STORE)

    @get(
        "/cases/{case_id:uuid}/export",
        operation_id="exportCase",
        summary="The case's export bundle: its decrypted timeline with a proof for every "
        "event, signed (compliance reviewers and the case's centre director; recorded)",
        sync_to_thread=True,
        responses=READS,
    )
    def export(
        self, casework: Service, by: Asking, case_id: FromPath[UUID]
    ) -> Response[dict[str, Any]]:
        bundle = casework.export_case(by, case_id)
        return Response(bundle.encode(), media_type=JSON, headers=NO_STORE)  # type: ignore[arg-type]

    @post(
        "/cases/{case_id:uuid}/erasure-requests",
        operation_id="requestErasure",
        summary="Ask for the case to be erased (the first of four eyes)",
        sync_to_thread=True,
        responses=OPENS,
    )
    def request_erasure(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[ErasureRequestBody],
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.request_erasure(
                by, case_id, data.reason, data.legal_authority, data.occurred_at
            ),
        )

    read_erasure_request = read_route(
        "/erasure-requests/{request_id:uuid}",
        operation_id="readErasureRequest",
        summary="Where an erasure stands and who took each step (those who take its "
        "steps and its requester); ETag is its version",
        read=ServedCasework.read_erasure_request,
        view=erasure_request_view,
    )
    approve_erasure = command_route(
        "/erasure-requests/{request_id:uuid}/approval",
        operation_id="approveErasure",
        summary="Approve an erasure (a second person, never its requester)",
        body=ErasureStepBody,
        call=at_its_time(ServedCasework.approve_erasure),
        if_match=False,
    )
    carry_out_erasure = command_route(
        "/erasure-requests/{request_id:uuid}/carrying-out",
        operation_id="carryOutErasure",
        summary="Carry out an approved erasure: the case's key is destroyed (the erasure "
        "register entry is `created_id`)",
        body=ErasureStepBody,
        call=at_its_time(ServedCasework.carry_out_erasure),
        if_match=False,
        responses=GLASS,
    )
