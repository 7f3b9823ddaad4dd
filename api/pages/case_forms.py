"""The case page's forms other than the note: each posts to one service-layer command
with the case version the page was read at. A conflict re-renders the case with what
changed since (as the note form does); a refusal re-renders it with the message
beside the field the service layer named, in the reader's language, and what was
typed kept.

`CaseForms.submit` is one route (`/cases/{case_id}/{form}`): `FORMS` maps each form's
name to the function that reads its fields and calls the service layer. Forms with
rows (a plan's goals, an assessment's domains, a closure's outcomes) name each row's
inputs by number or by what they rate (`goal-1-title`, `rating-family`); every field
sent is kept in `CaseForm.raw` so a refused form shows what was typed.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from uuid import UUID, uuid4

import msgspec
from litestar import Controller, Request, Response
from litestar.params import FromPath, URLEncodedBody

from api.dependencies import Asking, Service
from api.pages.case_pages import changes_since, render_case, show_case
from api.pages.forms import (
    Unreadable,
    choice,
    day_of,
    instant_of,
    refusal_of,
    uuid_of,
    whole,
)
from api.pages.rendering import after_form, language_of
from api.pages.routes import form
from casework.aggregates.base import InvalidValue, RuleBroken
from casework.aggregates.case import (
    AssessmentDomain,
    ClosureReason,
    GoalOutcome,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.aggregates.referral import HolderKind, SharedPart, Urgency
from casework.aggregates.review import RecordKind
from casework.application import Casework
from casework.application.commands import command_of
from casework.application.commands.cases import (
    AddAddendum,
    AddTeamMember,
    BreakTheGlass,
    CloseCase,
    HandOverCase,
    OutcomeEntry,
    ProposePlan,
    RecordAssessment,
    RemoveTeamMember,
    ReopenCase,
    ReviewPlan,
)
from casework.application.commands.referrals import Receiver, SendReferral
from casework.application.commands.reviews import SubmitRevision
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
    discipline: str = ""
    summary: str = ""
    staff_id: str = ""
    scope: str = ""
    ends_at: str = ""
    to_staff_id: str = ""
    receiver: str = ""
    urgency: str = ""
    next_review_on: str = ""
    _csrf_token: str = field(default="", repr=False)
    raw: dict[str, str | list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, sent: Mapping[str, Any]) -> "CaseForm":
        known = {f.name for f in fields(cls)} - {"raw"}
        values = {k: _text(v) for k, v in sent.items() if k in known}
        return cls(**values, raw={k: v for k, v in sent.items() if k != "_csrf_token"})

    def get(self, name: str) -> str:
        """One field as sent ("" when absent)."""
        return _text(self.raw.get(name, ""))

    def all(self, name: str) -> list[str]:
        """A field sent several times (ticked boxes), as a list."""
        value = self.raw.get(name, [])
        return [value] if isinstance(value, str) else list(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else (value[-1] if value else "")


Handler = Callable[[Casework, Principal, UUID, CaseForm, int], None]


def _addendum(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    casework.add_addendum(
        by,
        case_id,
        command_of(
            AddAddendum,
            {
                "record_kind": choice(
                    data.record_kind, ["note", "assessment", "closure"], "record_kind"
                ),
                "record_id": uuid_of(data.record_id, "record_id"),
                "narrative": data.narrative,
                "reason": data.reason,
            },
        ),
        expected_version=version,
    )


def _resubmit(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    kind = RecordKind(
        choice(data.record_kind, ["note", "assessment", "plan", "closure"], "record_kind")
    )
    casework.submit_revision(
        by, case_id, kind, uuid_of(data.record_id, "record_id"), command_of(SubmitRevision, {})
    )


def _break_glass(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    hours = whole(data.hours or "4", "hours")
    casework.break_the_glass(
        by, case_id, command_of(BreakTheGlass, {"reason": data.reason, "hours": hours})
    )


def _end_glass(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    casework.end_emergency_access(case_id, by, uuid_of(data.record_id, "record_id"))


def _assessment(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    discipline = Discipline(choice(data.discipline, [d.value for d in Discipline], "discipline"))
    domains = []
    for domain in AssessmentDomain:
        rating = data.get(f"rating-{domain.value}").strip()
        if not rating:
            continue
        score = whole(rating, "rating")
        domains.append(
            {"domain": domain, "rating": score, "narrative": data.get(f"narrative-{domain.value}")}
        )
    try:
        casework.record_assessment(
            by,
            case_id,
            command_of(
                RecordAssessment,
                {"discipline": discipline, "domains": domains, "summary": data.summary},
            ),
            expected_version=version,
        )
    except InvalidValue as refused:
        # "<domain> narrative": the few words a rating needs.
        if refused.field.endswith("narrative"):
            raise InvalidValue("domains", refused.message) from refused
        raise


def goal_rows(data: CaseForm) -> list[int]:
    """The goal rows the plan form sent, by number."""
    numbers = {
        int(key.split("-")[1])
        for key in data.raw
        if key.startswith("goal-") and key.split("-")[1].isdigit()
    }
    return sorted(numbers)


def _plan(casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int) -> None:
    goals = []
    disciplines = [d.value for d in Discipline]
    for n in goal_rows(data):
        title = data.get(f"goal-{n}-title").strip()
        if not title:
            continue  # an empty row: not a goal
        kept = data.get(f"goal-{n}-id").strip()
        goals.append(
            {
                "goal_id": uuid_of(kept, "goals") if kept else uuid4(),
                "title": title,
                "interventions": [
                    line.strip()
                    for line in data.get(f"goal-{n}-interventions").splitlines()
                    if line.strip()
                ],
                "discipline": choice(data.get(f"goal-{n}-discipline"), disciplines, "goals"),
                "responsible_id": uuid_of(data.get(f"goal-{n}-responsible"), "goals"),
                "target_date": day_of(data.get(f"goal-{n}-target"), "target_date"),
                "review_date": day_of(data.get(f"goal-{n}-review"), "review_date"),
            }
        )
    try:
        casework.propose_plan(
            by, case_id, command_of(ProposePlan, {"goals": goals}), expected_version=version
        )
    except InvalidValue as refused:
        if refused.field.startswith("goal"):
            raise InvalidValue("goals", refused.message) from refused
        raise


def _team_member(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    casework.add_team_member(
        by,
        case_id,
        command_of(
            AddTeamMember,
            {
                "staff_id": uuid_of(data.staff_id, "staff_id"),
                "discipline": choice(data.discipline, [d.value for d in Discipline], "discipline"),
                "scope": choice(data.scope, [s.value for s in TeamScope], "scope"),
                "ends_at": instant_of(data.ends_at, "ends_at") if data.ends_at.strip() else None,
            },
        ),
        expected_version=version,
    )


def _hand_over(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    try:
        casework.hand_over_case(
            by,
            case_id,
            command_of(
                HandOverCase,
                {"to_staff_id": uuid_of(data.to_staff_id, "to_staff_id"), "reason": data.reason},
            ),
            expected_version=version,
        )
    except InvalidValue as refused:
        if refused.field == "to":
            raise InvalidValue("to_staff_id", refused.message) from refused
        raise


def _outcomes(data: CaseForm) -> list[OutcomeEntry]:
    """A closure's outcome of each goal (`outcome-<goal id>`, `comment-<goal id>`)."""
    outcomes = []
    for key in data.raw:
        if not key.startswith("outcome-"):
            continue
        goal_id = uuid_of(key.removeprefix("outcome-"), "outcomes")
        outcome = choice(data.get(key), [o.value for o in GoalOutcome], "outcomes")
        comment = data.get(f"comment-{goal_id}").strip()
        outcomes.append(
            OutcomeEntry(goal_id=goal_id, outcome=GoalOutcome(outcome), comment=comment)
        )
    return outcomes


