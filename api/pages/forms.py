"""What a refused form says, in the reader's language: the field the service layer
named (shown beside that field) or the rule it named (shown above the form), and the
service layer's own words in English beneath, for the record.

A page's form handler catches `RuleBroken`, turns it into a `Refusal` with
`refusal_of` and renders the page again with what was typed kept.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from api.pages.language import N_, TIME_ZONE, Language
from casework.aggregates.base import InvalidValue, RuleBroken

# What a refused field says, by the field the service layer (or the form) named.
FIELD_MESSAGES = {
    "narrative": N_("Write what happened."),
    "duration_minutes": N_("Give the duration in whole minutes (more than zero where asked)."),
    "kind": N_("Choose the kind of contact."),
    "discipline": N_("Choose a discipline the person practises."),
    "occurred_at": N_("A record cannot be dated in the future."),
    "comments": N_("Say what needs revising."),
    "decision": N_("Write the decision."),
    "description": N_("Say what is to be done."),
    "due_on": N_("Give a due date."),
    "owner": N_("Choose who is to do it."),
    "supervisees": N_(
        "Choose the supervisees: one for an individual session, two or more for a group."
    ),
    "summary": N_("Write a summary."),
    "advice": N_("Write the advice, one point a line."),
    "reason": N_("Give the reason."),
    "staff_id": N_("Choose a person."),
    "scope": N_("Choose what they may see."),
    "ends_at": N_("Give a time in the future, or leave it empty."),
    "goals": N_("Give at least one goal with its discipline, person and dates."),
    "domains": N_("Rate at least one domain from 1 to 5, with a few words."),
    "rating": N_("Rate from 1 (no concern) to 5 (severe concern)."),
    "target_date": N_("Give a target date."),
    "review_date": N_("Give a review date."),
    "outcomes": N_("Give an outcome for each goal of the plan."),
    "purpose": N_("Say why you are reviewing (it is recorded with every read)."),
    "at": N_("Give a date and time."),
    "since": N_("Give the earlier date and time."),
    "until": N_("Give the later date and time."),
    "user_name": N_("Give a user name of letters, digits, dots or dashes."),
    "version": N_("The form was out of date: reload the page."),
    "to_staff_id": N_("Choose a caseworker of the department other than the lead."),
    "agency_contact": N_("Name the person at the agency who gave this answer."),
    "outcome": N_("Say what the service achieved."),
    "receiver": N_("Choose where the case is referred."),
    "urgency": N_("Choose how urgent it is."),
    "shared": N_("Choose what the referral shares."),
    "source": N_("No failed sign-ins are counted for this source."),
    "next_review_on": N_("Give the date of the next review."),
    "presenting_problem": N_("Say what brings the client to the centre."),
    "risk_rationale": N_("Say why the risk is high or critical."),
    "clients": N_("Give at least one client's name."),
    "date_of_birth": N_("Give the date of birth as a date, or leave it empty."),
    "sex": N_("Choose the client's sex, or leave it not recorded."),
    "lead_worker_id": N_("Choose a caseworker of your department as the lead."),
    "referral_source": N_("Choose who referred the client."),
    "risk_level": N_("Choose the risk level."),
    "consent_disciplines": N_("Say which disciplines the consent covers."),
}
INVALID = N_("This value is not valid.")

# What a refused form says above it, by the rule the service layer named.
RULE_MESSAGES = {
    "own_record": N_("You wrote this record, so someone else must review it."),
    "not_authorised_to_approve": N_(
        "Only the author's supervisor, the department head or the centre director may approve it."
    ),
    "not_authorised_to_review": N_(
        "Only the author's supervisor, the department head or the centre director may ask "
        "for a revision."
    ),
    "revision_not_made": N_(
        "A revision was asked for and the record has not changed since: add an addendum first."
    ),
    "no_revision_requested": N_("No revision was asked for on this record."),
    "already_approved": N_("This version is already approved."),
    "session_signed_off": N_("Everyone has signed this record: add an addendum to correct it."),
    "session_not_signed": N_("Not everyone has signed yet: edit the record instead."),
    "already_signed": N_("You have already signed this record."),
    "not_a_session_participant": N_("Only the session's supervisor and supervisees sign it."),
    "access_denied": N_("You may not do this."),
    "case_closed": N_("The case is closed."),
    "consent_missing": N_("The client's consent does not cover this."),
    "concurrent_update": N_("Someone else changed this record"),
    "assessment_required": N_("Assess the case before writing its plan."),
    "unknown_goal": N_("An outcome names a goal that is not in the active plan."),
    "goal_outcome_missing": N_("Give an outcome for each goal of the plan."),
    "case_not_closed": N_("The case is not closed."),
    "already_on_team": N_("This person is already on the team for that discipline."),
    "lead_worker_only": N_("Only the lead worker may do this."),
    "referral_step_not_allowed": N_("The referral is not at a stage where this can be done."),
    "staff_has_left": N_("This person has left."),
    "cannot_lead_cases": N_("This person cannot lead cases."),
    "staff_has_account": N_("This person already has an account."),
    "user_name_taken": N_("This user name is taken."),
    "no_such_account": N_("There is no such account."),
    "account_not_locked": N_("The account is not locked."),
    "agency_closed": N_("The agency no longer takes referrals."),
    "not_on_team": N_("This person is not on the team for that discipline."),
    "closure_not_pending": N_("The closure is no longer waiting for approval."),
    "record_not_found": N_("There is no such record on this case (the plan may not be active)."),
    "onward_referral_not_allowed": N_(
        "Only a referral your department has accepted can be referred onward."
    ),
}
REFUSED = N_("This was refused.")


class Unreadable(ValueError):  # noqa: N818 - a form value, like InvalidValue
    """A form value the page could not read (names its input)."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field}: could not be read")
        self.field = field


@dataclass(frozen=True)
class Refusal:
    """A refused form: `field` is the input it concerns ("" for the whole form)."""

    field: str
    message: str
    detail: str


def refusal_of(language: Language, error: RuleBroken | ValueError, field: str = "") -> Refusal:
    """The refusal in `language`. `field` names the input when the form itself found
    it wrong (a value it could not read)."""
    if isinstance(error, (InvalidValue, Unreadable)):
        field = error.field
    if field:
        text = FIELD_MESSAGES.get(field, INVALID)
        return Refusal(field, language.gettext(text), _detail(error))
    rule = getattr(error, "rule", "")
    return Refusal("", language.gettext(RULE_MESSAGES.get(rule, REFUSED)), _detail(error))


def _detail(error: Exception) -> str:
    return getattr(error, "message", "") or str(error)


def whole(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise Unreadable(field) from None


def uuid_of(text: str, field: str) -> UUID:
    try:
        return UUID(text.strip())
    except ValueError:
        raise Unreadable(field) from None


def day_of(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Unreadable(field) from None


def instant_of(text: str, field: str) -> datetime:
    """A `datetime-local` input's value, read in the centres' time zone."""
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Unreadable(field) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(TIME_ZONE))
    return local.astimezone(UTC)


def choice(text: str, allowed: list[str], field: str) -> str:
    if text not in allowed:
        raise Unreadable(field)
    return text
