"""`/api/v1/sessions`: sign in for a bearer token, see who it says you are, sign out.

Sign-in is limited across every worker process by the counters the accounts service
keeps in the database (per account and per source address): a refusal while locked
or too soon is 429 with `Retry-After`. It takes no `Idempotency-Key`: its answer is a
secret that is never stored, and a repeated sign-in only opens another session.
"""

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from api.authentication import ANYONE, client_source
from api.dependencies import Asking, Service
from api.problems import problem_responses
from api.schemas.sessions import Principal as PrincipalBody
from api.schemas.sessions import Session, SignIn
from casework.application.principal import AccessPoint


class SessionController(Controller):
    path = "/api/v1/sessions"
    tags = ("sessions",)

    @post(
        "/",
        operation_id="signIn",
        summary="Sign in: a bearer token for acting in one role",
        status_code=HTTP_201_CREATED,
        opt=ANYONE,
        sync_to_thread=True,
        security=[],
        responses=problem_responses(400, 401, 403, 422, 429, 503),
    )
    def sign_in(self, casework: Service, data: JSONBody[SignIn], request: Request) -> Session:
        signed_in = casework.sign_in(
            data.user_name,
            data.password,
            data.totp_code,
            data.role,
            client_source(request),
            AccessPoint.API,
            data.purpose or "casework",
        )
        who = signed_in.principal
        return Session(
            token=signed_in.token,
            session_id=who.session_id,
            staff_id=who.staff_id,
            role=who.role,
            expires_at=signed_in.expires_at,
            absolute_expires_at=signed_in.absolute_expires_at,
            notice=signed_in.notice,
        )

    @get(
        "/current",
        operation_id="currentSession",
        summary="Who the token says you are",
        responses=problem_responses(401),
        sync_to_thread=False,
    )
    def current(self, by: Asking) -> PrincipalBody:
        return PrincipalBody(
            session_id=by.session_id, staff_id=by.staff_id, role=by.role, purpose=by.purpose
        )

    @delete(
        "/current",
        operation_id="signOut",
        summary="Sign out: the token stops working",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(401),
        sync_to_thread=True,
    )
    def sign_out(self, casework: Service, by: Asking) -> None:
        casework.sign_out(by)
