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
from functools import cached_property
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response
from litestar.params import FromPath, URLEncodedBody

from api.dependencies import Asking, Service
from api.pages.language import N_, Language
from api.pages.referral_diagram import BOX_HEIGHT, BOX_WIDTH, chains_of
from api.pages.rendering import after_form, language_of, render
from api.pages.routes import form, page
from casework.access import AccessDenied
from casework.aggregates.base import InvalidValue, Role, RuleBroken, now
from casework.aggregates.case import (
    OPEN_STATUSES,
    AssessmentDomain,
    CaseStatus,
    ClosureReason,
    GoalOutcome,
    NoteKind,
    RiskLevel,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.aggregates.referral import SharedPart, Urgency
from casework.application import Casework
from casework.application.access_log import AccessEntry, AccessLogNotAllowed
from casework.application.authorisation import CaseReading
from casework.application.commands import command_of
from casework.application.commands.cases import RecordNote
from casework.application.errors import Conflict, NotFound
from casework.application.principal import Principal
from casework.application.review_queue import reviews_shown
from casework.application.staff_directory import Colleague
from casework.application.supervision import SUPERVISED_ROLES, SupervisionDue
from casework.projections import Projections
from casework.projections.views.referral_chains import Hop
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
    "duration_minutes": N_("Give the duration in whole minutes, from 0 to 1440 (a day)."),
    "kind": N_("Choose the kind of contact."),
    "discipline": N_("Choose the discipline you wrote in."),
    "occurred_at": N_("A note cannot record something yet to happen."),
}

# How long a page waits for the views to reach the log's end (the server's view
# runner keeps them fresh); past it, this process catches them up itself, one request
# at a time.
VIEW_WAIT_SECONDS = 2.0
_catching_up = threading.Lock()


def fresh(projections: Projections, name: str, position: int | None = None) -> None:
    """Read-your-writes: `name` has reached `position` (the log's end by default)
    before it is read. A page passes the position it began at: the readings it records
    itself after that are no writes of the reader's for the view to wait for."""
    at = projections.app.last_position() if position is None else position
    if not projections.wait_for(at, VIEW_WAIT_SECONDS, [name]):
        with _catching_up:
            projections.catch_up()


class Names:
    """Staff names for one page, from the staff directory as the reader may see it
    (asked once per page, when a name is first needed)."""

    def __init__(self, casework: Casework, by: Principal) -> None:
        self.casework, self.by = casework, by

    @cached_property
    def colleagues(self) -> list[Colleague]:
        """The staff directory as the reader sees it (for the page's pickers too)."""
        return self.casework.staff_directory(self.by)

    @cached_property
    def _known(self) -> dict[UUID, str]:
        return {c.staff_id: c.name for c in self.colleagues}

    def __call__(self, staff_id: UUID | None) -> str:
        if staff_id is None:
            return "—"
        return self._known.get(staff_id, str(staff_id)[:8])


def department_name(casework: Casework, by: Principal, department_id: UUID) -> str:
    try:
        return casework.read_organisation(by).department(department_id).name
    except RuleBroken:
        return str(department_id)[:8]


class WorkPages(Controller):
    path = ""

    @page("/", operation_id="pageMyWork", summary="Page: my work")
    def my_work(
        self, request: Request[Any, Any, Any], casework: Service, by: Asking
    ) -> Response[str]:
        projections: Projections = request.app.state.projections
        began = casework.last_position()
        by_risk: dict[str, list[Any]] = defaultdict(list)
        if by.role is not Role.ADMINISTRATOR:
            fresh(projections, "case_index", began)
            with projections.read("case_index") as (view, connection):
                for listing in view.find(connection, open_only=True, worker_id=by.staff_id):
                    by_risk[listing.risk_level].append(listing)
        groups = [(risk.value, by_risk[risk.value]) for risk in RISK_ORDER if by_risk[risk.value]]
        administrator = by.role is Role.ADMINISTRATOR
        mine = [c.case_id for _, cases in groups for c in cases]
        return render(
            request,
            "my_work.html",
            by=by,
            me=Names(casework, by)(by.staff_id),
            groups=groups,
            total=sum(len(cases) for _, cases in groups),
            administrator=administrator,
            sent_back=[] if administrator else sent_back_to(casework, by, mine),
            waiting=[] if administrator else referrals_waiting(request, casework, by, began),
            action_items=[] if administrator else my_action_items(request, casework, by, began),
            next_supervision=None if administrator else my_next_supervision(casework, by),
            supervisees_overdue=[
                d for d in supervisees_due(casework, by) if d.is_overdue(now().date())
            ],
            names=Names(casework, by),
            holder_name=lambda kind, holder_id: holder_name(casework, by, kind, holder_id),
        )


