"""Compliance: a record as it stood (as recorded or as occurred), erasure requests."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from api.schemas.common import Body, Instant, Reason, shown_as
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
    return shown_as(ReplayView, replay, state=replay.state())


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
    return shown_as(ErasureRequestView, request, request_id=request.id)
