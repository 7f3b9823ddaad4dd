"""The views read for one principal: the case index, a case's plan, its referral chains
and audit timeline, a person's supervision history and the caseload report. Each read
asks the access rule first: a case's own views are refused (and the refusal recorded)
unless the reader may see the case, and the read is recorded before anything is
returned; a list shows only the cases the reader may see, each recorded
(`visible_cases`); a person's supervision history is for those who may read their
staff record.

Lists come a page at a time in a fixed order, resumed after the last item's sort key
(`Page.next_after`): the key ends with the item's id, so no two items share one."""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

from casework.access import may_read_staff
from casework.aggregates.access_record import AccessAction
from casework.aggregates.base import Actor, InvalidValue
from casework.aggregates.staff import Staff
from casework.application.errors import NotFound
from casework.application.visible_cases import VisibleCase
from casework.projections import Projections
from casework.projections.views.audit_timeline import TimelineEntry
from casework.projections.views.case_index import CaseListing, CaseOrder, order_key
from casework.projections.views.case_plan import CasePlan
from casework.projections.views.caseload import IndicatorReport
from casework.projections.views.referral_chains import Hop
from casework.projections.views.supervision_history import SessionSummary

if TYPE_CHECKING:
    from casework.application import Casework

Key = tuple[Any, ...]
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; `next_after` is the key to resume after (None: the end)."""

    items: list[T]
    next_after: Key | None


@dataclass(frozen=True)
class CaseFilter:
    """The case index's filters: every one given must hold. `worker_id` is the lead or
    a current team member; `overdue_on` keeps open cases whose review fell due before."""

    status: Collection[str] = ()
    risk: Collection[str] = ()
    open_only: bool = False
    department_id: UUID | None = None
    lead_worker_id: UUID | None = None
    worker_id: UUID | None = None
    overdue_on: date | None = None


@dataclass(frozen=True)
class IndexedCase:
    """A case index line with its clients' names (shown only to who may see the case)."""

    listing: CaseListing
    client_names: list[str]


@dataclass(frozen=True)
class PlanReading:
    """A case's plan as the view has it, with the goals' titles when the reader may see
    the plan (else no goals, and `withheld_summary` says so)."""

    plan: CasePlan
    goal_titles: dict[UUID, str] = field(default_factory=dict)
    withheld_summary: str = ""


Fetch = Callable[[Key | None, int], list[Any]]


def _sorted_after(rows: list[Any], key: Callable[[Any], Key]) -> Fetch:
    """`rows` in `key` order as a list's source: up to `n` after a key."""
    rows = sorted(rows, key=key)

    def fetch(after: Key | None, n: int) -> list[Any]:
        try:
            return [r for r in rows if after is None or key(r) > after][:n]
        except TypeError:
            raise InvalidValue("cursor", "not a cursor this list gave") from None

    return fetch


def _page(
    fetch: Fetch,
    key: Callable[[Any], Key],
    after: Key | None,
    limit: int,
    shown: Callable[[list[Any]], list[T]],
    key_of_shown: Callable[[T], Key],
) -> Page[T]:
    """Rows in `key` order after `after` (`fetch`ed a batch at a time), through `shown`
    (which keeps and records what the reader may see) until the page is full: no row
    beyond the page is looked at, so no access beyond it is recorded."""
    items: list[T] = []
    more = True
    while more and len(items) < limit:
        wanted = limit - len(items)
        rows = fetch(after, wanted + 1)
        more = len(rows) > wanted
        rows = rows[:wanted]
        if rows:
            items += shown(rows)
            after = key(rows[-1])
    return Page(items, key_of_shown(items[-1]) if more and items else None)


def case_index(
    casework: "Casework",
    projections: Projections,
    by: Actor,
    where: CaseFilter,
    order: CaseOrder = CaseOrder.NEWEST,
    after: Key | None = None,
    limit: int = 100,
) -> Page[IndexedCase]:
    """The cases matching `where` that `by` may see, in `order`; each shown recorded."""
    with casework.one_page():
        reach = casework.reach(by)

    def fetch(after: Key | None, n: int) -> list[CaseListing]:
        with projections.read("case_index") as (view, connection):
            try:
                return view.find(
                    connection,
                    status=where.status,
                    open_only=where.open_only,
                    risk=where.risk,
                    department_id=where.department_id,
                    lead_worker_id=where.lead_worker_id,
                    worker_id=where.worker_id,
                    overdue_on=where.overdue_on,
                    reach=reach,
                    order=order,
                    after=after,
                    limit=n,
                )
            except ValueError:
                raise InvalidValue("cursor", "not a cursor this list gave") from None

    def key(listing: CaseListing) -> Key:
        return order_key(listing, order)

    def shown(batch: list[CaseListing]) -> list[IndexedCase]:
        visible: dict[UUID, VisibleCase] = {
            v.case_id: v for v in casework.visible_cases(by, [c.case_id for c in batch])
        }
        return [
            IndexedCase(c, visible[c.case_id].client_names) for c in batch if c.case_id in visible
        ]

    return _page(fetch, key, after, limit, shown, lambda i: key(i.listing))


