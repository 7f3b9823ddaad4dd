"""The pages of a person's day: "my work" (my open cases by risk) and a case as the
service layer lets this reader see it, with the note form.

Each handler asks the service layer once (`read_case`, `who_read_case`,
`record_note`) and shows what it returns: what is withheld, and why, is the
reading's; a refused access-log question hides that section. A note is written with
the case version the form was read at; if someone wrote first, the page says so and
lists what changed since, from the audit timeline (kinds, people and times only).
"""

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from api.dependencies import Asking, Service
from api.pages.language import N_, Language
from api.pages.rendering import language_of, render
from casework.access import AccessDenied
from casework.aggregates.base import InvalidValue, Role, RuleBroken, now
from casework.aggregates.case import NoteKind, RiskLevel
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.access_log import AccessEntry, AccessLogNotAllowed
from casework.application.authorisation import CaseReading
from casework.application.errors import Conflict
from casework.application.principal import Principal
from casework.application.review_queue import reviews_shown
from casework.projections import Projections
from casework.store.access_index import AccessQuery

RISK_ORDER = [RiskLevel.CRITICAL, RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW]
ACCESS_LOG_SHOWN = 20
NOTE_KINDS = [k.value for k in NoteKind]
DISCIPLINES = [d.value for d in Discipline]
# Who is offered break-the-glass on a case refused to them: staff who work cases
# (administrators see no case content; compliance reviewers already read everything).
BREAK_GLASS_ROLES = frozenset(
    {Role.CASEWORKER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.SUPERVISOR, Role.CENTRE_DIRECTOR}
)
# Roles that may judge records (the service layer decides whether they may judge one).
JUDGING_ROLES = frozenset({Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.CENTRE_DIRECTOR})

# What a refused note says about its field, by the field the service layer named.
FIELD_MESSAGES = {
    "narrative": N_("Write what happened."),
    "duration_minutes": N_("Give the duration in whole minutes (zero or more)."),
    "kind": N_("Choose the kind of contact."),
    "discipline": N_("Choose the discipline you wrote in."),
    "occurred_at": N_("A note cannot record something yet to happen."),
}

# How long a page waits for the views to reach the log's end (the server's view
# runner keeps them fresh); past it, this process catches them up itself, one request
# at a time.
VIEW_WAIT_SECONDS = 2.0
_catching_up = threading.Lock()


def fresh(projections: Projections, name: str) -> None:
    """Read-your-writes: `name` has reached the end of the log before it is read."""
    if not projections.wait_for(projections.app.last_position(), VIEW_WAIT_SECONDS, [name]):
        with _catching_up:
            projections.catch_up()


class Names:
    """Staff names for one page (each person loaded once)."""

    def __init__(self, casework: Casework) -> None:
        self.casework = casework
        self.known: dict[UUID, str] = {}

    def __call__(self, staff_id: UUID | None) -> str:
        if staff_id is None:
            return "—"
        if staff_id not in self.known:
            try:
                self.known[staff_id] = self.casework.get_staff(staff_id).name
            except RuleBroken:
                self.known[staff_id] = str(staff_id)[:8]
        return self.known[staff_id]


def department_name(casework: Casework, department_id: UUID) -> str:
    try:
        return casework.get_organisation().department(department_id).name
    except RuleBroken:
        return str(department_id)[:8]


class WorkPages(Controller):
    path = ""

    @get(
        "/",
        operation_id="pageMyWork",
        summary="Page: my work",
        include_in_schema=False,
        sync_to_thread=True,
    )
    def my_work(
        self, request: Request[Any, Any, Any], casework: Service, by: Asking
    ) -> Response[str]:
        projections: Projections = request.app.state.projections
        by_risk: dict[str, list[Any]] = defaultdict(list)
        if by.role is not Role.ADMINISTRATOR:
            fresh(projections, "case_index")
            with projections.read("case_index") as (view, connection):
                for listing in view.find(connection, open_only=True, worker_id=by.staff_id):
                    by_risk[listing.risk_level].append(listing)
        groups = [(risk.value, by_risk[risk.value]) for risk in RISK_ORDER if by_risk[risk.value]]
        return render(
            request,
            "my_work.html",
            by=by,
            me=Names(casework)(by.staff_id),
            groups=groups,
            total=sum(len(cases) for _, cases in groups),
            administrator=by.role is Role.ADMINISTRATOR,
        )


@dataclass
class NoteForm:
    kind: str = ""
    duration_minutes: str = ""
    narrative: str = ""
    discipline: str = ""
    version: str = ""
    _csrf_token: str = field(default="", repr=False)


@dataclass
class ChangeSince:
    version: int
    kind: str
    who: str
    role: str | None
    at: Any