@dataclass(frozen=True)
class SentBack:
    """A record of mine a reviewer asked me to revise (and I have not sent back yet)."""

    case_id: UUID
    kind: str
    record_id: UUID
    comments: str
    revised: bool


def _author(case: Any, kind: str, record_id: UUID) -> UUID | None:
    if kind == "note":
        record = case.notes.get(record_id)
        return None if record is None else record.by
    if kind == "assessment":
        record = case.assessments.get(record_id)
        return None if record is None else record.by
    if kind == "plan":
        return case.plan_versions[-1].proposed_by if case.plan_versions else None
    closure = next((c for c in case.closures if c.closure_id == record_id), None)
    return None if closure is None else closure.by


def sent_back_to(casework: Casework, by: Principal, case_ids: list[UUID]) -> list[SentBack]:
    """Over my open cases, read as any case page reads them (`read_case`,
    `reviews_shown`, both recorded): the records I wrote with a revision asked for."""
    found = []
    for case_id in case_ids:
        try:
            reading = casework.read_case(by, case_id)
        except RuleBroken:
            continue
        for record_id, state in reviews_shown(casework, by, reading).items():
            kind = state.review.record_kind.value
            if state.open_request_comments is None or state.resubmitted:
                continue
            if _author(reading.case, kind, record_id) != by.staff_id:
                continue
            found.append(
                SentBack(
                    case_id,
                    kind,
                    record_id,
                    state.open_request_comments,
                    state.revised_since_request,
                )
            )
    return found


ANSWERING_ROLES = frozenset({Role.CASEWORKER, Role.DEPARTMENT_HEAD})


def referrals_waiting(
    request: Request[Any, Any, Any], casework: Casework, by: Principal, began: int
) -> list[Hop]:
    """Referrals sent to my department and not yet answered (for its caseworkers and
    head, who answer them), from the referral-chains view; each is opened, and its
    reading recorded, on its own page."""
    if by.role not in ANSWERING_ROLES:
        return []
    department_id = casework.read_staff(by, by.staff_id).department_id
    if department_id is None:
        return []
    projections: Projections = request.app.state.projections
    fresh(projections, "referral_chains", began)
    with projections.read("referral_chains") as (view, connection):
        hops = view.of_holder(connection, department_id)
    return sorted(
        (h for h in hops if h.receiver_id == department_id and h.status == "sent"),
        key=lambda h: h.respond_by,
    )


@dataclass(frozen=True)
class MyActionItem:
    session_id: UUID
    description: str
    due_on: Any
    overdue: bool


def my_action_items(
    request: Request[Any, Any, Any], casework: Casework, by: Principal, began: int
) -> list[MyActionItem]:
    """My open action items from supervision (the supervision-history view), each
    described from its session as I may see it (`get_supervision_session`, recorded)."""
    projections: Projections = request.app.state.projections
    fresh(projections, "supervision_history", began)
    with projections.read("supervision_history") as (view, connection):
        items = view.open_action_items(connection, now().date(), owner_id=by.staff_id)
    sessions: dict[UUID, Any] = {}
    found = []
    for item in items:
        if item.session_id not in sessions:
            try:
                sessions[item.session_id] = casework.get_supervision_session(by, item.session_id)
            except RuleBroken:
                sessions[item.session_id] = None
        session = sessions[item.session_id]
        if session is None:
            continue
        described = next((i for i in session.action_items if i.item_id == item.item_id), None)
        if described is not None:
            found.append(
                MyActionItem(item.session_id, described.description, item.due_on, item.overdue)
            )
    return found


