"""Which of these cases may this principal see? The question behind every list read
from the views (the case index, caseloads, plans, referral chains, timelines): the
access rule is asked of each case as it is now, and each case shown is recorded in
the access log before its line is shown. Cases the reader may not see are neither
shown nor counted, and their refusals are not recorded (nobody asked for them).

A list asks only about the cases the reader could possibly see (`reach_of`: their own
cases and teams, their department or centre, their supervisees', their emergency
grants), not every case in the store: for a caseworker at a district, a few dozen
loads instead of 26,000. The reach only narrows; `may` still decides each case."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from casework.access import Action, ActorContext, Decision, RecordKind, may
from casework.aggregates.access_record import AccessAction
from casework.aggregates.base import Actor, Role, now
from casework.aggregates.case import Case
from casework.application.access_log import AccessRequest
from casework.application.authorisation import Authorisation
from casework.projections.views.case_index import Reach


@dataclass(frozen=True)
class VisibleCase:
    """One case a reader may see, with what names it in a list: its clients, and the
    titles of its plan's goals when the reader may see the plan (else empty)."""

    case_id: UUID
    client_names: list[str]
    department_id: UUID
    lead_worker_id: UUID
    ground: str
    goal_titles: dict[UUID, str] = field(default_factory=dict)
    # Why the plan is not shown ("" when it is).
    plan_withheld: str = ""


def reach_of(context: ActorContext) -> Reach:
    """A superset of the cases whose summary `may` lets `context` see: what each role
    could be allowed by (`casework.access`), wider where that is cheaper to ask (a
    past team member, an expired grant); `may` then decides on the case loaded."""
    role, me = context.role, context.staff_id
    if role is Role.COMPLIANCE_REVIEWER:
        return Reach(everything=True)
    if role is Role.CENTRE_DIRECTOR:
        return Reach(centre_id=context.centre_id, grantee=me)
    if role is Role.SUPERVISOR:
        return Reach(workers=context.supervisee_ids, grantee=me)
    if role is Role.DEPARTMENT_HEAD:
        return Reach(department_id=context.department_id, workers=frozenset({me}), grantee=me)
    if role in (Role.CASEWORKER, Role.SPECIALIST):
        return Reach(workers=frozenset({me}), grantee=me)
    return Reach(grantee=me)


class VisibleCases(Authorisation):
    def cases_visible_to(self, by: Actor, case_ids: Iterable[UUID]) -> list[UUID]:
        """The cases among `case_ids` whose summary `by` may see, in the order given;
        one access recorded per case shown."""
        return [v.case_id for v in self.visible_cases(by, case_ids)]

    def reach(self, by: Actor) -> Reach:
        """The cases `by` could possibly see (`reach_of`); someone who does not hold
        their role today is refused, and the attempt recorded."""
        return reach_of(self.context_of(by, AccessAction.READ, None))

    def visible_cases(self, by: Actor, case_ids: Iterable[UUID]) -> list[VisibleCase]:
        """As `cases_visible_to`, with the clients' names for the list, every case shown
        recorded in one commit. Someone who does not hold their role today is refused
        (and the attempt recorded); an erased case is skipped."""
        context = self.context_of(by, AccessAction.READ, None)
        at = now()
        shown: list[tuple[VisibleCase, AccessRequest]] = []
        for _, case in self.read_all(list(dict.fromkeys(case_ids)), Case, "case"):
            if isinstance(case, Exception):
                if getattr(case, "rule", "erased") != "erased":
                    raise case
                continue  # erased: nothing left to show
            decision = may(context, Action.SEE, RecordKind.SUMMARY, case, at)
            if decision:
                shown.append(_as_shown(context, case, decision, at, "listed: "))
        if shown:
            self.record_accesses(by, [request for _, request in shown])
        return [visible for visible, _ in shown]

    def visible_case(self, by: Actor, case_id: UUID) -> VisibleCase:
        """One case's summary (and its plan's goal titles, if `by` may see the plan),
        recorded; refused, and the refusal recorded, unless `by` may see the case."""
        case = self.read(case_id, Case, "case")
        with self.one_page():  # who is asking, worked out once for both questions
            summary = self.authorise(by, Action.SEE, RecordKind.SUMMARY, case)
            context = self.context_of(by, AccessAction.READ, case_id)
        visible, request = _as_shown(context, case, summary, now())
        self.record_accesses(by, [request])
        return visible


def _as_shown(
    context: ActorContext, case: Case, summary: Decision, at: datetime, why: str = ""
) -> tuple[VisibleCase, AccessRequest]:
    """The case's summary, and its plan's goal titles when `context` may see the plan,
    with the access to record (its reason prefixed by `why`)."""
    kinds = [RecordKind.SUMMARY]
    goals = {}
    plan = may(context, Action.SEE, RecordKind.PLAN, case, at)
    if plan:
        kinds.append(RecordKind.PLAN)
        goals = {g.goal_id: g.title for p in case.plan_versions for g in p.goals}
    visible = VisibleCase(
        case.id,
        [client.name for client in case.clients],
        case.department_id,
        case.lead_worker_id,
        summary.reason,
        goals,
        "" if plan else plan.reason,
    )
    request = AccessRequest(
        AccessAction.READ, case_id=case.id, record_kinds=kinds, reason=f"{why}{summary.reason}"
    )
    return visible, request
