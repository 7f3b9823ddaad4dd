"""Audit samples of a worker's records, and the ledger: checkpoints, verification and
inclusion proofs (hashes and ids, no case content)."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.schemas.common import Body, Instant, shown_as
from casework.aggregates.audit_sample import AuditSample, SampledKind
from casework.compliance.verification import Finding, VerificationReport


class AuditSampleBody(Body):
    """`seed` absent: a random one is drawn and recorded, so the draw can be repeated."""

    worker_id: UUID
    period_start: date
    period_end: date
    size: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    seed: Annotated[int, msgspec.Meta(ge=0)] | None = None
    occurred_at: Instant | None = None


class SampledRecordView(msgspec.Struct, kw_only=True, frozen=True):
    case_id: UUID
    kind: SampledKind
    record_id: UUID
    plan_version: int | None


class CaseVersionView(msgspec.Struct, kw_only=True, frozen=True):
    case_id: UUID
    version: int


class AuditSampleView(msgspec.Struct, kw_only=True, frozen=True):
    """Which records were drawn (not what they say), from which case versions."""

    sample_id: UUID
    version: int
    worker_id: UUID
    period_start: date
    period_end: date
    size: int
    seed: int
    candidate_count: int
    candidates_digest: str
    case_versions: list[CaseVersionView]
    selected: list[SampledRecordView]


def audit_sample_view(sample: AuditSample) -> AuditSampleView:
    return shown_as(
        AuditSampleView,
        sample,
        sample_id=sample.id,
        case_versions=[shown_as(CaseVersionView, v) for v in sample.case_versions],
        selected=[shown_as(SampledRecordView, r) for r in sample.selected],
    )


class ReproductionView(msgspec.Struct, kw_only=True, frozen=True):
    """Redrawn from the case versions the sample recorded: the same candidates and the
    same draw, or not."""

    sample_id: UUID
    reproduced: bool


class VerificationView(msgspec.Struct, kw_only=True, frozen=True):
    """The ledger checked now: `ok` when nothing is wrong; `findings` name what is."""

    ok: bool
    events: int
    checkpoints: int
    covered: int
    uncovered: int
    root_hash: str
    latest_checkpoint_at: datetime | None
    findings: list[Finding]
    notes: list[str]


def verification_view(report: VerificationReport) -> VerificationView:
    return shown_as(VerificationView, report)
