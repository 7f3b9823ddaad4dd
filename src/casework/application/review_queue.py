"""What waits for a supervisor's judgement, and the state of each review a case page
shows: two read queries over the service layer's own filtered reads.

`review_queue` goes through the cases led by the people `by` supervises today, each
read with `read_case` (so filtered by THE access rule and recorded as any case read),
and lists the notes and assessments their supervisees wrote that were sent back for
review or never reviewed, and the plan versions and closures waiting for approval.
`reviews_shown` gives the reviews of the records a reading already shows (one access
record for them together); it never reaches a record the reading withheld.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from casework.aggregates.access_record import AccessAction
from casework.aggregates.base import Actor, now
from casework.aggregates.case import Case, RecordKind
from casework.aggregates.review import Review, content_hash, review_id
from casework.aggregates.staff import Staff
from casework.application.authorisation import CaseReading
from casework.application.errors import NotFound

if TYPE_CHECKING:
    from casework.application import Casework

# Records never reviewed are listed while they are this recent.
UNREVIEWED_WITHIN = timedelta(days=30)
EXCERPT = 60


class Waiting(StrEnum):
    RESUBMITTED = "resubmitted"  # revised after a request: judge it again
    APPROVAL = "approval"  # a high-risk plan version or a closure needs approval
    NOT_REVIEWED = "not_reviewed"


@dataclass(frozen=True)
class AwaitingReview:
    case_id: UUID
    kind: RecordKind
    record_id: UUID
    author_id: UUID
    written_at: datetime
    waiting: Waiting
    excerpt: str = ""  # the start of the record's text (the reader may see it)


@dataclass(frozen=True)
class ReviewState:
    """One record's review as a page shows it."""

    review: Review
    revision: int
    current: bool  # the latest approval covers the record as it now is

    @property
    def open_request_comments(self) -> str | None:
        request = self.review.open_request
        return None if request is None else request.comments

    @property
    def resubmitted(self) -> bool:
        """The author sent a revision that answers the open request."""
        request = self.review.open_request
        return request is not None and any(
            r.answers_request == len(self.review.judgements) - 1 for r in self.review.resubmissions
        )

    @property
    def revised_since_request(self) -> bool:
        request = self.review.open_request
        return request is not None and request.revision != self.revision


def _load_review(
    casework: "Casework", case: Case, kind: RecordKind, record_id: UUID
) -> Review | None:
    try:
        return casework.load(review_id(case.id, kind, record_id), Review, "review")
    except NotFound:
        return None


def _state(case: Case, review: Review) -> ReviewState:
    revision, content = case.record_content(review.record_kind.value, review.record_id)
    return ReviewState(review, revision, review.covers(revision, content_hash(content)))


def _shown_records(reading: CaseReading) -> Iterable[tuple[RecordKind, UUID]]:
    case = reading.case
    yield from ((RecordKind.NOTE, note_id) for note_id in case.notes)
    yield from ((RecordKind.ASSESSMENT, a_id) for a_id in case.assessments)
    if case.plan_versions:
        yield RecordKind.PLAN, case.id
    yield from ((RecordKind.CLOSURE, c.closure_id) for c in case.closures)


def reviews_shown(casework: "Casework", by: Actor, reading: CaseReading) -> dict[UUID, ReviewState]:
    """record id → its review, for the records `reading` shows that have one; the
    reviews read are recorded together (none read, nothing recorded)."""
    found: dict[UUID, ReviewState] = {}
    for kind, record_id in _shown_records(reading):
        review = _load_review(casework, reading.case, kind, record_id)
        if review is not None:
            found[record_id] = _state(reading.case, review)
    if found:
        casework.record_access(
            by,
            AccessAction.READ,
            case_id=reading.case.id,
            record_kinds=["review"],
            record_ids=[s.review.id for s in found.values()],
            reason=f"reviews of records shown: {reading.ground}",
        )
    return found


def review_queue(casework: "Casework", by: Actor, on: date | None = None) -> list[AwaitingReview]:
    """What `by` is to judge: records written by the people they supervise on `on`
    (today by default) in the cases those people lead; re-submissions first, then
    approvals, then recent records never reviewed, oldest first within each."""
    at = now()
    day = on or at.date()
    casework.context_of(by, AccessAction.READ, None)  # holds the role today
    me: Staff = casework.get_staff(by.staff_id)
    supervisees = set(me.supervisees_on(day))
    case_ids: list[UUID] = []
    for staff_id in sorted(supervisees):
        case_ids += casework.get_staff(staff_id).lead_case_ids
    waiting: list[AwaitingReview] = []
    for case_id in dict.fromkeys(case_ids):
        reading = casework.read_case(by, case_id)
        waiting += _waiting_in(casework, reading, supervisees, at - UNREVIEWED_WITHIN)
    order = list(Waiting)
    return sorted(waiting, key=lambda w: (order.index(w.waiting), w.written_at))


def _waiting_in(
    casework: "Casework", reading: CaseReading, authors: set[UUID], since: datetime
) -> list[AwaitingReview]:
    case = reading.case
    found = []
    records = [
        (RecordKind.NOTE, n.note_id, n.by, n.occurred_at, n.narrative) for n in case.notes.values()
    ]
    records += [
        (RecordKind.ASSESSMENT, a.assessment_id, a.by, a.occurred_at, a.summary)
        for a in case.assessments.values()
    ]
    for kind, record_id, author, written_at, text in records:
        excerpt = text[:EXCERPT]
        if author not in authors:
            continue
        review = _load_review(casework, case, kind, record_id)
        if review is None:
            if written_at >= since:
                found.append(
                    AwaitingReview(
                        case.id, kind, record_id, author, written_at, Waiting.NOT_REVIEWED, excerpt
                    )
                )
        elif _state(case, review).resubmitted:
            found.append(
                AwaitingReview(
                    case.id, kind, record_id, author, written_at, Waiting.RESUBMITTED, excerpt
                )
            )
    pending = case.pending_plan
    if pending is not None and pending.proposed_by in authors:
        found.append(
            AwaitingReview(
                case.id,
                RecordKind.PLAN,
                case.id,
                pending.proposed_by,
                pending.proposed_at,
                Waiting.APPROVAL,
            )
        )
    for closure in case.closures:
        if closure.needs_approval and closure.approved_by_review is None and closure.by in authors:
            found.append(
                AwaitingReview(
                    case.id,
                    RecordKind.CLOSURE,
                    closure.closure_id,
                    closure.by,
                    closure.occurred_at,
                    Waiting.APPROVAL,
                )
            )
    return found