def _close(casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int) -> None:
    reason = ClosureReason(choice(data.reason, [r.value for r in ClosureReason], "reason"))
    casework.close_case(
        by,
        case_id,
        command_of(
            CloseCase,
            {
                "reason": reason,
                "outcomes": [msgspec.structs.asdict(o) for o in _outcomes(data)],
                "summary": data.summary,
            },
        ),
        expected_version=version,
    )


def _amend_closure(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    casework.amend_closure(
        case_id,
        by,
        uuid_of(data.record_id, "record_id"),
        [o.to_outcome() for o in _outcomes(data)],
        data.summary,
        data.reason,
        expected_version=version,
    )


def _remove_member(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    # One select names the member: "<staff id>:<discipline>" (a person may be on the
    # team for two disciplines).
    staff_id, _, discipline = data.staff_id.partition(":")
    casework.remove_team_member(
        by,
        case_id,
        command_of(
            RemoveTeamMember,
            {
                "staff_id": uuid_of(staff_id, "staff_id"),
                "discipline": choice(discipline, [d.value for d in Discipline], "staff_id"),
                "reason": data.reason,
            },
        ),
        expected_version=version,
    )


def _plan_review(
    casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int
) -> None:
    casework.review_plan(
        by,
        case_id,
        command_of(
            ReviewPlan,
            {
                "summary": data.summary,
                "next_review_on": day_of(data.next_review_on, "next_review_on"),
            },
        ),
        expected_version=version,
    )


def _reopen(casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int) -> None:
    casework.reopen_case(
        by, case_id, command_of(ReopenCase, {"reason": data.reason}), expected_version=version
    )


def referral_terms(
    receiver: str, urgency: str, shared: list[str]
) -> tuple[Receiver, Urgency, list[SharedPart]]:
    """A referral form's receiver (`department:<id>` or `agency:<id>`), urgency and
    the parts it shares, as the service layer takes them."""
    kind, _, holder_id = receiver.partition(":")
    if kind == "department":
        to = Receiver(kind=HolderKind.DEPARTMENT, id=uuid_of(holder_id, "receiver"))
    elif kind == "agency":
        to = Receiver(kind=HolderKind.AGENCY, id=uuid_of(holder_id, "receiver"))
    else:
        raise Unreadable("receiver")
    allowed = [s.value for s in SharedPart]
    parts = [SharedPart(choice(p, allowed, "shared")) for p in shared]
    if not parts:
        raise Unreadable("shared")
    return to, Urgency(choice(urgency, [u.value for u in Urgency], "urgency")), parts


def _refer(casework: Casework, by: Principal, case_id: UUID, data: CaseForm, version: int) -> None:
    receiver, urgency, parts = referral_terms(data.receiver, data.urgency, data.all("shared"))
    casework.send_referral(
        by,
        command_of(
            SendReferral,
            {
                "case_id": case_id,
                "receiver": msgspec.structs.asdict(receiver),
                "reason": data.reason,
                "urgency": urgency,
                "shared": parts,
            },
        ),
    )


FORMS: dict[str, Handler] = {
    "addendum": _addendum,
    "resubmit": _resubmit,
    "break-glass": _break_glass,
    "end-glass": _end_glass,
    "assessment": _assessment,
    "plan": _plan,
    "team-member": _team_member,
    "hand-over": _hand_over,
    "close": _close,
    "amend-closure": _amend_closure,
    "remove-member": _remove_member,
    "plan-review": _plan_review,
    "reopen": _reopen,
    "refer": _refer,
}


class CaseForms(Controller):
    path = "/cases"

    @form(
        "/{case_id:uuid}/{form:str}",
        operation_id="pageCaseForm",
        summary="Page: a case form (addendum, revision, break the glass, …)",
    )
    def submit(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        case_id: FromPath[UUID],
        form: FromPath[str],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response[Any]:
        sent = CaseForm.of(data)
        handler = FORMS.get(form)
        if handler is None:
            raise NotFound("form", case_id)
        try:
            handler(casework, by, case_id, sent, whole(sent.version or "0", "version"))
        except Conflict as conflict:
            changes = changes_since(request, casework, by, case_id, conflict)
            return render_case(
                request, casework, by, case_id, 409, form=sent, open_form=form, conflict=changes
            )
        except (RuleBroken, Unreadable) as error:
            if isinstance(error, RuleBroken) and (
                error.rule in PAGE_REFUSALS or form == "break-glass"
            ):
                raise
            refusal = refusal_of(language_of(request), error)
            return render_case(
                request, casework, by, case_id, 422, form=sent, open_form=form, refusal=refusal
            )
        return after_form(
            request,
            f"/cases/{case_id}?recorded={form}",
            lambda: show_case(request, casework, by, case_id, form),
        )
