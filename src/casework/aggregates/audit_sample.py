"""Random audit samples (序时稽核): N records drawn from a worker's cases in a period.

The draw is reproducible: the sample records its seed, the version of every case it
drew from and a digest of the candidate records, so anyone can rebuild the same
candidates from those case versions and draw the same sample again.
"""

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from casework.aggregates.base import Actor, InvalidValue, Record, Role, RuleBroken
from casework.aggregates.case import Case

AUDITOR_ROLES = frozenset(
    {Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.CENTRE_DIRECTOR, Role.COMPLIANCE_REVIEWER}
)


class SampledKind(StrEnum):
    NOTE = "note"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    CLOSURE = "closure"


@dataclass(frozen=True, order=True)
class SampledRecord:
    """One record of a case; for a plan, `record_id` is the case id and `plan_version`
    says which version."""

    case_id: UUID
    kind: SampledKind
    record_id: UUID
    plan_version: int | None = None

    def line(self) -> str:
        return f"{self.case_id} {self.kind.value} {self.record_id} {self.plan_version or ''}"


@dataclass(frozen=True)
class CaseVersion:
    case_id: UUID
    version: int


class NotAnAuditor(RuleBroken):
    """Audit samples are drawn by supervisors, department heads, the centre director
    and compliance reviewers."""

    rule = "not_an_auditor"
    status = 403


def records_in_period(case: Case, start: date, end: date) -> list[SampledRecord]:
    """The case's notes, assessments, plan versions and closures that happened from
    `start` to `end` inclusive."""

    def within(at: datetime) -> bool:
        return start <= at.date() <= end

    found = [
        SampledRecord(case.id, SampledKind.NOTE, n.note_id)
        for n in case.notes.values()
        if within(n.occurred_at)
    ]
    found += [
        SampledRecord(case.id, SampledKind.ASSESSMENT, a.assessment_id)
        for a in case.assessments.values()
        if within(a.occurred_at)
    ]
    found += [
        SampledRecord(case.id, SampledKind.PLAN, case.id, p.version)
        for p in case.plan_versions
        if within(p.proposed_at)
    ]
    found += [
        SampledRecord(case.id, SampledKind.CLOSURE, c.closure_id)
        for c in case.closures
        if within(c.occurred_at)
    ]
    return found


def candidates_of(cases: list[Case], start: date, end: date) -> list[SampledRecord]:
    return sorted({r for case in cases for r in records_in_period(case, start, end)})


def candidates_digest(candidates: list[SampledRecord]) -> str:
    return hashlib.sha256("\n".join(r.line() for r in candidates).encode()).hexdigest()


def draw(candidates: list[SampledRecord], size: int, seed: int) -> list[SampledRecord]:
    """The same candidates, size and seed always give the same sample."""
    ordered = sorted(set(candidates))
    return random.Random(seed).sample(ordered, min(size, len(ordered)))


class AuditSample(Record):
    worker_id: UUID
    period_start: date
    period_end: date
    size: int
    seed: int
    case_versions: list[CaseVersion]
    candidate_count: int
    candidates_digest: str
    selected: list[SampledRecord]

    class Drawn(Record.Created):
        worker_id: UUID
        period_start: date
        period_end: date
        size: int
        seed: int
        case_versions: list[CaseVersion]
        candidate_count: int
        candidates_digest: str
        selected: list[SampledRecord]

    def __init__(
        self,
        worker_id: UUID,
        period_start: date,
        period_end: date,
        size: int,
        seed: int,
        case_versions: list[CaseVersion],
        candidate_count: int,
        candidates_digest: str,
        selected: list[SampledRecord],
    ) -> None:
        self.worker_id = worker_id
        self.period_start = period_start
        self.period_end = period_end
        self.size = size
        self.seed = seed
        self.case_versions = list(case_versions)
        self.candidate_count = candidate_count
        self.candidates_digest = candidates_digest
        self.selected = list(selected)

    @classmethod
    def take(
        cls,
        by: Actor,
        worker_id: UUID,
        cases: list[Case],
        period_start: date,
        period_end: date,
        size: int,
        seed: int,
        occurred_at: datetime | None = None,
    ) -> "AuditSample":
        """Draw `size` records from the worker's `cases` in the period."""
        if by.role not in AUDITOR_ROLES:
            raise NotAnAuditor(
                "audit samples are drawn by a supervisor, a department "
                "head, the centre director or a compliance reviewer"
            )
        if size <= 0:
            raise InvalidValue("size", "draw at least one record")
        if period_end < period_start:
            raise InvalidValue("period_end", "must not be before the start of the period")
        ordered_cases = sorted(cases, key=lambda c: c.id)
        candidates = candidates_of(ordered_cases, period_start, period_end)
        return cls.start(
            cls.Drawn,
            by,
            occurred_at,
            worker_id=worker_id,
            period_start=period_start,
            period_end=period_end,
            size=size,
            seed=seed,
            case_versions=[CaseVersion(c.id, c.version) for c in ordered_cases],
            candidate_count=len(candidates),
            candidates_digest=candidates_digest(candidates),
            selected=draw(candidates, size, seed),
        )

    def reproduces(self, cases: list[Case]) -> bool:
        """Whether these cases (at the recorded versions) give the same candidates and
        the same sample."""
        candidates = candidates_of(cases, self.period_start, self.period_end)
        return (
            candidates_digest(candidates) == self.candidates_digest
            and draw(candidates, self.size, self.seed) == self.selected
        )
