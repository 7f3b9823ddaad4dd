"""The supervisor's pages: the review queue with the supervisees overdue for
supervision, the review form (approve, or ask for a revision with comments), and the
supervision session record (record a session; cases discussed, decisions, action
items, sign-off).

Each handler asks the service layer (`review_queue`, `read_case`, `approve_record`,
`request_revision`, `get_supervision_session`, …) and shows what it returns; the
service layer decides who may see and do what, and records every read.
"""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from api.dependencies import Asking, Service
from api.pages.case_pages import Names, fresh, supervisees_due
from api.pages.forms import Refusal, Unreadable, choice, day_of, refusal_of, uuid_of, whole
from api.pages.rendering import after_form, language_of, render
from api.pages.routes import form, page
from casework.aggregates.base import Role, RuleBroken, now
from casework.aggregates.case import RecordKind
from casework.aggregates.case_discussion import CaseDiscussion
from casework.aggregates.review import reviewable
from casework.aggregates.supervision import SessionFormat, Topic
from casework.application import Casework
from casework.application.commands.reviews import ApproveRecord, RequestRevision
from casework.application.commands.supervision import (
    AddActionItem,
    DiscussCase,
    MarkActionItemDone,
    RecordSupervisionDecision,
    RecordSupervisionSession,
    SignSupervisionSession,
)
from casework.application.errors import Conflict, NotFound
from casework.application.principal import Principal
from casework.application.review_queue import review_queue, reviews_shown
from casework.projections import Projections

SESSION_FORMATS = [f.value for f in SessionFormat]
TOPICS = [t.value for t in Topic]
SESSION_ENTRIES = ["decision", "action-item", "discussion", "done", "sign"]
# Refusals shown as a page of their own (the form's page itself is not for this reader).
PAGE_REFUSALS = frozenset({"access_denied", "not_found", "not_signed_in", "erased"})


@dataclass
class ReviewForm:
    verdict: str = ""
    comments: str = ""
    _csrf_token: str = field(default="", repr=False)


@dataclass
class SessionForm:
    session_format: str = ""
    supervisees: list[str] | str = field(default_factory=list)
    duration_minutes: str = ""
    topics: list[str] | str = field(default_factory=list)
    _csrf_token: str = field(default="", repr=False)


@dataclass
class SessionEntryForm:
    """One of the session page's forms (decision, action item, case discussed, sign)."""

    version: str = ""
    decision: str = ""
    owner: str = ""
    description: str = ""
    due_on: str = ""
    case_id: str = ""
    summary: str = ""
    advice: str = ""
    item_id: str = ""
    _csrf_token: str = field(default="", repr=False)


def _supervisees(casework: Casework, by: Principal) -> list[UUID]:
    return casework.read_staff(by, by.staff_id).supervisees_on(now().date())


