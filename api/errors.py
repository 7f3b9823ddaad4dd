"""The one mapping from everything a request can raise to a problem response.

- `RuleBroken` (the domain's and the service layer's refusals) keeps its `rule`,
  `status`, message and field; a version conflict found before anything was written
  is 412 with the current version.
- Litestar's own errors: a body that breaks its schema is 422 naming the field; no
  route is 404, a wrong method 405, a body over the limit 413, unreadable JSON 400,
  no credentials 401.
- The store's database out of reach (a lost or refused PostgreSQL connection, the
  pool's wait for one running out, SQLite's lock held too long) is 503 with
  `Retry-After`: the request can be sent again once the database is back, and the
  server recovers by itself (its pool reconnects). A write whose connection was lost
  as it committed, when the database could not be asked again whether it was stored,
  is 503 `outcome_unknown`: the client reads the record before writing again.
- The disk holding the store full is 507 `storage_full`: nothing of the request was
  stored, and it will not succeed until the operator frees space.
- Anything else is a fault of the server: 500, logged here with its traceback, and
  nothing about it in the answer.
"""

import logging
import re
import sqlite3
from typing import Any

import psycopg
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ValidationException,
)
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin

from api.problems import Problem
from casework.aggregates.base import RuleBroken
from casework.application.errors import Conflict
from casework.store.errors import OutcomeUnknown, StoreBusy, StoreFull, StoreUnreachable
from casework.store.failures import store_error_from

logger = logging.getLogger("api")

# Seconds a client is asked to wait before sending again while the database is away.
STORE_RETRY_AFTER = 5

_HTTP_RULES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "access_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "too_many_requests",
    503: "service_unavailable",
}
# msgspec names a nested field as "- at `$.clients[0].name`", an unknown or missing
# one in backquotes.
_AT_PATH = re.compile(r" - at `\$\.?([^`]*)`")
_NAMED = re.compile(r"(?:unknown|missing required) field `([^`]+)`")


def _retry_headers(error: RuleBroken) -> dict[str, str]:
    retry = error.details.get("retry_after")
    return {"Retry-After": str(int(retry))} if isinstance(retry, int) and retry > 0 else {}


def from_rule(error: RuleBroken) -> Problem:
    details = error.details
    if isinstance(error, Conflict) and "expected_version" in details:
        return Problem(
            412,
            "precondition_failed",
            f"the record is at version {details['current_version']}, not "
            f"{details['expected_version']}: someone changed it since you read it; "
            "read it again and send the new ETag in If-Match",
            detail_zh=f"记录当前为第 {details['current_version']} 版，而非第 "
            f"{details['expected_version']} 版：您读取后已有人修改，请重新读取并在 If-Match "
            "中发送新的 ETag",
            current_version=details["current_version"],
            expected_version=details["expected_version"],
        )
    field = getattr(error, "field", None) or details.get("field")
    headers = _retry_headers(error)
    if error.status == 503 and "Retry-After" not in headers:
        # The service layer could not use the store (an access it could not record):
        # the client may send the request again once the database answers.
        headers["Retry-After"] = str(STORE_RETRY_AFTER)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="casework"'
    return Problem(
        error.status,
        error.rule,
        error.message,
        headers=headers or None,
        field=field,
        retry_after=details.get("retry_after") or None,
        current_version=details.get("current_version"),
    )


def _field_of(message: str, key: str | None) -> str | None:
    for pattern in (_AT_PATH, _NAMED):
        found = pattern.search(message)
        if found:
            return found.group(1)
    return key if key and key != "data" else None


def from_validation(error: ValidationException) -> Problem:
    """Each broken field of a body, query or path, the first one as `field`."""
    errors: list[dict[str, Any]] = []
    for item in error.extra if isinstance(error.extra, list) else []:
        message = str(item.get("message", ""))
        errors.append(
            {
                "field": _field_of(message, item.get("key")),
                "source": item.get("source"),
                "message": _AT_PATH.sub("", message),
            }
        )
    first = errors[0] if errors else {"field": None, "message": "the request is not valid"}
    detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return Problem(422, "invalid_value", detail, field=first["field"], errors=errors)


