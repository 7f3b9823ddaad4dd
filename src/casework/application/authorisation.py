"""Where the service layer applies THE access rule (`casework.access`) to the record
it loaded, and records what it decided.

Every command and query that touches case content comes through here with the
principal it was given: `authorise` for one record kind (writes, and reads of one
record), `read_case` for a whole case filtered to what the reader may see. A refusal
is recorded in the access log before it is raised; an allowed read is recorded
before its content is returned.
"""

import copy
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn
from uuid import UUID

import msgspec

from casework.access import AccessDenied, Action, ActorContext, Decision, RecordKind, may
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import Actor, now
from casework.aggregates.case import Case
from casework.aggregates.discipline import Discipline
from casework.application.access_log import AccessLogCommands

# Record kinds a whole-case read shows or withholds, besides notes and assessments
# (which are judged one by one, by their discipline).
_WHOLE_KINDS = (RecordKind.CONSENT, RecordKind.TEAM, RecordKind.PLAN, RecordKind.CLOSURE)


class Withheld(msgspec.Struct, frozen=True):
    """Records a reader was not shown, and why."""

    kind: RecordKind
    discipline: Discipline | None
    count: int
    reason: str

    def describe(self) -> str:
        what = f"{self.discipline.value} {self.kind.value}s" if self.discipline else self.kind.value
        return f"{self.count} hidden: {what} ({self.reason})"


@dataclass(frozen=True)
class CaseReading:
    """A case as one reader may see it: withheld records are absent from `case` and
    listed in `withheld`. `case` is a read-only copy; never save it."""

    case: Case
    ground: str
    shown: list[RecordKind]
    withheld: list[Withheld] = field(default_factory=list)

    @property
    def hidden_count(self) -> int:
        return sum(w.count for w in self.withheld)

    def withheld_summary(self) -> str:
        """E.g. "3 records hidden: psychology notes" — what the reader is told."""
        if not self.withheld:
            return ""
        parts = ", ".join(
            f"{w.discipline.value} {w.kind.value}s" if w.discipline else f"the {w.kind.value}"
            for w in self.withheld
        )
        noun = "record" if self.hidden_count == 1 else "records"
        return f"{self.hidden_count} {noun} hidden: {parts}"


def case_as_seen(
    context: ActorContext, case: Case, at: datetime, judged_on: Case | None = None
) -> CaseReading | Decision:
    """The case filtered to what `context` may see at `at`, or the refusal. `judged_on`:
    the case whose team, consent and department decide (default `case` itself); a
    replay filters a past state of the case by who the reader is on it now."""
    rule_case = judged_on or case
    summary = may(context, Action.SEE, RecordKind.SUMMARY, rule_case, at)
    if not summary:
        return summary
    seen = copy.copy(case)
    shown = [RecordKind.SUMMARY]
    withheld: list[Withheld] = []
    for kind in _WHOLE_KINDS:
        decision = may(context, Action.SEE, kind, rule_case, at)
        if decision:
            shown.append(kind)
            continue
        count = _blank(seen, kind)
        if count:
            withheld.append(Withheld(kind, None, count, decision.reason))
    for kind, records in ((RecordKind.NOTE, case.notes), (RecordKind.ASSESSMENT, case.assessments)):
        visible, hidden = {}, Counter[Discipline]()
        # The answer depends on the record's discipline only: ask once per discipline.
        decisions: dict[Discipline, Decision] = {}
        for record_id, record in records.items():
            decision = decisions.get(record.discipline)
            if decision is None:
                decision = decisions[record.discipline] = may(
                    context, Action.SEE, kind, rule_case, at, record.discipline
                )
            if decision:
                visible[record_id] = record
            else:
                hidden[record.discipline] += 1
        setattr(seen, "notes" if kind is RecordKind.NOTE else "assessments", visible)
        withheld += [Withheld(kind, d, n, decisions[d].reason) for d, n in sorted(hidden.items())]
        if visible:
            shown.append(kind)
    return CaseReading(seen, summary.reason, shown, withheld)


