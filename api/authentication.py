"""Who is asking: `Authorization: Bearer <token>` becomes the `Principal` of a live
session (`Casework.authenticate`), attached to the request as `request.user`.

This middleware decides nothing about access: the service layer does, with the
principal it is given. A request without a live session is refused with 401; when it
asked for a case, the refused attempt is put in the access log first. Routes that
anyone may call (sign-in, health, the OpenAPI document) say so with
`opt={"exclude_from_auth": True}`.

On SQLite the session is checked on the event loop itself; on PostgreSQL in a worker
thread. The check is two indexed reads (the session row, the person's staff record),
and a write at most once per `IDLE_LIMIT_STEP` of a session. On SQLite those are
reads of a local file that take 0.2-0.3 ms of CPU and never wait on a network. A hop
to a thread and back cost more than the check itself: a handler's thread and the
loop take turns at the GIL, and each SQLite call releases it. Measured with
`benchmarks.bench_http` at 16 connections: the authenticated bare handler went from
about 500 to about 1,600 requests/s, the case read from 200-300 to 320-340 (ADR 0061).
On PostgreSQL each read is a round trip to a server, which must not stall the loop.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from anyio import to_thread
from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import RuleBroken
from casework.application import Casework
from casework.application.principal import AccessPoint, Principal

ANYONE = {"exclude_from_auth": True}


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def client_source(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Where a request came from, as sign-in counts failures per source."""
    return connection.client.host if connection.client else ""


async def session_checked(
    casework: Casework, check: Callable[..., Principal], *asked: Any
) -> Principal:
    """`check(*asked)` where this backend's session check belongs: on the event loop on
    SQLite, in a worker thread on PostgreSQL (the module's docstring, ADR 0061). The
    API's bearer tokens and the pages' session cookie both come through here."""
    if casework.database.backend == "sqlite":
        return check(*asked)
    return await to_thread.run_sync(check, *asked)


def _authenticate(
    casework: Casework, token: str, case_id: UUID | None, write: bool, source: str
) -> Principal:
    try:
        return casework.authenticate(token, AccessPoint.API)
    except RuleBroken as error:
        if case_id is not None:
            casework.record_access(
                None,
                AccessAction.WRITE if write else AccessAction.READ,
                case_id=case_id,
                outcome=AccessOutcome.REFUSED,
                reason=error.message,
                source=source,
            )
        raise


class BearerSession(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        casework: Casework = connection.app.state.casework
        token = bearer_token(connection.headers.get("authorization"))
        case_id = connection.path_params.get("case_id")
        asked = (
            casework,
            token,
            case_id if isinstance(case_id, UUID) else None,
            connection.scope["method"] not in ("GET", "HEAD"),
            client_source(connection),
        )
        principal = await session_checked(casework, _authenticate, *asked)
        return AuthenticationResult(user=principal, auth=token)
