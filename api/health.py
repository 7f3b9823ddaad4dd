"""`/health/live` (the process answers) and `/health/ready` (it can serve: the store is
reachable and opens with this master key), with how far the views lag behind the log
and how old the last ledger checkpoint is. Anyone may ask; nothing secret is said."""

import logging
from datetime import UTC, datetime
from typing import Any, ClassVar

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State

from api.authentication import ANYONE
from api.dependencies import Service
from casework.application import Casework

logger = logging.getLogger("api")


class Live(msgspec.Struct, frozen=True):
    status: str


class Ready(msgspec.Struct, kw_only=True, frozen=True):
    status: str  # "ready" or "not_ready"
    store: str  # "ok" or "unreachable"
    keys: str  # "ok" or "wrong"
    log_position: int | None = None
    view_lag: dict[str, int] = {}
    last_checkpoint_age_seconds: float | None = None
    events_since_checkpoint: int | None = None


def readiness(casework: Casework, state: State) -> Ready:
    try:
        head = casework.last_position()
    except Exception:
        logger.exception("readiness: the store did not answer")
        return Ready(status="not_ready", store="unreachable", keys="unknown")
    try:
        casework.keyring.check_master_key()
    except Exception:
        logger.exception("readiness: the master key does not open this store")
        return Ready(status="not_ready", store="ok", keys="wrong", log_position=head)
    lag = {view.name: view.lag for view in state.projections.status()}
    checkpoint = casework.latest_checkpoint()
    age = (datetime.now(tz=UTC) - checkpoint.signed_at).total_seconds() if checkpoint else None
    return Ready(
        status="ready",
        store="ok",
        keys="ok",
        log_position=head,
        view_lag=lag,
        last_checkpoint_age_seconds=round(age, 1) if age is not None else None,
        events_since_checkpoint=head - checkpoint.tree_size if checkpoint else head,
    )


class HealthController(Controller):
    path = "/health"
    tags = ("health",)
    opt: ClassVar[dict[str, Any]] = ANYONE

    @get(
        "/live",
        operation_id="live",
        summary="The process answers",
        sync_to_thread=False,
        security=[],
    )
    def live(self) -> Live:
        return Live("live")

    @get(
        "/ready",
        operation_id="ready",
        summary="The store is reachable and opens",
        sync_to_thread=True,
        security=[],
    )
    def ready(self, casework: Service, state: State) -> Response[Ready]:
        found = readiness(casework, state)
        return Response(found, status_code=200 if found.status == "ready" else 503)