def from_http(error: HTTPException) -> Problem:
    if isinstance(error, ValidationException):
        return from_validation(error)
    status = error.status_code
    if isinstance(error, NotAuthorizedException):
        return Problem(
            401,
            "not_signed_in",
            "sign in first: POST /api/v1/sessions, then send Authorization: Bearer <token>",
            detail_zh="请先登录：POST /api/v1/sessions，然后发送 Authorization: Bearer <token>",
            headers={"WWW-Authenticate": 'Bearer realm="casework"'},
        )
    if status >= 500:
        return from_unexpected(error)
    rule = _HTTP_RULES.get(status, "bad_request")
    detail = {
        404: "there is nothing at this address",
        405: "this address does not accept this method",
        413: "the request body is larger than this server accepts",
    }.get(status, str(error.detail or "the request could not be read"))
    headers = {k: v for k, v in (error.headers or {}).items() if k.lower() == "allow"}
    return Problem(status, rule, detail, headers=headers or None)


_SQLITE_BUSY = ("database is locked", "database table is locked")


def _store_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what caused it: the eventsourcing library and SQLAlchemy wrap
    the driver's error) says the database cannot be reached or is busy, as opposed to
    a fault of the server."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, StoreUnreachable | StoreBusy | psycopg.OperationalError):
            return True
        if isinstance(cause, sqlite3.OperationalError) and str(cause) in _SQLITE_BUSY:
            return True
        original = getattr(cause, "orig", None)  # SQLAlchemy's DBAPIError
        if isinstance(original, BaseException) and original is not cause:
            cause = original
            continue
        cause = cause.__cause__ or cause.__context__
    return False


def store_unavailable() -> Problem:
    return Problem(
        503,
        "service_unavailable",
        "the database is out of reach for the moment: nothing was done by this request "
        "unless it said so; send it again (with the same Idempotency-Key) after the "
        "Retry-After seconds",
        detail_zh="数据库暂时无法访问：除非响应另有说明，本次请求未做任何更改；请在 "
        "Retry-After 秒后重新发送（使用同一个 Idempotency-Key）",
        headers={"Retry-After": str(STORE_RETRY_AFTER)},
        retry_after=STORE_RETRY_AFTER,
    )


def outcome_unknown(error: OutcomeUnknown) -> Problem:
    return Problem(
        503,
        "outcome_unknown",
        str(error),
        detail_zh="提交此写入时与数据库的连接中断，且无法再向数据库确认是否已保存：请先读取"
        "该记录，确认您的更改是否已在其中，再决定是否重新写入（若已保存，使用同一 If-Match "
        "重新发送的更新会被拒绝）",
        headers={"Retry-After": str(STORE_RETRY_AFTER)},
        retry_after=STORE_RETRY_AFTER,
        record_id=str(error.record_id) if error.record_id is not None else None,
    )


def storage_full() -> Problem:
    return Problem(
        507,
        "storage_full",
        "the disk holding the store is full: nothing of this request was stored; tell "
        "the operator, and send it again once space has been freed",
        detail_zh="存放数据的磁盘已满：本次请求未保存任何内容；请通知管理员，腾出空间后再重新发送",
    )


def from_unexpected(error: Exception) -> Problem:
    if isinstance(store_error_from(error, None), StoreFull):
        logger.error("the disk holding the store is full: answered 507")
        return storage_full()
    if isinstance(error, OutcomeUnknown):
        logger.warning("a write's outcome is unknown (connection lost as it committed)")
        return outcome_unknown(error)
    if _store_unavailable(error):
        logger.warning("the database is out of reach: answered 503 (%s)", type(error).__name__)
        return store_unavailable()
    logger.error("unexpected error while answering a request", exc_info=error)
    return Problem(
        500,
        "internal_error",
        "the server could not answer this request: read the record again before "
        "retrying, and tell the operator if it persists",
        detail_zh="服务器无法处理此请求：重试前请重新读取记录；如问题持续请联系管理员",
    )


def problem_details() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                RuleBroken: from_rule,
                HTTPException: from_http,
                Exception: from_unexpected,
            }
        )
    )
