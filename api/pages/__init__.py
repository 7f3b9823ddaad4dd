"""The web pages: server-rendered (Jinja) in Simplified Chinese or English, served by
the API's Litestar app (`pages_router()` is one of its route handlers).

The pages establish who is asking (the session cookie, `signing_in`) and show what the
service layer returns; they decide nothing about access. Refusals become pages in the
reader's language (`error.html`), never problem documents; a missing or ended
session sends the browser to sign in. Every form is CSRF-protected by the router's
own CSRF middleware (the JSON API, which takes bearer tokens, is not behind it).
Forms sent by HTMX are answered in place (`rendering.after_form`).
"""

import os
import secrets
from typing import Any

from litestar import Request, Response, Router, post
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.params import URLEncodedBody
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from api.pages.account_pages import AccountPages
from api.pages.case_forms import CaseForms
from api.pages.case_pages import CasePages, WorkPages
from api.pages.compliance_pages import CompliancePages
from api.pages.dashboard_pages import DashboardPages
from api.pages.intake_pages import IntakePages
from api.pages.language import LANGUAGE_COOKIE, LOCALES, N_
from api.pages.referral_pages import ReferralPages
from api.pages.rendering import language_of, partial, render
from api.pages.signing_in import (
    SIGN_IN,
    SignInNeeded,
    SignInPages,
    local_path,
    page_principal,
    secure_cookies,
)
from api.pages.supervisor_pages import SupervisorPages
from casework.aggregates.base import RuleBroken

STATIC_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")
CSRF_COOKIE = "casework_csrf"

# What a refusal is called on its page, by the rule the service layer named.
RULE_TITLES = {
    "access_denied": N_("You may not see or do this"),
    "access_log_not_allowed": N_("The access log is not shown to you"),
    "access_not_recorded": N_("The access could not be recorded, so nothing is shown"),
    "case_closed": N_("The case is closed"),
    "concurrent_update": N_("Someone else changed this case"),
    "consent_missing": N_("The client's consent does not cover this"),
    "erased": N_("The record was erased"),
    "lead_worker_only": N_("Only the lead worker may do this"),
    "not_found": N_("Not found"),
    "not_on_team": N_("Not on the case team"),
    "csrf_failed": N_("The form has expired"),
}
REFUSED = N_("The request could not be completed")
CSRF_HINT = N_("Reload the page and send the form again.")


def _error_page(
    request: Request[Any, Any, Any], rule: str, status: int, detail: str
) -> Response[str]:
    return render(
        request,
        "error.html",
        status,
        title=RULE_TITLES.get(rule, REFUSED),
        detail=detail,
        rule=rule,
    )


def _refused(request: Request[Any, Any, Any], error: RuleBroken) -> Response[Any]:
    if isinstance(error, SignInNeeded):
        to = f"{SIGN_IN}?next={request.url.path}"
        # HTMX would follow a redirect and swap the sign-in page into this one.
        return ClientRedirect(to) if partial(request) else Redirect(to, status_code=303)
    return _error_page(request, error.rule, error.status, error.message)


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[str]:
    if isinstance(error, PermissionDeniedException):
        language = language_of(request)
        return _error_page(request, "csrf_failed", 403, language.gettext(CSRF_HINT))
    if isinstance(error, NotFoundException):
        return _error_page(request, "not_found", 404, "")
    return _error_page(request, "bad_request", error.status_code, "")


@post(
    "/language",
    operation_id="pageLanguage",
    summary="Page: switch the language",
    include_in_schema=False,
    status_code=303,
    opt={"exclude_from_auth": True},
)
async def switch_language(
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, str]],
) -> Response[Any]:
    code = data.get("lang", "")
    response: Response[Any] = Redirect(local_path(data.get("next")), status_code=303)
    if code in LOCALES:
        response.set_cookie(
            Cookie(
                key=LANGUAGE_COOKIE,
                value=code,
                path="/",
                max_age=365 * 24 * 3600,
                samesite="lax",
                httponly=True,
                secure=secure_cookies(request),
            )
        )
    return response


def csrf_config() -> CSRFConfig:
    """Forms send `_csrf_token`; the secret comes from `CASEWORK_CSRF_SECRET` (set it
    when several worker processes serve the pages) or is made for this process."""
    return CSRFConfig(
        secret=os.environ.get("CASEWORK_CSRF_SECRET") or secrets.token_hex(32),
        cookie_name=CSRF_COOKIE,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=os.environ.get("CASEWORK_SECURE_COOKIES", "").strip().lower()
        in ("1", "true", "yes", "on"),
    )


def pages_router() -> Router:
    """The pages, their stylesheet at /static, and their error handling."""
    return Router(
        path="/",
        route_handlers=[
            SignInPages,
            WorkPages,
            CasePages,
            CaseForms,
            IntakePages,
            SupervisorPages,
            CompliancePages,
            ReferralPages,
            DashboardPages,
            AccountPages,
            switch_language,
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                include_in_schema=False,
                opt={"exclude_from_auth": True},
            ),
        ],
        dependencies={"by": Provide(page_principal)},
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf_config())],
        exception_handlers={RuleBroken: _refused, HTTPException: _http_error},
        request_class=HTMXRequest,
        opt={"exclude_from_auth": True},
        include_in_schema=False,
    )
