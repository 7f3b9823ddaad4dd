"""`/api/v1/views`: the read models, behind the log by a moment. Every view read takes
`min_position` (a command's `position`) and waits, at most two seconds, until the view
has caught up to it, so a client reads its own writes; a view still behind is 503 with
`Retry-After`, and a position the log has not reached is 422.

Each read is one service-layer call with the principal (`casework.application.
view_reads`): the service layer decides what is shown and records it. Lists come a page
at a time (`limit`, at most 500): `next` in the body and the `Link` header is an opaque
cursor (the last item's sort key and id) to pass as `cursor`; a cursor this list did not
give is 422 naming `cursor`.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from api.cases import NO_STORE, READS
from api.dependencies import Asking, Service
from api.problems import Problem, problem_responses
from api.schemas.views import (
    CaseListing,
    Caseload,
    CaseloadReport,
    CasePage,
    CasePlanView,
    GoalInPlan,
    HopPage,
    IndexedCase,
    MonthlyCount,
    SessionPage,
    TimelinePage,
)
from casework.aggregates.base import now
from casework.aggregates.case import CaseStatus, RiskLevel
from casework.application import view_reads
from casework.application.view_reads import CaseFilter, CaseOrder, Key, Page
from casework.projections import Projections
from casework.projections.views.caseload import Caseload as Load

WAIT_SECONDS = 2.0
Position = Annotated[int, QueryParameter(ge=0, description="A command's `position`: wait for it")]
Limit = Annotated[int, QueryParameter(ge=1, le=500, description="At most this many items")]
Cursor = Annotated[
    str | None, QueryParameter(description="The `next` of the page before", max_length=1000)
]
LIST_READS = problem_responses(401, 403, 404, 410, 422, 503)
P = TypeVar("P", bound=msgspec.Struct)


def caught_up(
    projections: Projections, position: int, view: str, last: int, field: str = "min_position"
) -> None:
    """Wait for the view to reach `position` (given as `field`); a position the log has
    not reached (`last`) is no write of anyone's: 422, not a wait."""
    if position > last:
        raise Problem(
            422,
            "invalid_value",
            f"{field}: the log is at position {last}; pass the position a command answered with",
            detail_zh=f"{field}：日志当前位于 {last}；请传入命令返回的位置",
            field=field,
        )
    if position and not projections.wait_for(position, WAIT_SECONDS, names=[view]):
        raise Problem(
            503,
            "views_behind",
            f"the {view} view has not reached position {position} yet: try again shortly",
            detail_zh=f"{view} 视图尚未更新到位置 {position}：请稍后再试",
            headers={"Retry-After": "1"},
        )


def _caught_up(
    state: State, casework: Service, position: int, view: str, field: str = "min_position"
) -> None:
    caught_up(state.projections, position, view, casework.last_position() if position else 0, field)