@dataclass(frozen=True)
class NextSupervision:
    """When I am next due for supervision (`due_on` None: no schedule is set yet)."""

    last_on: Any
    due_on: Any
    overdue: bool


def my_next_supervision(casework: Casework, by: Principal) -> NextSupervision | None:
    """From my supervision schedule, as the service layer lets me read it (None for
    roles that are not supervised, or when it is not shown to me)."""
    if by.role not in SUPERVISED_ROLES:
        return None
    try:
        schedule = casework.get_supervision_schedule(by, by.staff_id)
    except NotFound:
        return NextSupervision(None, None, True)
    except RuleBroken:
        return None
    return NextSupervision(
        schedule.last_supervised_on, schedule.due_on(), schedule.is_overdue(now().date())
    )


def supervisees_due(casework: Casework, by: Principal) -> list[SupervisionDue]:
    """When each of a supervisor's supervisees today is next due, soonest first."""
    if by.role is not Role.SUPERVISOR:
        return []
    mine = set(casework.read_staff(by, by.staff_id).supervisees_on(now().date()))
    return [d for d in casework.supervision_due(by) if d.staff_id in mine]


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
    with casework.one_page():
        began = casework.last_position()
        reading = casework.read_case(by, case_id)
        extra.setdefault("recorded", "")
        extra.setdefault("form", None)
        extra.setdefault("open_form", "")
        context = case_context(casework, by, reading)
        context["referrals"] = referrals_of(request, case_id, began)
        context["chains"] = chains_of(context["referrals"], context["holder_name"])
        return render(request, "case.html", status_code, **context, **extra)


# How many empty goal rows the plan form offers beyond the plan's own goals.
NEW_GOAL_ROWS = 2
# Who may be offered the forms that change a case's team, lead or referrals (the
# service layer decides whether they may use them on this case).
CASE_RUNNING_ROLES = frozenset({Role.CASEWORKER, Role.DEPARTMENT_HEAD, Role.CENTRE_DIRECTOR})


@dataclass(frozen=True)
class Choice:
    """One option of a form's select: its value and what it shows."""

    value: str
    text: str


def case_choices(casework: Casework, by: Principal, case: Any, names: Names) -> dict[str, Any]:
    """What the case's forms offer: staff of the case's centre (team, plan), the
    department's caseworkers (hand-over), departments and agencies (referral); from
    the staff directory the page's `names` read."""
    if by.role not in CASE_RUNNING_ROLES:
        return {"staff": [], "caseworkers": [], "receivers": []}
    staff = [
        s
        for s in names.colleagues
        if s.active
        and s.centre_id == case.centre_id
        and not ({Role.ADMINISTRATOR, Role.COMPLIANCE_REVIEWER} >= set(s.roles))
    ]
    staff.sort(key=lambda s: s.name)
    caseworkers = [
        Choice(str(s.staff_id), s.name)
        for s in staff
        if Role.CASEWORKER in s.roles
        and s.department_id == case.department_id
        and s.staff_id != case.lead_worker_id
    ]
    return {
        "staff": [Choice(str(s.staff_id), s.name) for s in staff],
        "caseworkers": caseworkers,
        "receivers": receivers_of(casework, by, case.centre_id, case.department_id),
    }


def receivers_of(
    casework: Casework, by: Principal, centre_id: UUID, holder_id: UUID
) -> list[Choice]:
    """Where a referral may be sent: the centre's other departments (not `holder_id`,
    the one referring) and the agencies still taking referrals."""
    organisation = casework.read_organisation(by)
    receivers = [
        Choice(f"department:{d.department_id}", d.name)
        for d in organisation.departments_of(centre_id)
        if d.department_id != holder_id
    ]
    agencies = casework.list_agencies(by)
    receivers += [Choice(f"agency:{a.id}", a.name) for a in agencies if not a.closed]
    return receivers


def holder_name(casework: Casework, by: Principal, kind: str, holder_id: UUID) -> str:
    if kind == "agency":
        try:
            return casework.read_agency(by, holder_id).name
        except RuleBroken:
            return str(holder_id)[:8]
    return department_name(casework, by, holder_id)