class SupervisorPages(Controller):
    path = ""

    @page("/reviews", operation_id="pageReviewQueue", summary="Page: review queue")
    def queue(
        self, request: Request[Any, Any, Any], casework: Service, by: Asking
    ) -> Response[str]:
        names = Names(casework, by)
        waiting = review_queue(casework, by)
        today = now().date()
        due = supervisees_due(casework, by)
        projections: Projections = request.app.state.projections
        fresh(projections, "supervision_history")
        with projections.read("supervision_history") as (view, connection):
            sessions = view.of_supervisor(connection, by.staff_id)[:10]
        return render(
            request,
            "review_queue.html",
            by=by,
            names=names,
            waiting=waiting,
            due=due,
            today=today,
            sessions=sessions,
            supervisor=by.role is Role.SUPERVISOR,
        )

    # -- the review form ---------------------------------------------------------------

    def _review_page(
        self,
        request: Request[Any, Any, Any],
        casework: Casework,
        by: Principal,
        case_id: UUID,
        kind: str,
        record_id: UUID,
        status_code: int = 200,
        **extra: Any,
    ) -> Response[str]:
        record_kind = reviewable(kind)
        reading = casework.read_case(by, case_id)
        case = reading.case
        record: Any = None
        if record_kind is RecordKind.NOTE:
            record = case.notes.get(record_id)
        elif record_kind is RecordKind.ASSESSMENT:
            record = case.assessments.get(record_id)
        elif record_kind is RecordKind.PLAN:
            record = case.plan_versions[-1] if case.plan_versions else None
        else:
            record = next((c for c in case.closures if c.closure_id == record_id), None)
        if record is None:
            raise NotFound(record_kind.value, record_id)  # not in the case, or withheld
        state = reviews_shown(casework, by, reading).get(record_id)
        return render(
            request,
            "review_form.html",
            status_code,
            by=by,
            case=case,
            kind=record_kind.value,
            record=record,
            record_id=record_id,
            state=state,
            names=Names(casework, by),
            form=extra.pop("form", None),
            **extra,
        )

    @page(
        "/reviews/{case_id:uuid}/{kind:str}/{record_id:uuid}",
        operation_id="pageReview",
        summary="Page: review a record",
    )
    def review_page(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        kind: FromPath[str],
        record_id: FromPath[UUID],
    ) -> Response[str]:
        done = request.query_params.get("done", "")
        return self._review_page(
            request,
            casework,
            by,
            case_id,
            kind,
            record_id,
            done=done if done in ("approved", "revision_requested") else "",
        )

    @form(
        "/reviews/{case_id:uuid}/{kind:str}/{record_id:uuid}",
        operation_id="pageReviewSubmit",
        summary="Page: judge a record (form)",
    )
    def judge(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        kind: FromPath[str],
        record_id: FromPath[UUID],
        data: URLEncodedBody[ReviewForm],
    ) -> Response[Any]:
        record_kind = reviewable(kind)
        try:
            verdict = choice(data.verdict, ["approve", "revise"], "verdict")
            if verdict == "approve":
                casework.approve_record(
                    by, case_id, record_kind, record_id, ApproveRecord(comments=data.comments)
                )
            else:
                casework.request_revision(
                    by, case_id, record_kind, record_id, RequestRevision(comments=data.comments)
                )
        except (RuleBroken, Unreadable) as error:
            if isinstance(error, RuleBroken) and error.rule in PAGE_REFUSALS:
                raise
            refusal = refusal_of(language_of(request), error)
            return self._review_page(
                request,
                casework,
                by,
                case_id,
                kind,
                record_id,
                422,
                form=data,
                refusal=refusal,
                done="",
            )
        done = "approved" if data.verdict == "approve" else "revision_requested"
        return after_form(
            request,
            f"/reviews/{case_id}/{kind}/{record_id}?done={done}",
            lambda: self._review_page(request, casework, by, case_id, kind, record_id, done=done),
        )

    # -- supervision sessions ----------------------------------------------------------

    def _new_session_page(
        self,
        request: Request[Any, Any, Any],
        casework: Casework,
        by: Principal,
        form: SessionForm,
        status_code: int = 200,
        refusal: Refusal | None = None,
    ) -> Response[str]:
        return render(
            request,
            "supervision_new.html",
            status_code,
            by=by,
            names=Names(casework, by),
            supervisees=_supervisees(casework, by),
            formats=SESSION_FORMATS,
            topics=TOPICS,
            form=form,
            refusal=refusal,
        )

    @page(
        "/supervision/new",
        operation_id="pageSupervisionNew",
        summary="Page: record a supervision session",
    )
    def new_session(
        self, request: Request[Any, Any, Any], casework: Service, by: Asking
    ) -> Response[str]:
        form = SessionForm(
            session_format="individual", duration_minutes="60", topics=["case_practice"]
        )
        return self._new_session_page(request, casework, by, form)

    @form(
        "/supervision",
        operation_id="pageSupervisionRecord",
        summary="Page: record a supervision session (form)",
    )
    def record_session(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        data: URLEncodedBody[SessionForm],
    ) -> Response[Any]:
        try:
            session_id = casework.record_supervision_session(
                by,
                RecordSupervisionSession(
                    session_format=SessionFormat(
                        choice(data.session_format, SESSION_FORMATS, "session_format")
                    ),
                    supervisor_id=by.staff_id,
                    supervisee_ids=[uuid_of(s, "supervisees") for s in _listed(data.supervisees)],
                    duration_minutes=whole(data.duration_minutes, "duration_minutes"),
                    topics=[Topic(choice(t, TOPICS, "topics")) for t in _listed(data.topics)],
                ),
            )
        except (RuleBroken, Unreadable) as error:
            if isinstance(error, RuleBroken) and error.rule in PAGE_REFUSALS:
                raise
            refusal = refusal_of(language_of(request), error)
            return self._new_session_page(request, casework, by, data, 422, refusal)
        return Redirect(f"/supervision/{session_id}", status_code=303)

    def _session_page(
        self,
        request: Request[Any, Any, Any],
        casework: Casework,
        by: Principal,
        session_id: UUID,
        status_code: int = 200,
        **extra: Any,
    ) -> Response[str]:
        session = casework.get_supervision_session(by, session_id)
        discussions: list[CaseDiscussion] = []
        hidden = 0
        for case_id in session.case_ids:
            try:
                discussions.append(casework.get_case_discussion(by, session_id, case_id))
            except RuleBroken as refused:
                if refused.rule != "access_denied":
                    raise
                hidden += 1
        cases: list[UUID] = []
        if by.staff_id == session.supervisor_id and not session.signed_off:
            for staff_id in session.supervisee_ids:
                cases += casework.read_staff(by, staff_id).lead_case_ids
        return render(
            request,
            "supervision_session.html",
            status_code,
            by=by,
            session=session,
            names=Names(casework, by),
            discussions=discussions,
            hidden_discussions=hidden,
            supervisor=by.staff_id == session.supervisor_id,
            participant=by.staff_id in session.participants,
            cases=list(dict.fromkeys(cases)),
            today=now().date(),
            form=extra.pop("form", None),
            **extra,
        )

    @page(
        "/supervision/{session_id:uuid}",
        operation_id="pageSupervisionSession",
        summary="Page: a supervision session",
    )
    def session_page(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
    ) -> Response[str]:
        done = request.query_params.get("done", "")
        return self._session_page(
            request, casework, by, session_id, done=done if done in SESSION_ENTRIES else ""
        )

    @form(
        "/supervision/{session_id:uuid}/{entry:str}",
        operation_id="pageSupervisionEntry",
        summary="Page: add to a supervision session (form)",
    )
    def session_entry(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
        entry: FromPath[str],
        data: URLEncodedBody[SessionEntryForm],
    ) -> Response[Any]:
        try:
            entry = choice(entry, SESSION_ENTRIES, "entry")
            expected = whole(data.version, "version")
            if entry == "decision":
                casework.record_supervision_decision(
                    by,
                    session_id,
                    RecordSupervisionDecision(decision=data.decision),
                    expected_version=expected,
                )
            elif entry == "action-item":
                casework.add_action_item(
                    by,
                    session_id,
                    AddActionItem(
                        owner_id=uuid_of(data.owner, "owner"),
                        description=data.description,
                        due_on=day_of(data.due_on, "due_on"),
                    ),
                    expected_version=expected,
                )
            elif entry == "discussion":
                advice = [line.strip() for line in data.advice.splitlines() if line.strip()]
                casework.discuss_case_in_supervision(
                    by,
                    session_id,
                    DiscussCase(
                        case_id=uuid_of(data.case_id, "case_id"),
                        summary=data.summary,
                        advice=advice,
                    ),
                    expected_version=expected,
                )
            elif entry == "done":
                casework.mark_action_item_done(
                    by,
                    session_id,
                    uuid_of(data.item_id, "item_id"),
                    MarkActionItemDone(),
                    expected_version=expected,
                )
            else:
                casework.sign_supervision_session(
                    by, session_id, SignSupervisionSession(), expected_version=expected
                )
        except Conflict:
            return self._session_page(
                request,
                casework,
                by,
                session_id,
                409,
                form=data,
                entry=entry,
                conflict=True,
                done="",
            )
        except (RuleBroken, Unreadable) as error:
            if isinstance(error, RuleBroken) and error.rule in PAGE_REFUSALS:
                raise
            refusal = refusal_of(language_of(request), error)
            return self._session_page(
                request,
                casework,
                by,
                session_id,
                422,
                form=data,
                entry=entry,
                refusal=refusal,
                done="",
            )
        return Redirect(f"/supervision/{session_id}?done={entry}", status_code=303)


def _listed(values: list[str] | str) -> list[str]:
    """A form field sent once arrives as a string, several times as a list."""
    return [values] if isinstance(values, str) else list(values)
