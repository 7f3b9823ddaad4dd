"""The case page's forms other than the note: each posts to one service-layer command
with the case version the page was read at. A conflict re-renders the case with what
changed since (as the note form does); a refusal re-renders it with the message
beside the field the service layer named, in the reader's language, and what was
typed kept.

`CaseForms.submit` is one route (`/cases/{case_id}/{form}`): `FORMS` maps each form's
name to the function that reads its fields and calls the service layer.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from api.dependencies import Asking, Service
from api.pages.case_pages import changes_since, render_case
from api.pages.forms import Unreadable, choice, refusal_of, uuid_of, whole
from api.pages.rendering import language_of
from casework.aggregates.base import RuleBroken
from casework.aggregates.review import RecordKind
from casework.application import Casework
from casework.application.errors import Conflict, NotFound
from casework.application.principal import Principal

# Refusals shown as a page of their own: the reader may not act on this case at all.
PAGE_REFUSALS = frozenset({"not_found", "not_signed_in", "erased"})


@dataclass
class CaseForm:
    """Every field any of the case page's forms sends (each form uses some)."""

    version: str = ""
    record_kind: str = ""
    record_id: str = ""
    narrative: str = ""
    reason: str = ""
    hours: str = ""
    _csrf_token: str = field(default="", repr=False)


Handler = Callable[[Casework, Principal, UUID, CaseForm, int], None]


def _addendum(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    casework.add_addendum(
        case_id,
        by,
        choice(data.record_kind, ["note", "assessment", "closure"], "record_kind"),
        uuid_of(data.record_id, "record_id"),
        data.narrative,
        data.reason,
        expected_version=version,
    )


def _resubmit(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    kind = RecordKind(
        choice(data.record_kind, ["note", "assessment", "plan", "closure"], "record_kind")
    )
    casework.submit_revision(by, case_id, kind, uuid_of(data.record_id, "record_id"))


def _break_glass(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    hours = whole(data.hours or "4", "hours")
    if not 1 <= hours <= 24:
        raise Unreadable("hours")
    casework.break_the_glass(case_id, by, data.reason, timedelta(hours=hours))


def _end_glass(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    casework.end_emergency_access(case_id, by, uuid_of(data.record_id, "record_id"))


FORMS: dict[str, Handler] = {
    "addendum": _addendum,
    "resubmit": _resubmit,
    "break-glass": _break_glass,
    "end-glass": _end_glass,
}


class CaseForms(Controller):
    path = "/cases"

    @post(
        "/{case_id:uuid}/{form:str}",
        operation_id="pageCaseForm",
        summary="Page: a case form (addendum, revision, break the glass, …)",
        include_in_schema=False,
        sync_to_thread=True,
        status_code=303,
    )
    def submit(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        form: FromPath[str],
        data: URLEncodedBody[CaseForm],
    ) -> Response[Any]:
        handler = FORMS.get(form)
        if handler is None:
            raise NotFound("form", case_id)
        try:
            handler(casework, by, case_id, data, whole(data.version or "0", "version"))
        except Conflict as conflict:
            changes = changes_since(request, casework, case_id, conflict)
            return render_case(
                request, casework, by, case_id, 409, form=data, open_form=form, conflict=changes
            )
        except (RuleBroken, Unreadable) as error:
            if isinstance(error, RuleBroken) and (
                error.rule in PAGE_REFUSALS or form == "break-glass"
            ):
                raise
            refusal = refusal_of(language_of(request), error)
            return render_case(
                request, casework, by, case_id, 422, form=data, open_form=form, refusal=refusal
            )
        return Redirect(f"/cases/{case_id}?recorded={form}", status_code=303)
