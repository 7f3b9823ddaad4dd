"""`/api/v1/cases`: a case as the reader may see it, intake, and the commands on a
case. Every write to an existing case needs `If-Match` with the ETag read; every POST
takes an `Idempotency-Key`. Each handler is one service-layer call: the service
decides and records access."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.commands import etag
from api.dependencies import COMMAND_DEPENDENCIES, Asking, ExpectedVersion, Runner, Service
from api.problems import problem_responses
from api.schemas.cases import CaseView, case_view
from api.schemas.common import Recorded
from casework.aggregates.access_record import AccessOutcome
from casework.application.access_log import AccessEntry
from casework.application.commands.cases import (
    AddAddendum,
    AddTeamMember,
    BreakTheGlass,
    CloseCase,
    HandOverCase,
    OpenCase,
    ProposePlan,
    RecordAssessment,
    RecordConsent,
    RecordNote,
    ReopenCase,
    RerateRisk,
    ReviewPlan,
)
from casework.store.access_index import AccessQuery

NO_STORE = {"Cache-Control": "no-store"}
READS = problem_responses(401, 403, 404, 410, 422, 503)
OPENS = problem_responses(400, 401, 403, 404, 409, 422)
WRITES = problem_responses(400, 401, 403, 404, 409, 410, 412, 422, 428)
GLASS = problem_responses(400, 401, 403, 404, 409, 410, 422)


class CaseController(Controller):
    path = "/api/v1/cases"
    tags = ("cases",)
    dependencies = COMMAND_DEPENDENCIES

    @get(
        "/{case_id:uuid}",
        operation_id="readCase",
        sync_to_thread=True,
        responses=READS,
        summary="A case as you may see it (the read is recorded); ETag is its version",
    )
    def read_case(
        self, casework: Service, by: Asking, case_id: FromPath[UUID]
    ) -> Response[CaseView]:
        view = case_view(casework.read_case(by, case_id))
        return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})

    @get(
        "/{case_id:uuid}/access-log",
        operation_id="caseAccessLog",
        sync_to_thread=True,
        responses=READS,
        summary="Who read or tried to read the case, newest first",
    )
    def access_log(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        outcome: Annotated[AccessOutcome | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> Response[list[AccessEntry]]:
        query = AccessQuery(
            since=since, until=until, outcome=outcome and outcome.value, limit=limit
        )
        return Response(casework.who_read_case(by, case_id, query), headers=NO_STORE)

    @post("/", operation_id="openCase", summary="Intake: open a case", sync_to_thread=True)
    def open_case(
        self, casework: Service, by: Asking, data: JSONBody[OpenCase], command: Runner
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.open_case(by, data),
            location="/api/v1/cases/{record_id}",
        )

    @post(
        "/{case_id:uuid}/notes",
        operation_id="recordNote",
        summary="Record a case note",
        sync_to_thread=True,
        responses=WRITES,
    )
    def record_note(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[RecordNote],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.record_note(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/addenda",
        operation_id="addAddendum",
        summary="Add an addendum to a note or an assessment",
        sync_to_thread=True,
        responses=WRITES,
    )
    def add_addendum(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[AddAddendum],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.add_addendum(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/consent",
        operation_id="recordConsent",
        summary="Record consent given or withdrawn",
        sync_to_thread=True,
        responses=WRITES,
    )
    def record_consent(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[RecordConsent],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.record_consent(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/risk",
        operation_id="rerateRisk",
        summary="Re-rate the risk",
        sync_to_thread=True,
        responses=WRITES,
    )
    def rerate_risk(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[RerateRisk],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.rerate_risk(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/assessments",
        operation_id="recordAssessment",
        summary="Record an assessment",
        sync_to_thread=True,
        responses=WRITES,
    )
    def record_assessment(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[RecordAssessment],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.record_assessment(
                by, case_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{case_id:uuid}/plan-versions",
        operation_id="proposePlan",
        summary="Propose a new version of the case plan",
        sync_to_thread=True,
        responses=WRITES,
    )
    def propose_plan(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[ProposePlan],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.propose_plan(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/plan-reviews",
        operation_id="reviewPlan",
        summary="Review the active plan",
        sync_to_thread=True,
        responses=WRITES,
    )
    def review_plan(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[ReviewPlan],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.review_plan(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/team",
        operation_id="addTeamMember",
        summary="Add a specialist or worker to the case team",
        sync_to_thread=True,
        responses=WRITES,
    )
    def add_team_member(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[AddTeamMember],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.add_team_member(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/hand-over",
        operation_id="handOverCase",
        summary="Hand the case over to another lead worker",
        sync_to_thread=True,
        responses=WRITES,
    )
    def hand_over(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[HandOverCase],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.hand_over_case(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/closure",
        operation_id="closeCase",
        summary="Close the case",
        sync_to_thread=True,
        responses=WRITES,
    )
    def close_case(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[CloseCase],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.close_case(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/reopening",
        operation_id="reopenCase",
        summary="Reopen the case",
        sync_to_thread=True,
        responses=OPENS,
    )
    def reopen_case(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[ReopenCase],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.reopen_case(by, case_id, data, expected_version=expected_version),
        )

    @post(
        "/{case_id:uuid}/emergency-access",
        operation_id="breakTheGlass",
        summary="Break the glass: time-limited access, flagged to supervisors and "
        "directors (no If-Match: it does not depend on what you read)",
        sync_to_thread=True,
        responses=GLASS,
    )
    def break_the_glass(
        self,
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: JSONBody[BreakTheGlass],
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            case_id,
            lambda: casework.break_the_glass(by, case_id, data),
        )