def _cursor(name: str, after: Key | None) -> str | None:
    if after is None:
        return None
    text = json.dumps([name, *after], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(name: str, cursor: str | None) -> Key | None:
    """The key a cursor of list `name` resumes after; anything else is 422."""
    if cursor is None:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        decoded = None
    scalars = (str, int, float, bool)
    if (
        not isinstance(decoded, list)
        or len(decoded) < 2
        or decoded[0] != name
        or not all(isinstance(part, scalars) for part in decoded[1:])
    ):
        raise Problem(
            422,
            "invalid_value",
            "cursor: not a cursor this list gave; pass the `next` of the page before",
            detail_zh="cursor：不是此列表给出的游标；请传入上一页的 `next`",
            field="cursor",
        )
    return tuple(decoded[1:])


def _page_response(
    request: Request[Any, Any, Any],
    name: str,
    page: Page[Any],
    page_type: type[P],
    shape: Callable[[Any], Any] | None = None,
) -> Response[P]:
    """The page (its items through `shape`, if given), its `next` cursor in the body
    and as a `Link: rel="next"` header."""
    following = _cursor(name, page.next_after)
    headers = dict(NO_STORE)
    if following is not None:
        query = {k: v for k, v in request.query_params.dict().items() if k != "cursor"}
        query["cursor"] = [following]
        link = f"{request.url.path}?{urlencode(query, doseq=True)}"
        headers["Link"] = f'<{link}>; rel="next"'
    items = page.items if shape is None else [shape(item) for item in page.items]
    body = page_type(items=items, next=following)
    return Response(body, headers=headers)


def _struct(of: type[Any]) -> Callable[[Any], Any]:
    return lambda item: msgspec.convert(item, of, from_attributes=True)


def _loads(loads: dict[UUID, Load]) -> list[Caseload]:
    return [
        Caseload(
            holder_id=holder_id,
            open_cases=load.open_cases,
            open_by_risk=dict(load.open_by_risk),
            open_by_status=dict(load.open_by_status),
            overdue_reviews=load.overdue_reviews,
            awaiting_review=load.awaiting_review,
        )
        for holder_id, load in sorted(loads.items(), key=lambda kv: str(kv[0]))
    ]


@dataclass(frozen=True)
class _OwnList:
    """A list of one case's or one person's: its cursor's name, the view it waits for,
    the service-layer read that pages it, and its page's shape."""

    name: str
    view: str
    read: Callable[..., Page[Any]]
    page_type: type[msgspec.Struct]

    def answer(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        of: UUID,
        paging: tuple[str | None, int, int],
    ) -> Response[Any]:
        """The page after `cursor` of at most `limit` items, once the view has reached
        `min_position` (`paging`)."""
        cursor, limit, min_position = paging
        after = _after(self.name, cursor)
        state = request.app.state
        _caught_up(state, casework, min_position, self.view)
        page = self.read(casework, state.projections, by, of, after, limit)
        return _page_response(request, self.name, page, self.page_type)


REFERRAL_CHAINS = _OwnList(
    "referral-chains", "referral_chains", view_reads.referral_chains, HopPage
)
TIMELINE = _OwnList("timeline", "audit_timeline", view_reads.audit_timeline, TimelinePage)
SUPERVISION_HISTORY = _OwnList(
    "supervision-history", "supervision_history", view_reads.supervision_history, SessionPage
)


class ViewController(Controller):
    path = "/api/v1/views"
    tags = ("views",)

    @get(
        "/my-cases",
        operation_id="myCases",
        summary="The cases you lead or are on the team of and may see, newest first (each "
        "case listed is recorded)",
        sync_to_thread=True,
        responses=problem_responses(401, 403, 422, 503),
    )
    def my_cases(
        self,
        casework: Service,
        by: Asking,
        state: State,
        status: Annotated[list[CaseStatus] | None, QueryParameter()] = None,
        risk: Annotated[list[RiskLevel] | None, QueryParameter()] = None,
        open_only: Annotated[bool, QueryParameter()] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        min_position: Position = 0,
    ) -> Response[list[CaseListing]]:
        _caught_up(state, casework, min_position, "case_index")
        mine = CaseFilter(
            status=[s.value for s in status or ()],
            risk=[r.value for r in risk or ()],
            open_only=open_only,
            worker_id=by.staff_id,
        )
        page = view_reads.case_index(casework, state.projections, by, mine, limit=limit)
        body = [_struct(CaseListing)(indexed.listing) for indexed in page.items]
        return Response(body, headers=NO_STORE)

    @get(
        "/cases",
        operation_id="caseIndex",
        summary="The case index: the cases you may see that match every filter given, "
        "one page in the order asked (each case listed is recorded)",
        sync_to_thread=True,
        responses=LIST_READS,
    )
    def case_index(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        state: State,
        status: Annotated[list[CaseStatus] | None, QueryParameter()] = None,
        risk: Annotated[list[RiskLevel] | None, QueryParameter()] = None,
        open_only: Annotated[bool, QueryParameter()] = False,
        department_id: Annotated[UUID | None, QueryParameter()] = None,
        lead_worker_id: Annotated[UUID | None, QueryParameter()] = None,
        worker_id: Annotated[
            UUID | None, QueryParameter(description="The lead or a current team member")
        ] = None,
        overdue_on: Annotated[
            date | None, QueryParameter(description="Open cases whose review fell due before")
        ] = None,
        order: Annotated[CaseOrder, QueryParameter()] = CaseOrder.NEWEST,
        cursor: Cursor = None,
        limit: Limit = 100,
        min_position: Position = 0,
    ) -> Response[CasePage]:
        name = f"cases:{order.value}"
        after = _after(name, cursor)
        _caught_up(state, casework, min_position, "case_index")
        where = CaseFilter(
            status=[s.value for s in status or ()],
            risk=[r.value for r in risk or ()],
            open_only=open_only,
            department_id=department_id,
            lead_worker_id=lead_worker_id,
            worker_id=worker_id,
            overdue_on=overdue_on,
        )
        page = view_reads.case_index(casework, state.projections, by, where, order, after, limit)

        def line(indexed: view_reads.IndexedCase) -> IndexedCase:
            listing = msgspec.structs.asdict(_struct(CaseListing)(indexed.listing))
            return IndexedCase(**listing, client_names=indexed.client_names)

        return _page_response(request, name, page, CasePage, line)

    @get(
        "/cases/{case_id:uuid}/plan",
        operation_id="casePlan",
        summary="A case's plan: versions, approval and goals (the goals only if you may "
        "see the plan; recorded)",
        sync_to_thread=True,
        responses=READS,
    )
    def case_plan(
        self,
        casework: Service,
        by: Asking,
        state: State,
        case_id: FromPath[UUID],
        min_position: Position = 0,
    ) -> Response[CasePlanView]:
        _caught_up(state, casework, min_position, "case_plan")
        reading = view_reads.case_plan(casework, state.projections, by, case_id)
        plan = reading.plan
        goals = [
            GoalInPlan(**g.__dict__, title=reading.goal_titles.get(g.goal_id, ""))
            for g in plan.goals
        ]
        body = msgspec.convert(
            {**plan.__dict__, "goals": goals, "withheld_summary": reading.withheld_summary},
            CasePlanView,
            from_attributes=True,
        )
        return Response(body, headers=NO_STORE)

    @get(
        "/cases/{case_id:uuid}/referral-chains",
        operation_id="referralChains",
        summary="A case's referrals hop by hop, first sent first (recorded)",
        sync_to_thread=True,
        responses=LIST_READS,
    )
    def referral_chains(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        cursor: Cursor = None,
        limit: Limit = 100,
        min_position: Position = 0,
    ) -> Response[HopPage]:
        paging = (cursor, limit, min_position)
        return REFERRAL_CHAINS.answer(request, casework, by, case_id, paging)

    @get(
        "/cases/{case_id:uuid}/timeline",
        operation_id="auditTimeline",
        summary="Every event of a case and its records, in log order: who, in what "
        "role, when (recorded)",
        sync_to_thread=True,
        responses=LIST_READS,
    )
    def audit_timeline(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        cursor: Cursor = None,
        limit: Limit = 100,
        min_position: Position = 0,
    ) -> Response[TimelinePage]:
        paging = (cursor, limit, min_position)
        return TIMELINE.answer(request, casework, by, case_id, paging)

    @get(
        "/staff/{staff_id:uuid}/supervision-history",
        operation_id="supervisionHistory",
        summary="The supervision sessions a person attended or led, latest first (for "
        "those who may read their staff record)",
        sync_to_thread=True,
        responses=LIST_READS,
    )
    def supervision_history(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        staff_id: FromPath[UUID],
        cursor: Cursor = None,
        limit: Limit = 100,
        min_position: Position = 0,
    ) -> Response[SessionPage]:
        paging = (cursor, limit, min_position)
        return SUPERVISION_HISTORY.answer(request, casework, by, staff_id, paging)

    @get(
        "/caseload",
        operation_id="caseload",
        summary="Caseloads by worker and department and the monthly indicators, over the "
        "cases you may see (each recorded), now or pinned to a log position",
        sync_to_thread=True,
        responses=problem_responses(401, 403, 422, 503),
    )
    def caseload(
        self,
        casework: Service,
        by: Asking,
        state: State,
        position: Annotated[
            int | None,
            QueryParameter(ge=0, description="Pin the report to this log position"),
        ] = None,
        on: Annotated[
            date | None, QueryParameter(description="The day reviews are judged on (today)")
        ] = None,
        min_position: Position = 0,
    ) -> Response[CaseloadReport]:
        pinned = position or 0
        field = "position" if pinned > min_position else "min_position"
        _caught_up(state, casework, max(min_position, pinned), "caseload", field)
        day = on or now().date()
        report = view_reads.caseload(casework, state.projections, by, day, position)
        body = CaseloadReport(
            position=report.position,
            pinned=position is not None,
            on=report.on,
            by_worker=_loads(report.by_worker),
            by_department=_loads(report.by_department),
            monthly=[_struct(MonthlyCount)(m) for m in report.monthly],
        )
        return Response(body, headers=NO_STORE)
