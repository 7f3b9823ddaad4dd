"""`/api/v1/accounts` and `/api/v1/staff/{staff_id}/sessions`: administrators open an
account for someone on staff (answered with the one-time code to hand them), unlock a
locked account, and end a person's sessions. The service layer refuses anyone else.

These take no `Idempotency-Key`: the one-time code is a secret that is never stored,
and unlocking or ending sessions again changes nothing more."""

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from api.cases import NO_STORE
from api.dependencies import Asking, Service
from api.problems import problem_responses
from api.schemas.accounts import (
    OneTimeCodeView,
    OpenAccount,
    ReasonOnly,
    SessionsEnded,
    UserName,
)

ADMIN = problem_responses(400, 401, 403, 404, 409, 422)


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ("accounts",)

    @post(
        "/",
        operation_id="openAccount",
        summary="Open an account for someone on staff: the one-time code to set a password",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=ADMIN,
    )
    def open_account(
        self, casework: Service, by: Asking, data: JSONBody[OpenAccount]
    ) -> Response[OneTimeCodeView]:
        code = casework.open_account(by, data.staff_id, data.user_name)
        view = msgspec.convert(code, OneTimeCodeView, from_attributes=True)
        return Response(view, status_code=HTTP_201_CREATED, headers=NO_STORE)

    @post(
        "/{user_name:str}/unlock",
        operation_id="unlockAccount",
        summary="Lift an account's lockout before it runs out",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=True,
        responses=ADMIN,
    )
    def unlock(
        self,
        casework: Service,
        by: Asking,
        user_name: FromPath[UserName],
        data: JSONBody[ReasonOnly],
    ) -> None:
        casework.unlock_account(by, user_name, data.reason)


class StaffSessionController(Controller):
    path = "/api/v1/staff/{staff_id:uuid}/sessions"
    tags = ("accounts",)

    @delete(
        "/",
        operation_id="revokeSessions",
        summary="End every open session of a person (a lost laptop, a suspicion)",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=ADMIN,
    )
    def revoke(
        self,
        casework: Service,
        by: Asking,
        staff_id: FromPath[UUID],
        reason: Annotated[str, QueryParameter(max_length=200)] = "",
    ) -> SessionsEnded:
        return SessionsEnded(
            staff_id=staff_id, ended=casework.revoke_sessions(by, staff_id, reason)
        )
