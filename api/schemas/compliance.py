"""Compliance: a record as it stood (as recorded or as occurred), erasure requests."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from api.schemas.common import Body, Instant, Reason
from casework.aggregates.erasure_request import ErasureRequest, ErasureStatus
from casework.compliance.replay import Basis, Replay


class ReplayView(msgspec.Struct, kw_only=True, frozen=True):
    """The record as it stood at `at` on `basis`, as the reader may see it: `state` is
    null when it did not exist yet; `withheld` says what was left out and why."""

    record_id: UUID
    basis: Basis
    at: datetime
    label: str
    applied: int
    total: int | None
    withheld: list[str]
    state: dict[str, Any] | None


def replay_view(replay: Replay) -> ReplayView:
    return ReplayView(
        record_id=replay.record_id,
        basis=replay.basis,
        at=replay.at,
        label=replay.label,
        applied=replay.applied,
        total=replay.total,
        withheld=list(replay.withheld),
        state=replay.state(),
    )


class ErasureRequestBody(Body):
    reason: Reason
    legal_authority: Reason
    occurred_at: Instant | None = None


class ErasureStepBody(Body):
    occurred_at: Instant | None = None


class ErasureRequestView(msgspec.Struct, kw_only=True, frozen=True):
    """Where a four-eyes erasure stands and who took each step (no case content)."""

    request_id: UUID
    version: int
    case_id: UUID
    status: ErasureStatus
    reason: str
    legal_authority: str
    requested_by: UUID
    requested_at: datetime
    approved_by: UUID | None
    approved_at: datetime | None
    carried_out_by: UUID | None
    carried_out_at: datetime | None


def erasure_request_view(request: ErasureRequest) -> ErasureRequestView:
    return ErasureRequestView(
        request_id=request.id,
        version=request.version,
        case_id=request.case_id,
        status=request.status,
        reason=request.reason,
        legal_authority=request.legal_authority,
        requested_by=request.requested_by,
        requested_at=request.requested_at,
        approved_by=request.approved_by,
        approved_at=request.approved_at,
        carried_out_by=request.carried_out_by,
        carried_out_at=request.carried_out_at,
    )
