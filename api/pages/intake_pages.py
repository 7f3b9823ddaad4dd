"""Intake: the form that opens a new case (`open_case`), for the caseworkers and the
head of a department, in their own department. The clients (up to `CLIENT_ROWS`, an
empty row is not a client), what brings them, who referred them, the risk with its
reason, the lead caseworker, and the consent taken at intake (given today, for the
disciplines ticked) if it was.

The service layer decides who may open a case and with which lead; a refusal is shown
beside the field it named, in the reader's language, with what was typed kept.
"""

from typing import Any

from litestar import Controller, Request, Response
from litestar.params import URLEncodedBody
from litestar.response import Redirect

from api.dependencies import Asking, Service
from api.pages.case_forms import CaseForm
from api.pages.case_pages import Choice
from api.pages.forms import Unreadable, choice, day_of, refusal_of, uuid_of
from api.pages.rendering import language_of, render
from api.pages.routes import form, page
from casework.aggregates.base import InvalidValue, Role, RuleBroken, now
from casework.aggregates.case import ReferralSource, RiskLevel, Sex
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.commands import command_of
from casework.application.commands.cases import OpenCase
from casework.application.principal import Principal

CLIENT_ROWS = 2
# Refusals shown as a page of their own.
PAGE_REFUSALS = frozenset({"not_signed_in"})
# What the domain calls a field, as the form names its input.
FIELD_NAMES = {"client name": "clients", "consent disciplines": "consent_disciplines"}
SOURCES = [s.value for s in ReferralSource]
RISKS = [r.value for r in RiskLevel]


def _leads(casework: Casework, by: Principal) -> list[Choice]:
    """The caseworkers of the reader's department (the lead must work there)."""
    department_id = casework.read_staff(by, by.staff_id).department_id
    staff = [
        s
        for s in casework.staff_directory(by)
        if s.active and s.department_id == department_id and Role.CASEWORKER in s.roles
    ]
    return [Choice(str(s.staff_id), s.name) for s in sorted(staff, key=lambda s: s.name)]


def _clients(data: CaseForm) -> list[dict[str, Any]]:
    """The client rows filled in, as `ClientDetails` fields (checked with the command)."""
    sexes = [s.value for s in Sex]
    clients = []
    for n in range(1, CLIENT_ROWS + 1):
        name = data.get(f"client-{n}-name").strip()
        if not name:
            continue
        born = data.get(f"client-{n}-date_of_birth").strip()
        clients.append(
            {
                "name": name,
                "sex": choice(data.get(f"client-{n}-sex") or "not_recorded", sexes, "sex"),
                "date_of_birth": day_of(born, "date_of_birth") if born else None,
                "id_number": data.get(f"client-{n}-id_number").strip() or None,
                "phone": data.get(f"client-{n}-phone").strip() or None,
                "address": data.get(f"client-{n}-address").strip(),
            }
        )
    return clients


def _open(casework: Casework, by: Principal, data: CaseForm) -> Any:
    department_id = casework.read_staff(by, by.staff_id).department_id
    if department_id is None:
        raise Unreadable("lead_worker_id")
    consent: dict[str, Any] | None = None
    if data.get("consent_given"):
        allowed = [d.value for d in Discipline]
        consent = {
            "given": True,
            "on": now().date(),
            "disciplines": [
                choice(d, allowed, "consent_disciplines") for d in data.all("consent_disciplines")
            ],
        }
    try:
        return casework.open_case(
            by,
            # Checked against the command's declared limits, as the API's decoder does.
            command_of(
                OpenCase,
                {
                    "clients": _clients(data),
                    "presenting_problem": data.get("presenting_problem"),
                    "referral_source": choice(
                        data.get("referral_source"), SOURCES, "referral_source"
                    ),
                    "department_id": department_id,
                    "lead_worker_id": uuid_of(data.get("lead_worker_id"), "lead_worker_id"),
                    "risk_level": choice(data.get("risk_level"), RISKS, "risk_level"),
                    "risk_rationale": data.get("risk_rationale"),
                    "referral_detail": data.get("referral_detail"),
                    "consent": consent,
                },
            ),
        )
    except InvalidValue as refused:
        if refused.field in FIELD_NAMES:
            raise InvalidValue(FIELD_NAMES[refused.field], refused.message) from refused
        raise


def render_intake(
    request: Request[Any, Any, Any],
    casework: Casework,
    by: Principal,
    status_code: int = 200,
    **extra: Any,
) -> Response[str]:
    return render(
        request,
        "intake.html",
        status_code,
        by=by,
        leads=_leads(casework, by),
        sources=SOURCES,
        risks=RISKS,
        sexes=[s.value for s in Sex],
        disciplines=[d.value for d in Discipline],
        client_rows=CLIENT_ROWS,
        form=extra.pop("form", None),
        refusal=extra.pop("refusal", None),
        **extra,
    )


class IntakePages(Controller):
    path = "/intake"

    @page("/", operation_id="pageIntake", summary="Page: open a new case (intake form)")
    def intake_page(
        self, request: Request[Any, Any, Any], casework: Service, by: Asking
    ) -> Response[str]:
        return render_intake(request, casework, by)

    @form("/", operation_id="pageOpenCase", summary="Page: open a new case (form)")
    def open_case(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response[Any]:
        sent = CaseForm.of(data)
        try:
            case_id = _open(casework, by, sent)
        except (RuleBroken, Unreadable) as error:
            if isinstance(error, RuleBroken) and error.rule in PAGE_REFUSALS:
                raise
            refusal = refusal_of(language_of(request), error)
            return render_intake(request, casework, by, 422, form=sent, refusal=refusal)
        return Redirect(f"/cases/{case_id}?recorded=intake", status_code=303)
