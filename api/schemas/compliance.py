"""Compliance: a record as it stood (as recorded or as occurred), erasure requests."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from api.schemas.common import Body, Instant, Reason
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