def _blank(case: Case, kind: RecordKind) -> int:
    """Remove one kind of record from a read copy; returns how many were removed."""
    if kind is RecordKind.CONSENT:
        count = len(case.consent_history) or int(case.consent is not None)
        case.consent, case.consent_history = None, []
    elif kind is RecordKind.TEAM:
        count, case.team = len(case.team), []
    elif kind is RecordKind.PLAN:
        count = len(case.plan_versions)
        case.plan_versions, case.plan_reviews = [], []
    else:
        count, case.closures = len(case.closures), []
    return count


class Authorisation(AccessLogCommands):
    def authorise(
        self,
        by: Actor,
        action: Action,
        kind: RecordKind,
        case: Case,
        discipline: Discipline | None = None,
        *,
        access: AccessAction | None = None,
        record_ids: Sequence[UUID] = (),
    ) -> Decision:
        """Apply the rule to one kind of record of a loaded case. A refusal is recorded
        and raised (`AccessDenied`); an allowed read is the caller's to record once it
        knows what it shows (writes are recorded by their own events)."""
        access = access or (AccessAction.READ if action == Action.SEE else AccessAction.WRITE)
        context = self.context_of(by, access, case.id)
        decision = may(context, action, kind, case, now(), discipline)
        if not decision:
            self.refuse(
                by,
                access,
                f"may not {Action(action).value} the {RecordKind(kind).value} of this case",
                decision.reason,
                case_id=case.id,
                record_kinds=[kind],
                record_ids=record_ids,
            )
        return decision

    def read_case(self, by: Actor, case_id: UUID) -> CaseReading:
        """A case as `by` may see it, recorded in the access log before it is returned."""
        case = self.read(case_id, Case, "case")
        context = self.context_of(by, AccessAction.READ, case_id)
        reading = case_as_seen(context, case, now())
        if isinstance(reading, Decision):
            self.refuse(
                by,
                AccessAction.READ,
                "may not see this case",
                reading.reason,
                case_id=case_id,
                record_kinds=[RecordKind.SUMMARY],
            )
        self.record_access(
            by,
            AccessAction.READ,
            case_id=case_id,
            record_kinds=reading.shown,
            reason="; ".join([reading.ground, *(w.describe() for w in reading.withheld)]),
        )
        return reading

    def require(
        self,
        by: Actor,
        access: AccessAction,
        rule: Callable[[ActorContext], Decision],
        message: str,
        *,
        record_kinds: Sequence[str],
        record_ids: Sequence[UUID] = (),
    ) -> ActorContext:
        """Apply a rule that is not about one case's records (staff records, agencies,
        audit samples, the ledger) to who `by` is today; a refusal is recorded and
        raised (`message: reason`). Returns who they are, for the caller's filtering."""
        context = self.context_of(by, access, None)
        decision = rule(context)
        if not decision:
            self.refuse(
                by,
                access,
                message,
                decision.reason,
                record_kinds=record_kinds,
                record_ids=record_ids,
            )
        return context

    def refuse(
        self,
        by: Actor,
        access: AccessAction,
        message: str,
        reason: str,
        *,
        case_id: UUID | None = None,
        record_kinds: Sequence[str] = (),
        record_ids: Sequence[UUID] = (),
    ) -> NoReturn:
        """Record a refused attempt, then raise `AccessDenied` saying `message: reason`."""
        self.record_access(
            by,
            access,
            case_id=case_id,
            record_kinds=record_kinds,
            record_ids=record_ids,
            outcome=AccessOutcome.REFUSED,
            reason=reason,
        )
        raise AccessDenied(f"{message}: {reason}", reason=reason)

    def record_reading(
        self,
        by: Actor,
        decision: Decision,
        message: str,
        *,
        case_id: UUID,
        record_kinds: Sequence[str],
        record_ids: Sequence[UUID],
    ) -> None:
        """A read of case content as decided: the refusal recorded and raised (`message:
        reason`), or the allowed reading recorded with its ground."""
        if not decision:
            self.refuse(
                by,
                AccessAction.READ,
                message,
                decision.reason,
                case_id=case_id,
                record_kinds=record_kinds,
                record_ids=record_ids,
            )
        self.record_access(
            by,
            AccessAction.READ,
            case_id=case_id,
            record_kinds=record_kinds,
            record_ids=record_ids,
            reason=decision.reason,
        )
