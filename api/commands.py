"""How the API runs a command: once per `Idempotency-Key`, answered with what it wrote.

`ServedCasework` is casework as the server runs it: through the core's `_after_save`
hook it notes, for the command running in this thread, the events it stored, so the
answer gives the record's new version and the log position exactly (another request
writing at the same moment cannot be mistaken for this one); and it counts the access
records it writes for `/metrics`.

`Command` is given to every POST handler (`provide_command`): `run(record_id, fn)`
reserves the request's idempotency key, runs `fn` (one service-layer call), and
answers 201 with a `Recorded` body and the record's new `ETag`, keeping the answer
for a retry. The If-Match a write needs is `provide_expected_version`.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import Recording
from litestar import Request, Response
from litestar.params import HeaderParameter

from api.counters import ACCESS_RECORDS
from api.idempotency import ABANDONED_AFTER, PENDING, IdempotencyTable, request_hash
from api.problems import Problem
from api.schemas.common import Recorded
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import Actor
from casework.application import Casework
from casework.application.principal import Principal
from casework.store.database import APPLICATION_NAME

IDEMPOTENCY_KEY_MAX = 200
logger = logging.getLogger(__name__)
JSON = "application/json"


class _Receipts(threading.local):
    def __init__(self) -> None:
        self.open: list[list[Recording[UUID]]] = []


_receipts = _Receipts()


class ServedCasework(Casework):
    """Casework with a receipt of what each command in this thread stored."""

    # The library names an application's tables after its class unless told: this is
    # the same store as every other `Casework`.
    name = APPLICATION_NAME

    def _after_save(self, recordings: list[Recording[UUID]]) -> None:
        super()._after_save(recordings)
        for receipt in _receipts.open:
            receipt.extend(recordings)

    def record_access(self, principal: Actor | None, action: AccessAction, **what: Any) -> UUID:
        """Counted for `/metrics` once it is stored (by action and outcome only)."""
        recorded = super().record_access(principal, action, **what)
        outcome = AccessOutcome(what.get("outcome", AccessOutcome.ALLOWED))
        ACCESS_RECORDS.labels(AccessAction(action).value, outcome.value).inc()
        return recorded


def run_with_receipt(fn: Callable[[], Any]) -> tuple[Any, list[Recording[UUID]]]:
    receipt: list[Recording[UUID]] = []
    _receipts.open.append(receipt)
    try:
        return fn(), receipt
    finally:
        _receipts.open.remove(receipt)


def etag(version: int) -> str:
    return f'"{version}"'


def provide_expected_version(
    command: "Command",  # resolved first: `api.dependencies` says why
    if_match: Annotated[
        str | None,
        HeaderParameter(
            name="If-Match",
            required=False,
            description='The ETag of the record as you read it, e.g. "7" (required).',
        ),
    ] = None,
) -> int:
    """The version the writer read, from `If-Match` (428 without one)."""
    value = (if_match or "").strip()
    if not value or value == "*":
        raise Problem(
            428,
            "precondition_required",
            "a write to an existing record needs If-Match with the ETag you read, e.g. "
            'If-Match: "7"',
            detail_zh='修改现有记录须在 If-Match 中提供您读取时的 ETag，例如 If-Match: "7"',
        )
    tag = value.split(",")[0].strip()
    if tag.startswith('"') and tag.endswith('"') and tag[1:-1].isdigit():
        return int(tag[1:-1])
    raise Problem(
        412,
        "precondition_failed",
        f'If-Match {tag} is not an ETag this server gave (they look like "7")',
        detail_zh=f'If-Match {tag} 不是本服务给出的 ETag（形如 "7"）',
    )


@dataclass(frozen=True)
class Command:
    casework: Casework
    by: Principal
    idempotency_key: str | None
    request_hash: bytes
    table: IdempotencyTable

    def run(
        self, record_id: UUID | None, fn: Callable[[], Any], location: str = ""
    ) -> Response[Recorded]:
        """Run `fn` once for this key; `record_id` None: the record is the one `fn`
        creates (its id is what `fn` returns)."""
        key = self.idempotency_key
        if key is not None:
            earlier = self.table.reserve(
                self.by.staff_id, key, self.request_hash, self.casework.clock()
            )
            if earlier is not None:
                return self._again(
                    earlier.request_hash,
                    earlier.status,
                    earlier.body,
                    earlier.etag,
                    earlier.location,
                )
        try:
            result, recordings = run_with_receipt(fn)
            body, tag, where = self._answer(record_id, result, recordings, location)
        except BaseException:
            if key is not None:
                self._release(key)
            raise
        if key is not None:
            try:
                self.table.answer(self.by.staff_id, key, 201, body, tag, where)
            except Exception:
                # The write is stored: say so. A resend runs again once the key is free
                # or its reservation abandoned, and its If-Match answers 412.
                logger.warning("the answer to Idempotency-Key %r was not kept", key, exc_info=True)
                self._release(key)
        return _response(201, body, tag, where)

    def _release(self, key: str) -> None:
        """Free the key for a resend; with the database gone this fails too, and the
        reservation is taken over once abandoned (`ABANDONED_AFTER`)."""
        try:
            self.table.release(self.by.staff_id, key)
        except Exception:
            logger.warning("Idempotency-Key %r stays reserved for now", key, exc_info=True)

    def _answer(
        self, record_id: UUID | None, result: Any, recordings: list[Recording[UUID]], location: str
    ) -> tuple[bytes, str, str]:
        written = record_id or result
        versions = [
            r.domain_event.originator_version
            for r in recordings
            if r.domain_event.originator_id == written
        ]
        recorded = Recorded(
            record_id=written,
            version=max(versions, default=0),
            position=max((r.notification.id for r in recordings), default=0),
            created_id=result if isinstance(result, UUID) and result != written else None,
        )
        where = location.format(record_id=written) if location else ""
        return msgspec.json.encode(recorded), etag(recorded.version), where

    def _again(
        self, hashed: bytes, status: int, body: bytes, tag: str, where: str
    ) -> Response[Recorded]:
        if hashed != self.request_hash:
            raise Problem(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was sent before with another request: use a new key "
                "for a new request",
                detail_zh="此幂等键已用于另一个请求：新的请求请使用新的幂等键",
                field="Idempotency-Key",
            )
        if status == PENDING:
            raise Problem(
                409,
                "idempotency_key_in_progress",
                "a request with this Idempotency-Key is still being answered: wait for it, "
                "then send this one again for its answer",
                detail_zh="使用此幂等键的请求仍在处理中：请稍候再发送以取得其结果",
                headers={"Retry-After": str(int(ABANDONED_AFTER.total_seconds()))},
            )
        response = _response(status, body, tag, where)
        response.headers["Idempotent-Replayed"] = "true"
        return response


def _response(status: int, body: bytes, tag: str, where: str) -> Response[Recorded]:
    headers = {"ETag": tag}
    if where:
        headers["Location"] = where
    return Response(body, status_code=status, media_type=JSON, headers=headers)  # type: ignore[arg-type]


async def provide_command(
    request: Request[Principal, str, Any],
    casework: ServedCasework,
    by: Principal,
    idempotency_key: Annotated[
        str | None,
        HeaderParameter(
            name="Idempotency-Key",
            required=False,
            min_length=1,
            max_length=IDEMPOTENCY_KEY_MAX,
            description="Any unique string (a UUID): a retry with the same key and body "
            "gets the first answer and records nothing again.",
        ),
    ] = None,
) -> Command:
    body = await request.body()
    return Command(
        casework=casework,
        by=by,
        idempotency_key=idempotency_key,
        request_hash=request_hash(request.method, request.url.path, body),
        table=request.app.state.idempotency,
    )
