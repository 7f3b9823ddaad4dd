"""The compliance reviewer's pages: the review's purpose (asked once, kept with the page
session), the ledger's verification status and last signed checkpoint, a case as of a
chosen instant (as recorded or as occurred), what changed between two instants, and
the export of a case with its proofs.

Every read goes through the service layer (`replay`, `diff_record`, `export_case`,
`visible_cases`) as the principal `for_purpose` the reviewer stated, so each access
record carries it. The purpose cookie names the session it was stated in and is
ignored in any other.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from api.dependencies import Asking, Service
from api.pages.case_pages import Names, fresh
from api.pages.forms import Refusal, Unreadable, choice, instant_of, refusal_of
from api.pages.language import TIME_ZONE
from api.pages.rendering import language_of, render
from api.pages.routes import page
from api.pages.signing_in import secure_cookies
from casework.aggregates.base import Role, RuleBroken, now
from casework.application import Casework
from casework.application.principal import Principal
from casework.compliance.replay import Basis
from casework.projections import Projections

PURPOSE_COOKIE = "casework_purpose"
BASES = {"recorded": Basis.RECORDED, "occurred": Basis.OCCURRED}
CASES_LISTED = 50
PURPOSE_MAX = 200


class ReviewerOnly(RuleBroken):
    """The compliance pages are for compliance reviewers."""

    rule = "access_denied"
    status = 403


@dataclass
class PurposeForm:
    purpose: str = ""
    next: str = ""
    _csrf_token: str = field(default="", repr=False)


def _encode(session_id: UUID | None, purpose: str) -> str:
    raw = json.dumps({"session": str(session_id), "purpose": purpose}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def stated_purpose(request: Request[Any, Any, Any], by: Principal) -> str | None:
    """The purpose stated in this page session, if any."""
    try:
        data = json.loads(base64.urlsafe_b64decode(request.cookies.get(PURPOSE_COOKIE, "")))
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("session") != str(by.session_id):
        return None
    purpose = data.get("purpose")
    return purpose if isinstance(purpose, str) and purpose.strip() else None


def _reviewer(by: Principal) -> None:
    if by.role is not Role.COMPLIANCE_REVIEWER:
        raise ReviewerOnly("the compliance pages are for compliance reviewers")


def _local_input(value: datetime) -> str:
    """A `datetime-local` input's value for an instant, in the centres' time zone."""
    return value.astimezone(ZoneInfo(TIME_ZONE)).strftime("%Y-%m-%dT%H:%M")


class CompliancePages(Controller):
    path = "/compliance"

    def _asking(self, request: Request[Any, Any, Any], by: Principal) -> Principal | None:
        _reviewer(by)
        purpose = stated_purpose(request, by)
        return None if purpose is None else by.for_purpose(purpose)

    def _purpose_page(
        self,
        request: Request[Any, Any, Any],
        by: Principal,
        refusal: Refusal | None = None,
        status_code: int = 200,
        target: str = "",
    ) -> Response[str]:
        """Asks for the purpose, then goes on to `target` (default: this page)."""
        if not target:
            query = f"?{request.url.query}" if request.url.query else ""
            target = request.url.path + query if request.method == "GET" else "/compliance"
        return render(
            request,
            "compliance_purpose.html",
            status_code,
            by=by,
            next=target if target.startswith("/compliance") else "/compliance",
            refusal=refusal,
        )

    @post(
        "/purpose",
        operation_id="pageCompliancePurpose",
        summary="Page: state the review's purpose",
        include_in_schema=False,
        sync_to_thread=False,
        status_code=303,
    )
    def state_purpose(
        self, request: Request[Any, Any, Any], by: Asking, data: URLEncodedBody[PurposeForm]
    ) -> Response[Any]:
        _reviewer(by)
        purpose = " ".join(data.purpose.split())[:PURPOSE_MAX]
        if not purpose:
            refusal = refusal_of(language_of(request), Unreadable("purpose"))
            return self._purpose_page(request, by, refusal, 422, data.next)
        target = data.next if data.next.startswith("/compliance") else "/compliance"
        response: Response[Any] = Redirect(target, status_code=303)
        response.set_cookie(
            Cookie(
                key=PURPOSE_COOKIE,
                value=_encode(by.session_id, purpose),
                path="/compliance",
                httponly=True,
                samesite="lax",
                secure=secure_cookies(request),
            )
        )
        return response

    @page("/", operation_id="pageCompliance", summary="Page: compliance review")
    def overview(
        self, request: Request[Any, Any, Any], casework: Service, by: Asking
    ) -> Response[str]:
        asking = self._asking(request, by)
        if asking is None:
            return self._purpose_page(request, by)
        checkpoint = casework.read_latest_checkpoint(asking)
        verifying = request.query_params.get("verify") == "1"
        report = casework.read_verification(asking) if verifying else None
        projections: Projections = request.app.state.projections
        fresh(projections, "case_index")
        with projections.read("case_index") as (view, connection):
            listed = [c.case_id for c in view.find(connection, limit=CASES_LISTED)]
        cases = casework.visible_cases(asking, listed)
        return render(
            request,
            "compliance.html",
            by=by,
            purpose=asking.purpose,
            checkpoint=checkpoint,
            report=report,
            cases=cases,
            names=Names(casework, by),
            last_position=casework.last_position(),
        )

    def _case_page(
        self, request: Request[Any, Any, Any], casework: Casework, by: Principal, case_id: UUID
    ) -> Response[str]:
        asking = self._asking(request, by)
        if asking is None:
            return self._purpose_page(request, by)
        q = request.query_params
        language = language_of(request)
        # The inputs hold minutes: "now" is the end of this minute, so what was recorded
        # a moment ago is still in when the form is sent back.
        current = (now() + timedelta(minutes=1)).replace(second=0, microsecond=0)
        refusal = None
        replay = changes = None
        basis_name = q.get("basis", "recorded")
        try:
            basis = BASES[choice(basis_name, list(BASES), "basis")]
            at = instant_of(q["at"], "at") if q.get("at") else current
            since = instant_of(q["since"], "since") if q.get("since") else None
            until = instant_of(q["until"], "until") if q.get("until") else current
            replay = casework.replay(asking, case_id, at, basis)
            if since is not None:
                changes = casework.diff_record(asking, case_id, since, until, basis)
        except (Unreadable, KeyError) as error:
            refusal = refusal_of(
                language, error if isinstance(error, Unreadable) else Unreadable("basis")
            )
            at, since, until, basis = current, None, current, Basis.RECORDED
        except RuleBroken as error:
            if error.rule != "invalid_value":
                raise
            refusal = refusal_of(language, error)
            at, since, until, basis = current, None, current, Basis.RECORDED
        default_since = since or (current - timedelta(days=1))
        return render(
            request,
            "compliance_case.html",
            422 if refusal else 200,
            by=by,
            purpose=asking.purpose,
            case_id=case_id,
            replay=replay,
            changes=changes,
            basis=basis_name if basis_name in BASES else "recorded",
            refusal=refusal,
            at_value=_local_input(at),
            since_value=_local_input(default_since),
            until_value=_local_input(until),
            names=Names(casework, by),
        )

    @page(
        "/cases/{case_id:uuid}",
        operation_id="pageComplianceCase",
        summary="Page: a case as of an instant",
    )
    def case_as_of(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
    ) -> Response[str]:
        return self._case_page(request, casework, by, case_id)

    @post(
        "/cases/{case_id:uuid}/export",
        operation_id="pageComplianceExport",
        summary="Page: export a case with its proofs",
        include_in_schema=False,
        sync_to_thread=True,
    )
    def export(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
    ) -> Response[Any]:
        asking = self._asking(request, by)
        if asking is None:
            return self._purpose_page(request, by)
        bundle = casework.export_case(asking, case_id)
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        return Response(
            bundle.encode(),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="case-{case_id}-{stamp}.json"',
                "Cache-Control": "no-store",
            },
        )