def render_case(
    request: Request[Any, Any, Any],
    casework: Casework,
    by: Principal,
    case_id: UUID,
    status_code: int = 200,
    **extra: Any,
) -> Response[str]:
    """The case page as `by` may see it; `extra` says what a form just did or refused
    (`open_form`, `form`, `refusal`, `conflict`, `recorded`)."""
    reading = casework.read_case(by, case_id)
    extra.setdefault("recorded", "")
    extra.setdefault("form", None)
    return render(request, "case.html", status_code, **case_context(casework, by, reading), **extra)


def case_context(casework: Casework, by: Principal, reading: CaseReading) -> dict[str, Any]:
    case = reading.case
    names = Names(casework)
    access_log: list[AccessEntry] | None
    try:
        access_log = casework.who_read_case(by, case.id, AccessQuery(limit=ACCESS_LOG_SHOWN))
    except AccessLogNotAllowed:
        access_log = None
    plan = case.active_plan or case.pending_plan
    notes = sorted(case.notes.values(), key=lambda n: n.occurred_at, reverse=True)
    own = next((m.discipline.value for m in case.team if m.staff_id == by.staff_id), None)
    return {
        "reviews": reviews_shown(casework, by, reading),
        "glass": case.emergency_access_of(by.staff_id, now()),
        "judges": by.role in JUDGING_ROLES,
        "by": by,
        "case": case,
        "reading": reading,
        "shown": {str(kind) for kind in reading.shown},
        "names": names,
        "department": department_name(casework, case.department_id),
        "team": [m for m in case.team if m.removed_at is None],
        "plan": plan,
        "notes": notes,
        "access_log": access_log,
        "note_kinds": NOTE_KINDS,
        "disciplines": DISCIPLINES,
        "default_discipline": own or Discipline.SOCIAL_WORK.value,
    }


class CasePages(Controller):
    path = "/cases"

    @get(
        "/{case_id:uuid}",
        operation_id="pageCase",
        summary="Page: a case",
        include_in_schema=False,
        sync_to_thread=True,
    )
    def case_page(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
    ) -> Response[str]:
        recorded = request.query_params.get("recorded", "")
        try:
            return render_case(request, casework, by, case_id, recorded=recorded)
        except AccessDenied as refused:
            # Refused (and recorded): staff who work cases are offered break-the-glass.
            offer = by.role in BREAK_GLASS_ROLES
            return render(
                request,
                "error.html",
                403,
                title=N_("You may not see or do this"),
                detail=refused.message,
                rule=refused.rule,
                break_glass=case_id if offer else None,
            )

    @post(
        "/{case_id:uuid}/notes",
        operation_id="pageRecordNote",
        summary="Page: record a note (form)",
        include_in_schema=False,
        sync_to_thread=True,
        status_code=303,
    )
    def record_note(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        data: URLEncodedBody[NoteForm],
    ) -> Response[Any]:
        language = language_of(request)
        try:
            expected = int(data.version)
            casework.record_note(
                case_id,
                by,
                NoteKind(data.kind),
                data.narrative,
                _minutes(data.duration_minutes),
                None,
                Discipline(data.discipline),
                expected_version=expected,
            )
        except Conflict as conflict:
            changes = changes_since(request, casework, case_id, conflict)
            return render_case(
                request, casework, by, case_id, 409, form=data, open_form="note", conflict=changes
            )
        except (InvalidValue, ValueError) as refused:
            message = _field_message(language, refused, data)
            return render_case(
                request,
                casework,
                by,
                case_id,
                422,
                form=data,
                open_form="note",
                field_error=message,
            )
        return Redirect(f"/cases/{case_id}?recorded=note#notes", status_code=303)


def changes_since(
    request: Request[Any, Any, Any], casework: Casework, case_id: UUID, conflict: Conflict
) -> list[ChangeSince]:
    since = int(conflict.details.get("expected_version") or 0)
    projections: Projections = request.app.state.projections
    fresh(projections, "audit_timeline")
    names = Names(casework)
    with projections.read("audit_timeline") as (view, connection):
        entries = view.of_case(connection, case_id)
    return [
        ChangeSince(e.version, e.kind, names(e.actor_id), e.actor_role, e.recorded_at)
        for e in entries
        if e.record_id == case_id and e.version > since
    ]


def _minutes(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidValue("duration_minutes", "must be a whole number") from None


def _field_message(language: Language, refused: Exception, data: NoteForm) -> tuple[str, str]:
    """(field, message in the page's language) for a refused note."""
    if isinstance(refused, InvalidValue):
        name = refused.field
    elif data.kind not in NOTE_KINDS:
        name = "kind"
    elif data.discipline not in DISCIPLINES:
        name = "discipline"
    else:
        name = "version"
    message = FIELD_MESSAGES.get(name, N_("This value is not valid."))
    return name, language.gettext(message)