def case_plan(
    casework: "Casework", projections: Projections, by: Actor, case_id: UUID
) -> PlanReading:
    """A case's plan: refused (and recorded) unless `by` may see the case; recorded
    as a read of its summary and, if `by` may see it, its plan (nothing else of the
    case is read)."""
    visible = casework.visible_case(by, case_id)
    with projections.read("case_plan") as (view, connection):
        plan = view.plan_of(connection, case_id)
    if plan is None:
        raise NotFound("case plan", case_id)
    if visible.plan_withheld:
        return PlanReading(
            CasePlan(**{**plan.__dict__, "goals": []}),
            withheld_summary=f"the plan is hidden: {visible.plan_withheld}",
        )
    return PlanReading(plan, visible.goal_titles)


def _hop_key(hop: Hop) -> Key:
    return (hop.sent_at.timestamp(), str(hop.referral_id))


def referral_chains(
    casework: "Casework",
    projections: Projections,
    by: Actor,
    case_id: UUID,
    after: Key | None = None,
    limit: int = 100,
) -> Page[Hop]:
    """A case's referrals, hop by hop, first sent first: refused (and recorded) unless
    `by` may see the case; recorded."""
    casework.read_case(by, case_id)
    with projections.read("referral_chains") as (view, connection):
        hops = view.of_case(connection, case_id)
    return _page(_sorted_after(hops, _hop_key), _hop_key, after, limit, list, _hop_key)


def audit_timeline(
    casework: "Casework",
    projections: Projections,
    by: Actor,
    case_id: UUID,
    after: Key | None = None,
    limit: int = 100,
) -> Page[TimelineEntry]:
    """Every event of a case and its records, in log order: refused (and recorded)
    unless `by` may see the case; recorded."""
    casework.read_case(by, case_id)
    if after is not None and not (len(after) == 1 and type(after[0]) is int):
        raise InvalidValue("cursor", "not a cursor this list gave")
    with projections.read("audit_timeline") as (view, connection):
        entries = view.of_case(connection, case_id, after=after[0] if after else 0, limit=limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    return Page(entries, (entries[-1].position,) if more else None)


_HISTORY = ["supervision_history"]


def _session_key(session: SessionSummary) -> Key:
    return (-session.held_at.timestamp(), str(session.session_id))


def supervision_history(
    casework: "Casework",
    projections: Projections,
    by: Actor,
    staff_id: UUID,
    after: Key | None = None,
    limit: int = 100,
) -> Page[SessionSummary]:
    """The supervision sessions a person attended or led, latest first, for those who
    may read their staff record (a refusal is recorded)."""
    staff: Staff = casework.load(staff_id, Staff, "staff member")
    casework.require(
        by,
        AccessAction.READ,
        lambda context: may_read_staff(context, staff),
        "may not read this person's supervision history",
        record_kinds=_HISTORY,
        record_ids=[staff_id],
    )
    with projections.read("supervision_history") as (view, connection):
        sessions = _distinct(
            [*view.of_worker(connection, staff_id), *view.of_supervisor(connection, staff_id)]
        )
    return _page(
        _sorted_after(sessions, _session_key), _session_key, after, limit, list, _session_key
    )


def _distinct(sessions: Iterable[SessionSummary]) -> list[SessionSummary]:
    return list({s.session_id: s for s in sessions}.values())


def caseload(
    casework: "Casework",
    projections: Projections,
    by: Actor,
    on: date,
    position: int | None = None,
) -> IndicatorReport:
    """The caseload and indicators over the cases `by` may see (each recorded), as the
    log stood at `position` (pinned: the same numbers whatever is recorded since) or
    now."""
    last = casework.last_position()
    if position is not None and position > last:
        raise InvalidValue("position", f"{position} is beyond the end of the log ({last})")
    visible = visible_case_ids(casework, projections, by)
    with projections.read("caseload") as (view, connection):
        return view.report(connection, last if position is None else position, on, visible)


def visible_case_ids(casework: "Casework", projections: Projections, by: Actor) -> list[UUID]:
    """The cases `by` may see, oldest first, all recorded in one commit: the access rule
    is asked only of those in their reach (`VisibleCases.reach`), as the case index
    finds them, not of every case in the store."""
    with casework.one_page():
        reach = casework.reach(by)
        with projections.read("case_index") as (view, connection):
            candidates = view.within(connection, reach)
        return casework.cases_visible_to(by, candidates)
