"""The administrator's pages: the staff and their accounts (user name, locked or
closed, live sessions), opening an account for someone on staff (the one-time code
is shown once, on the page that answers the form, and never again), ending a
person's sessions, and lifting an account's or a source's lockout
(`casework.application.accounts`). Nothing of any case is read or shown here: staff
names, roles and departments only.
"""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response
from litestar.params import URLEncodedBody
from litestar.response import Redirect

from api.dependencies import Asking, Service
from api.pages.case_pages import department_name
from api.pages.forms import RULE_MESSAGES, Refusal, Unreadable, refusal_of, uuid_of
from api.pages.rendering import language_of, render
from api.pages.routes import form, page
from casework.aggregates.base import RuleBroken, now
from casework.application import Casework
from casework.application.principal import Principal

DONE = ("revoked", "unlocked", "source-unlocked")
PAGE_REFUSALS = frozenset({"not_signed_in", "accounts_are_for_administrators"})


@dataclass
class AccountForm:
    staff_id: str = ""
    user_name: str = ""
    reason: str = ""
    source: str = ""
    _csrf_token: str = field(default="", repr=False)


@dataclass(frozen=True)
class StaffAccount:
    staff_id: UUID
    name: str
    roles: list[str]
    department: str
    user_name: str
    locked_until: Any
    closed: bool
    sessions: int


def staff_accounts(casework: Casework, by: Principal) -> list[StaffAccount]:
    at = now()
    casework.live_sessions(by, by.staff_id)  # the service layer refuses all but administrators
    found = []
    for staff in sorted(casework.read_staff_list(by), key=lambda s: s.name):
        if not staff.active:
            continue
        account = casework.account_of_staff(staff.id)
        found.append(
            StaffAccount(
                staff.id,
                staff.name,
                [r.value for r in staff.roles],
                department_name(casework, by, staff.department_id) if staff.department_id else "—",
                account.user_name if account else "",
                account.locked_until if account and account.is_locked(at) else None,
                bool(account and account.closed),
                len(casework.live_sessions(by, staff.id)) if account else 0,
            )
        )
    return found


def render_accounts(
    request: Request[Any, Any, Any],
    casework: Casework,
    by: Principal,
    status_code: int = 200,
    **extra: Any,
) -> Response[str]:
    extra.setdefault("refusal", None)
    extra.setdefault("form_name", "")
    extra.setdefault("form", None)
    extra.setdefault("code", None)
    done = request.query_params.get("done", "")
    return render(
        request,
        "accounts.html",
        status_code,
        by=by,
        people=staff_accounts(casework, by),
        done=done if done in DONE else "",
        **extra,
    )


class AccountPages(Controller):
    path = "/accounts"

    @page("/", operation_id="pageAccounts", summary="Page: accounts (administrators)")
    def accounts(
        self, request: Request[Any, Any, Any], casework: Service, by: Asking
    ) -> Response[str]:
        return render_accounts(request, casework, by)

    def _refused(
        self,
        request: Request[Any, Any, Any],
        casework: Casework,
        by: Principal,
        form_name: str,
        data: AccountForm,
        error: RuleBroken | Unreadable,
    ) -> Response[str]:
        if isinstance(error, RuleBroken) and error.rule in PAGE_REFUSALS:
            raise error
        language = language_of(request)
        refusal: Refusal = refusal_of(language, error)
        if isinstance(error, RuleBroken) and error.rule == "user_name_taken":
            # Said beside the user name, which is what to change.
            message = language.gettext(RULE_MESSAGES["user_name_taken"])
            refusal = Refusal("user_name", message, refusal.detail)
        return render_accounts(
            request, casework, by, 422, refusal=refusal, form_name=form_name, form=data
        )

    @form(
        "/open",
        operation_id="pageOpenAccount",
        summary="Page: open an account (form)",
        status_code=200,
    )
    def open_account(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        data: URLEncodedBody[AccountForm],
    ) -> Response[Any]:
        try:
            code = casework.open_account(by, uuid_of(data.staff_id, "staff_id"), data.user_name)
        except (RuleBroken, Unreadable) as error:
            return self._refused(request, casework, by, "open", data, error)
        # Shown once, on this answer to the form: it is stored only as a hash.
        return render_accounts(request, casework, by, code=code)

    @form(
        "/revoke", operation_id="pageRevokeSessions", summary="Page: end a person's sessions (form)"
    )
    def revoke(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        data: URLEncodedBody[AccountForm],
    ) -> Response[Any]:
        try:
            casework.revoke_sessions(by, uuid_of(data.staff_id, "staff_id"), data.reason)
        except (RuleBroken, Unreadable) as error:
            return self._refused(request, casework, by, "revoke", data, error)
        return Redirect("/accounts?done=revoked", status_code=303)

    @form(
        "/unlock",
        operation_id="pageUnlockAccount",
        summary="Page: lift an account's lockout (form)",
    )
    def unlock(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        data: URLEncodedBody[AccountForm],
    ) -> Response[Any]:
        try:
            casework.unlock_account(by, data.user_name, data.reason)
        except (RuleBroken, Unreadable) as error:
            return self._refused(request, casework, by, "unlock", data, error)
        return Redirect("/accounts?done=unlocked", status_code=303)

    @form(
        "/unlock-source",
        operation_id="pageUnlockSource",
        summary="Page: lift a source's lockout (form)",
    )
    def unlock_source(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        data: URLEncodedBody[AccountForm],
    ) -> Response[Any]:
        try:
            casework.unlock_source(by, data.source, data.reason)
        except (RuleBroken, Unreadable) as error:
            return self._refused(request, casework, by, "source", data, error)
        return Redirect("/accounts?done=source-unlocked", status_code=303)
