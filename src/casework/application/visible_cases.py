"""Which of these cases may this principal see? The question behind every list read
from the views (the case index, caseloads, plans, referral chains, timelines): the
access rule is asked of each case as it is now, and each case shown is recorded in
the access log before its line is shown. Cases the reader may not see are neither
shown nor counted, and their refusals are not recorded (nobody asked for them)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from casework.access import Action, RecordKind, may
from casework.aggregates.access_record import AccessAction
from casework.aggregates.base import Actor, RuleBroken, now
from casework.aggregates.case import Case
from casework.application.authorisation import Authorisation
from casework.store.errors import RecordErased


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


class VisibleCases(Authorisation):
    def cases_visible_to(self, by: Actor, case_ids: Iterable[UUID]) -> list[UUID]:
        """The cases among `case_ids` whose summary `by` may see, in the order given;
        one access recorded per case shown."""
        return [v.case_id for v in self.visible_cases(by, case_ids)]

    def visible_cases(self, by: Actor, case_ids: Iterable[UUID]) -> list[VisibleCase]:
        """As `cases_visible_to`, with the clients' names for the list. Someone who does
        not hold their role today is refused (and the attempt recorded); an erased
        case is skipped."""
        context = self.context_of(by, AccessAction.READ, None)
        at = now()
        shown = []
        for case_id in dict.fromkeys(case_ids):
            try:
                case = self.load(case_id, Case, "case")
            except (RuleBroken, RecordErased) as error:
                if getattr(error, "rule", "erased") != "erased":
                    raise
                continue  # erased: nothing left to show
            decision = may(context, Action.SEE, RecordKind.SUMMARY, case, at)
            if not decision:
                continue
            kinds = [RecordKind.SUMMARY]
            goals = {}
            if may(context, Action.SEE, RecordKind.PLAN, case, at):
                kinds.append(RecordKind.PLAN)
                goals = {g.goal_id: g.title for p in case.plan_versions for g in p.goals}
            self.record_access(
                by,
                AccessAction.READ,
                case_id=case_id,
                record_kinds=kinds,
                reason=f"listed: {decision.reason}",
            )
            shown.append(
                VisibleCase(
                    case_id,
                    [client.name for client in case.clients],
                    case.department_id,
                    case.lead_worker_id,
                    decision.reason,
                    goals,
                )
            )
        return shown
