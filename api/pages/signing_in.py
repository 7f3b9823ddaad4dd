"""Who is asking, for the pages: the session cookie becomes the `Principal` of a live
session (`Casework.authenticate`, access point `page`), and the sign-in and sign-out
pages that set and clear it. Nothing here decides access.

The cookie is HttpOnly and SameSite=Lax, and Secure when the request came over https
or `CASEWORK_SECURE_COOKIES=1` says the pages are served behind a TLS proxy. Every
form carries a CSRF token (the pages' router runs Litestar's CSRF middleware).
"""

import os
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import URLEncodedBody
from litestar.response import Redirect

from api.authentication import session_checked
from api.dependencies import Service
from api.pages.language import N_
from api.pages.rendering import language_of, render
from api.pages.routes import form
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import Role, RuleBroken
from casework.application import Casework
from casework.application.accounts import NotSignedIn
from casework.application.principal import AccessPoint, Principal

SESSION_COOKIE = "casework_session"
SIGN_IN = "/sign-in"
HOME = "/"

# What a refused sign-in says, by the rule the accounts service named.
SIGN_IN_REFUSALS = {
    "sign_in_failed": N_("The user name, password or one-time code is wrong."),
    "sign_in_too_soon": N_("Too soon after a failed sign-in: wait a moment and try again."),
    "account_locked": N_("This account is locked for a while after too many failed sign-ins."),
    "source_locked": N_("Too many failed sign-ins from this computer: try again later."),
    "second_factor_required": N_("Enter the 6-digit code from your authenticator app."),
    "second_factor_not_enrolled": N_(
        "This account has no authenticator app yet: ask your administrator to enrol one."
    ),
    "role_not_held": N_("You do not hold this role today: choose one of your roles."),
    "staff_has_left": N_("This person has left the organisation."),
    "account_closed": N_("This account is closed."),
    "invalid_value": N_("Choose a role."),
}
SIGN_IN_REFUSED = N_("Sign-in was refused.")


def secure_cookies(request: Request[Any, Any, Any]) -> bool:
    forced = os.environ.get("CASEWORK_SECURE_COOKIES", "").strip().lower()
    return request.url.scheme == "https" or forced in ("1", "true", "yes", "on")


def session_cookie(request: Request[Any, Any, Any], token: str) -> Cookie:
    """The session cookie: no max-age (it ends with the browser; the server ends the
    session itself after its idle and absolute limits)."""
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )


class SignInNeeded(RuleBroken):
    """No live session behind the cookie: the pages send the browser to sign in."""

    rule = "not_signed_in"
    status = 401


def local_path(target: str | None) -> str:
    """Somewhere on this site to go back to after signing in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME


def _authenticate(
    casework: Casework, token: str, case_id: UUID | None, write: bool, source: str
) -> Principal:
    try:
        return casework.authenticate(token, AccessPoint.PAGE)
    except NotSignedIn as error:
        if case_id is not None:
            casework.record_access(
                None,
                AccessAction.WRITE if write else AccessAction.READ,
                case_id=case_id,
                outcome=AccessOutcome.REFUSED,
                reason=error.message,
                source=source,
            )
        raise SignInNeeded(error.message) from error


def client_source(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


async def page_principal(request: Request[Any, Any, Any]) -> Principal:
    """The `by` of every page behind sign-in."""
    casework: Casework = request.app.state.casework
    case_id = request.path_params.get("case_id")
    return await session_checked(
        casework,
        _authenticate,
        casework,
        request.cookies.get(SESSION_COOKIE, ""),
        case_id if isinstance(case_id, UUID) else None,
        request.method not in ("GET", "HEAD"),
        client_source(request),
    )


@dataclass
class SignInForm:
    user_name: str = ""
    password: str = ""
    role: str = ""
    totp_code: str = ""
    next: str = ""
    _csrf_token: str = field(default="", repr=False)


ROLES = [role.value for role in Role]


class SignInPages(Controller):
    path = ""
    opt = {"exclude_from_auth": True}  # noqa: RUF012 - Litestar reads it from the class

    def _form(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        form: SignInForm,
        message: str = "",
        status_code: int = 200,
    ) -> Response[str]:
        return render(
            request,
            "sign_in.html",
            status_code,
            form=form,
            roles=ROLES,
            message=message,
            second_factor=casework.settings.require_totp,
        )

    @get(
        SIGN_IN,
        operation_id="pageSignIn",
        summary="Page: sign in",
        include_in_schema=False,
        sync_to_thread=False,
    )
    def sign_in_page(self, request: Request[Any, Any, Any], casework: Service) -> Response[str]:
        target = local_path(request.query_params.get("next"))
        return self._form(request, casework, SignInForm(role="caseworker", next=target))

    @post(
        SIGN_IN,
        operation_id="pageSignInSubmit",
        summary="Page: sign in (form)",
        include_in_schema=False,
        sync_to_thread=True,
        status_code=303,
    )
    def sign_in(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        data: URLEncodedBody[SignInForm],
    ) -> Response[Any]:
        language = language_of(request)
        try:
            signed_in = casework.sign_in(
                data.user_name.strip(),
                data.password,
                data.totp_code.strip() or None,
                data.role,
                client_source(request),
                AccessPoint.PAGE,
            )
        except RuleBroken as refused:
            message = language.gettext(SIGN_IN_REFUSALS.get(refused.rule, SIGN_IN_REFUSED))
            retry = refused.details.get("retry_after")
            if isinstance(retry, int) and retry > 0:
                message += " " + language.ngettext(
                    "Try again in %(num)d second.", "Try again in %(num)d seconds.", retry
                )
            kept = SignInForm(user_name=data.user_name, role=data.role, next=data.next)
            return self._form(request, casework, kept, message, refused.status)
        response: Response[Any] = Redirect(local_path(data.next), status_code=303)
        response.set_cookie(session_cookie(request, signed_in.token))
        return response

    @form("/sign-out", operation_id="pageSignOut", summary="Page: sign out")
    def sign_out(self, request: Request[Any, Any, Any], casework: Service) -> Response[Any]:
        token = request.cookies.get(SESSION_COOKIE, "")
        if token:
            # An ended session is no error: signing out again changes nothing.
            with suppress(NotSignedIn):
                casework.sign_out(casework.authenticate(token, AccessPoint.PAGE))
        response: Response[Any] = Redirect(SIGN_IN, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
