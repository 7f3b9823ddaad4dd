"""A referral's page: what was sent, by whom, to whom, and the answers so far, for
those the service layer lets read it (the case's readers and the staff of the
receiving department, `get_referral`, every reading recorded); and the receiver's
answer forms (accept, decline with a reason, start the service, complete with the
outcome, return with a reason, refer onward while it holds the referral), and the
sender's withdrawal with a reason. An external agency has no accounts: staff of the
sending centre record its answer with the name of the agency's contact who gave it.

Each answer is sent with the referral version the page was read at; if someone
answered first, the page says so. A refusal is shown beside the field the service
layer named, in the reader's language, with what was typed kept.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_type_hints
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response
from litestar.params import FromPath, URLEncodedBody

from api.dependencies import Asking, Service
from api.pages.case_forms import referral_terms
from api.pages.case_pages import Names, holder_name, receivers_of
from api.pages.forms import Refusal, Unreadable, refusal_of, whole
from api.pages.rendering import after_form, language_of, render
from api.pages.routes import form, page
from casework.aggregates.base import RuleBroken
from casework.aggregates.referral import (
    HELD_BY_RECEIVER,
    HolderKind,
    Referral,
    ReferralStatus,
    SharedPart,
    Urgency,
)
from casework.application import Casework
from casework.application.commands import command_of
from casework.application.commands.referrals import (
    ReferOnward,
)
from casework.application.errors import Conflict, NotFound
from casework.application.principal import Principal

# Refusals shown as a page of their own: the reader may not see the referral at all.
PAGE_REFUSALS = frozenset({"not_found", "not_signed_in", "erased"})


@dataclass
class AnswerForm:
    version: str = ""
    reason: str = ""
    outcome: str = ""
    agency_contact: str = ""
    receiver: str = ""
    urgency: str = ""
    shared: list[str] | str = field(default_factory=list)
    _csrf_token: str = field(default="", repr=False)


Answer = Callable[[Casework, Principal, UUID, AnswerForm, int], None]


def _answering(step: Callable[..., None]) -> Answer:
    """An answer by the service method `step`, whose command takes the form's fields
    of the same names (its reason, outcome, agency contact)."""
    command = get_type_hints(step)["command"]
    taken = [name for name in command.__struct_fields__ if name in AnswerForm.__dataclass_fields__]

    def answer(casework: Casework, by: Principal, rid: UUID, data: AnswerForm, v: int) -> None:
        values = {name: getattr(data, name) for name in taken}
        step(casework, by, rid, command_of(command, values), expected_version=v)

    return answer


def _onward(casework: Casework, by: Principal, rid: UUID, data: AnswerForm, v: int) -> None:
    shared = [data.shared] if isinstance(data.shared, str) else data.shared
    receiver, urgency, parts = referral_terms(data.receiver, data.urgency, shared)
    casework.refer_onward(
        by,
        rid,
        command_of(
            ReferOnward,
            {
                "receiver": msgspec.structs.asdict(receiver),
                "reason": data.reason,
                "urgency": urgency,
                "shared": parts,
            },
        ),
        expected_version=v,
    )


ANSWERS: dict[str, Answer] = {
    "accept": _answering(Casework.accept_referral),
    "decline": _answering(Casework.decline_referral),
    "start": _answering(Casework.start_referral_service),
    "complete": _answering(Casework.complete_referral),
    "return": _answering(Casework.return_referral),
    "withdraw": _answering(Casework.withdraw_referral),
    "onward": _onward,
}
# Which answers a referral at each status can take (the receiver's; the sender may
# withdraw it while it is sent or held, and the receiver refer it onward while held).
NEXT_STEPS = {
    ReferralStatus.SENT: ["accept", "decline"],
    ReferralStatus.ACCEPTED: ["start"],
    ReferralStatus.IN_SERVICE: ["complete", "return"],
}
WITHDRAWABLE = frozenset({ReferralStatus.SENT, *HELD_BY_RECEIVER})


def _centre_of(casework: Casework, by: Principal, referral: Referral) -> UUID | None:
    """The centre the referral was sent in: that of its departments."""
    organisation = casework.read_organisation(by)
    for holder in (referral.sender, referral.receiver):
        if holder.kind is HolderKind.DEPARTMENT:
            return organisation.department(holder.id).centre_id
    return None


def render_referral(
    request: Request[Any, Any, Any],
    casework: Casework,
    by: Principal,
    referral_id: UUID,
    status_code: int = 200,
    **extra: Any,
) -> Response[str]:
    referral: Referral = casework.get_referral(by, referral_id)
    agency = referral.receiver.kind is HolderKind.AGENCY
    held = referral.status in HELD_BY_RECEIVER
    centre_id = _centre_of(casework, by, referral) if held else None
    return render(
        request,
        "referral.html",
        status_code,
        by=by,
        referral=referral,
        names=Names(casework, by),
        sender=holder_name(casework, by, referral.sender.kind.value, referral.sender.id),
        receiver=holder_name(casework, by, referral.receiver.kind.value, referral.receiver.id),
        agency=agency,
        steps=NEXT_STEPS.get(referral.status, []),
        withdrawable=referral.status in WITHDRAWABLE,
        onward_to=[]
        if centre_id is None
        else receivers_of(casework, by, centre_id, referral.receiver.id),
        urgencies=[u.value for u in Urgency],
        shared_parts=[p.value for p in SharedPart],
        form=extra.pop("form", None),
        step=extra.pop("step", ""),
        refusal=extra.pop("refusal", None),
        conflict=extra.pop("conflict", False),
        answered=extra.pop("answered", request.query_params.get("answered", "")),
        **extra,
    )


class ReferralPages(Controller):
    path = "/referrals"

    @page(
        "/{referral_id:uuid}",
        operation_id="pageReferral",
        summary="Page: a referral and its answers",
    )
    def referral_page(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        referral_id: FromPath[UUID],
    ) -> Response[str]:
        return render_referral(request, casework, by, referral_id)

    @form(
        "/{referral_id:uuid}/{step:str}",
        operation_id="pageReferralAnswer",
        summary="Page: answer a referral (form)",
    )
    def answer(
        self,
        request: Request[Any, Any, Any],
        casework: Service,
        by: Asking,
        referral_id: FromPath[UUID],
        step: FromPath[str],
        data: URLEncodedBody[AnswerForm],
    ) -> Response[Any]:
        handler = ANSWERS.get(step)
        if handler is None:
            raise NotFound("referral step", referral_id)
        try:
            handler(casework, by, referral_id, data, whole(data.version or "0", "version"))
        except Conflict:
            return render_referral(
                request, casework, by, referral_id, 409, form=data, step=step, conflict=True
            )
        except (RuleBroken, Unreadable) as error:
            if isinstance(error, RuleBroken) and error.rule in PAGE_REFUSALS:
                raise
            refusal: Refusal = refusal_of(language_of(request), error)
            return render_referral(
                request, casework, by, referral_id, 422, form=data, step=step, refusal=refusal
            )
        return after_form(
            request,
            f"/referrals/{referral_id}?answered={step}",
            lambda: render_referral(request, casework, by, referral_id, answered=step),
        )
