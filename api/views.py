"""`/api/v1/views`: the read models, behind the log by a moment. Every view read takes
`min_position` (a command's `position`) and waits, at most two seconds, until the view
has caught up to it, so a client reads its own writes; a view still behind is 503 with
`Retry-After`, and a position the log has not reached is 422.

Only "my cases" is here so far: the case index filtered to the cases the asker leads or
is on the team of (ids, status and risk, no case content).
"""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from api.dependencies import Asking
from api.problems import Problem, problem_responses
from casework.aggregates.case import CaseStatus, RiskLevel
from casework.projections import Projections

WAIT_SECONDS = 2.0
Position = Annotated[int, QueryParameter(ge=0, description="A command's `position`: wait for it")]


class CaseListing(msgspec.Struct, kw_only=True, frozen=True):
    case_id: UUID
    department_id: UUID
    lead_worker_id: UUID
    status: CaseStatus
    risk_level: RiskLevel
    opened_at: datetime
    next_review_on: date | None
    last_note_at: datetime | None
    notes: int
    plan_version: int | None
    plan_pending_approval: bool


def caught_up(projections: Projections, position: int, view: str, last: int) -> None:
    """Wait for the view to reach `position`; a position the log has not reached (`last`)
    is no write of anyone's: 422, not a wait."""
    if position > last:
        raise Problem(
            422,
            "invalid_value",
            f"min_position: the log is at position {last}; pass the position a command "
            "answered with",
            detail_zh=f"min_position：日志当前位于 {last}；请传入命令返回的位置",
            field="min_position",
        )
    if position and not projections.wait_for(position, WAIT_SECONDS, names=[view]):
        raise Problem(
            503,
            "views_behind",
            f"the {view} view has not reached position {position} yet: try again shortly",
            detail_zh=f"{view} 视图尚未更新到位置 {position}：请稍后再试",
            headers={"Retry-After": "1"},
        )


class ViewController(Controller):
    path = "/api/v1/views"
    tags = ("views",)

    @get(
        "/my-cases",
        operation_id="myCases",
        summary="The cases you lead or are on the team of, newest first",
        sync_to_thread=True,
        responses=problem_responses(401, 422, 503),
    )
    def my_cases(
        self,
        by: Asking,
        state: State,
        status: Annotated[list[CaseStatus] | None, QueryParameter()] = None,
        risk: Annotated[list[RiskLevel] | None, QueryParameter()] = None,
        open_only: Annotated[bool, QueryParameter()] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        min_position: Position = 0,
    ) -> Response[list[CaseListing]]:
        last = state.casework.last_position() if min_position else 0
        caught_up(state.projections, min_position, "case_index", last)
        with state.projections.read("case_index") as (view, connection):
            found = view.find(
                connection,
                status=[s.value for s in status or ()],
                open_only=open_only,
                risk=[r.value for r in risk or ()],
                worker_id=by.staff_id,
                limit=limit,
            )
        return Response([msgspec.convert(f, CaseListing, from_attributes=True) for f in found])