def case_context(casework: Casework, by: Principal, reading: CaseReading) -> dict[str, Any]:
    case = reading.case
    names = Names(casework, by)
    choices = case_choices(casework, by, case, names)
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
        "department": department_name(casework, by, case.department_id),
        "team": [m for m in case.team if m.removed_at is None],
        "plan": plan,
        "notes": notes,
        "access_log": access_log,
        "note_kinds": NOTE_KINDS,
        "disciplines": DISCIPLINES,
        "default_discipline": own or Discipline.SOCIAL_WORK.value,
        "assessments": sorted(case.assessments.values(), key=lambda a: a.occurred_at),
        "domains": [d.value for d in AssessmentDomain],
        "scopes": [s.value for s in TeamScope],
        "closure_reasons": [r.value for r in ClosureReason],
        "goal_outcomes": [o.value for o in GoalOutcome],
        "urgencies": [u.value for u in Urgency],
        "shared_parts": [p.value for p in SharedPart],
        "new_goal_rows": NEW_GOAL_ROWS,
        "is_open": case.status in OPEN_STATUSES,
        "is_closed": case.status is CaseStatus.CLOSED,
        "holder_name": lambda kind, holder_id: holder_name(casework, by, kind, holder_id),
        "box": {"width": BOX_WIDTH, "height": BOX_HEIGHT},
        **choices,
    }


def show_case(
    request: Request[Any, Any, Any],
    casework: Casework,
    by: Principal,
    case_id: UUID,
    recorded: str = "",
) -> Response[str]:
    """The case page after a read or a form; if the case is refused (and the refusal
    recorded), staff who work cases are offered break-the-glass."""
    try:
        return render_case(request, casework, by, case_id, recorded=recorded)
    except AccessDenied as refused:
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


def referrals_of(request: Request[Any, Any, Any], case_id: UUID, began: int) -> list[Hop]:
    """The case's referrals from the referral-chains view as of `began` (the page
    already read the case; each referral's content is read, and recorded, on its own
    page)."""
    projections: Projections = request.app.state.projections
    fresh(projections, "referral_chains", began)
    with projections.read("referral_chains") as (view, connection):
        return sorted(view.of_case(connection, case_id), key=lambda h: h.sent_at)


class CasePages(Controller):
    path = "/cases"

    @page("/{case_id:uuid}", operation_id="pageCase", summary="Page: a case")
    def case_page(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
    ) -> Response[str]:
        return show_case(request, casework, by, case_id, request.query_params.get("recorded", ""))

    @form(
        "/{case_id:uuid}/notes", operation_id="pageRecordNote", summary="Page: record a note (form)"
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
                by,
                case_id,
                # Checked against the command's declared limits, as the API's decoder
                # does: a broken value is refused naming its field.
                command_of(
                    RecordNote,
                    {
                        "kind": data.kind,
                        "narrative": data.narrative,
                        "duration_minutes": data.duration_minutes.strip(),
                        "discipline": data.discipline,
                    },
                ),
                expected_version=expected,
            )
        except Conflict as conflict:
            changes = changes_since(request, casework, by, case_id, conflict)
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
                note_error=message,
            )
        return after_form(
            request,
            f"/cases/{case_id}?recorded=note#notes",
            lambda: show_case(request, casework, by, case_id, "note"),
        )


def changes_since(
    request: Request[Any, Any, Any],
    casework: Casework,
    by: Principal,
    case_id: UUID,
    conflict: Conflict,
) -> list[ChangeSince]:
    since = int(conflict.details.get("expected_version") or 0)
    projections: Projections = request.app.state.projections
    fresh(projections, "audit_timeline")
    names = Names(casework, by)
    with projections.read("audit_timeline") as (view, connection):
        entries = view.of_case(connection, case_id)
    return [
        ChangeSince(e.version, e.kind, names(e.actor_id), e.actor_role, e.recorded_at)
        for e in entries
        if e.record_id == case_id and e.version > since
    ]


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
