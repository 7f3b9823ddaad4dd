"""Case-record reviews (个案记录审阅): a supervisor judges one record of a case.

One review per record (`review_id`), running through revision requests until it ends
in approval. Every judgement names the revision it judged and a SHA-256 of its content
(`Case.record_content`), so an approval visibly stops covering a record amended since.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from casework.aggregates.base import Actor, InvalidValue, Record, RuleBroken, required_text
from casework.aggregates.case import REVIEWABLE_KINDS, Case, RecordKind


class Verdict(StrEnum):
    APPROVED = "approved"
    REVISION_REQUESTED = "revision_requested"


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    revision: int
    content_hash: str
    comments: str
    reviewer_id: UUID
    occurred_at: datetime
    authority: str = ""  # on what ground the reviewer could approve


@dataclass(frozen=True)
class Resubmission:
    """The author's answer to a revision request: the revision that answers it."""

    revision: int
    content_hash: str
    answers_request: int  # index of the judgement that asked for it
    author_id: UUID
    occurred_at: datetime


class OwnRecord(RuleBroken):
    """Nobody reviews or approves a record they wrote themselves."""

    rule = "own_record"
    status = 403


class NotAuthorisedToApprove(RuleBroken):
    """Approval needs the author's supervisor, the department head or the centre director."""

    rule = "not_authorised_to_approve"
    status = 403


class NotAuthorisedToReview(RuleBroken):
    """Revision requests come from those who may approve the record."""

    rule = "not_authorised_to_review"
    status = 403


class NotAuthorOrLead(RuleBroken):
    """A revision is sent back for review by the record's author or the case's lead."""

    rule = "not_author_or_lead"
    status = 403


class RevisionNotMade(RuleBroken):
    """A revision was asked for and the record has not changed since."""

    rule = "revision_not_made"


class NoRevisionRequested(RuleBroken):
    rule = "no_revision_requested"


class AlreadyApproved(RuleBroken):
    rule = "already_approved"


def reviewable(kind: RecordKind | str) -> RecordKind:
    """The kind, refused unless a supervisor reviews records of that kind."""
    if kind not in REVIEWABLE_KINDS:
        kinds = ", ".join(k for k in RecordKind if k in REVIEWABLE_KINDS)
        raise InvalidValue("record_kind", f"must be one of {kinds}")
    return RecordKind(kind)


def review_id(case_id: UUID, kind: RecordKind, record_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"casework:review:{case_id}:{reviewable(kind).value}:{record_id}")


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def record_author(case: Case, kind: RecordKind, record_id: UUID) -> UUID:
    """Who wrote the record (for a plan, who proposed its latest version)."""
    kind = reviewable(kind)
    case.record_content(kind, record_id)  # refuses a record the case does not hold
    if kind is RecordKind.NOTE:
        return case.notes[record_id].by
    if kind is RecordKind.ASSESSMENT:
        return case.assessments[record_id].by
    if kind is RecordKind.PLAN:
        return case.plan_versions[-1].proposed_by
    return next(c.by for c in case.closures if c.closure_id == record_id)


class Review(Record):
    case_id: UUID
    record_kind: RecordKind
    record_id: UUID
    author_id: UUID
    judgements: list[Judgement]
    resubmissions: list[Resubmission]

    class Begun(Record.Created):
        case_id: UUID
        record_kind: RecordKind
        record_id: UUID
        author_id: UUID

    class RevisionRequested(Record.Event):
        revision: int
        content_hash: str
        comments: str

        def apply(self, review: "Review") -> None:
            review.judgements.append(
                Judgement(
                    Verdict.REVISION_REQUESTED,
                    self.revision,
                    self.content_hash,
                    self.comments,
                    self.actor_id,
                    self.occurred_at,
                )
            )

    class RevisionSubmitted(Record.Event):
        revision: int
        content_hash: str
        answers_request: int

        def apply(self, review: "Review") -> None:
            review.resubmissions.append(
                Resubmission(
                    self.revision,
                    self.content_hash,
                    self.answers_request,
                    self.actor_id,
                    self.occurred_at,
                )
            )

    class Approved(Record.Event):
        revision: int
        content_hash: str
        comments: str
        authority: str

        def apply(self, review: "Review") -> None:
            review.judgements.append(
                Judgement(
                    Verdict.APPROVED,
                    self.revision,
                    self.content_hash,
                    self.comments,
                    self.actor_id,
                    self.occurred_at,
                    self.authority,
                )
            )

    def __init__(
        self, case_id: UUID, record_kind: RecordKind, record_id: UUID, author_id: UUID
    ) -> None:
        self.case_id = case_id
        self.record_kind = record_kind
        self.record_id = record_id
        self.author_id = author_id
        self.judgements = []
        self.resubmissions = []

    def case_id_for_keys(self) -> UUID:
        return self.case_id

    @classmethod
    def begin(
        cls,
        by: Actor,
        case: Case,
        record_kind: RecordKind,
        record_id: UUID,
        occurred_at: datetime | None = None,
    ) -> "Review":
        record_kind = reviewable(record_kind)
        author_id = record_author(case, record_kind, record_id)
        _refuse_own_record(by, author_id)
        return cls.start(
            cls.Begun,
            by,
            occurred_at,
            id=review_id(case.id, record_kind, record_id),
            case_id=case.id,
            record_kind=record_kind,
            record_id=record_id,
            author_id=author_id,
        )

    @property
    def last_approval(self) -> Judgement | None:
        return next((j for j in reversed(self.judgements) if j.verdict is Verdict.APPROVED), None)

    @property
    def open_request(self) -> Judgement | None:
        """The latest judgement, if it asked for a revision (the cycle is still open)."""
        last = self.judgements[-1] if self.judgements else None
        return last if last and last.verdict is Verdict.REVISION_REQUESTED else None

    def covers(self, revision: int, content_hash: str) -> bool:
        """Whether the latest approval covers the record as it now is."""
        approval = self.last_approval
        return (
            approval is not None
            and approval.revision == revision
            and approval.content_hash == content_hash
        )

    def standing(self, revision: int, content_hash: str) -> str:
        """What the review says of the record now, e.g. "approved v3; amended since"."""
        approval = self.last_approval
        request = self.open_request
        if request is not None:
            answered = (
                " (revised since)" if self._changed_since(request, revision, content_hash) else ""
            )
            return f"revision requested on v{request.revision}{answered}"
        if approval is None:
            return "not reviewed"
        if self.covers(revision, content_hash):
            return f"approved v{approval.revision}"
        return f"approved v{approval.revision}; amended since"

    def request_revision(
        self,
        by: Actor,
        revision: int,
        content_hash: str,
        comments: str,
        authority: str | None,
        occurred_at: datetime | None = None,
    ) -> None:
        _refuse_own_record(by, self.author_id)
        if not authority:
            raise NotAuthorisedToReview(
                "only someone who supervises the record's "
                "author, the department head or the centre director may ask for a revision",
                author_id=str(self.author_id),
            )
        required_text("comments", comments, "say what needs revising")
        self._require_revised_since_request(revision, content_hash)
        self.record(
            self.RevisionRequested,
            by,
            occurred_at,
            revision=revision,
            content_hash=content_hash,
            comments=comments,
        )

    def submit_revision(
        self,
        by: Actor,
        revision: int,
        content_hash: str,
        lead_worker_id: UUID,
        occurred_at: datetime | None = None,
    ) -> None:
        """The author (or the case's lead, `lead_worker_id`) links the revision
        (addendum or new version) to the request."""
        if by.staff_id not in (self.author_id, lead_worker_id):
            raise NotAuthorOrLead(
                "only the record's author or the case's lead worker may send a revision "
                "back for review",
                author_id=str(self.author_id),
            )
        request = self.open_request
        if request is None:
            raise NoRevisionRequested("there is no open revision request on this record")
        self._require_revised_since_request(revision, content_hash)
        self.record(
            self.RevisionSubmitted,
            by,
            occurred_at,
            revision=revision,
            content_hash=content_hash,
            answers_request=len(self.judgements) - 1,
        )

    def approve(
        self,
        by: Actor,
        revision: int,
        content_hash: str,
        authority: str | None,
        comments: str = "",
        occurred_at: datetime | None = None,
    ) -> None:
        """`authority` is the ground the access rule found for this approver (None: none)."""
        _refuse_own_record(by, self.author_id)
        if not authority:
            raise NotAuthorisedToApprove(
                "only someone who supervises the record's "
                "author, the department head or the centre director may approve it",
                author_id=str(self.author_id),
            )
        if self.covers(revision, content_hash) and self.open_request is None:
            raise AlreadyApproved(f"v{revision} of this record is approved")
        self._require_revised_since_request(revision, content_hash)
        self.record(
            self.Approved,
            by,
            occurred_at,
            revision=revision,
            content_hash=content_hash,
            comments=comments,
            authority=authority,
        )

    def _require_revised_since_request(self, revision: int, content_hash: str) -> None:
        request = self.open_request
        if request is not None and not self._changed_since(request, revision, content_hash):
            raise RevisionNotMade(
                f"a revision of v{request.revision} was requested and "
                "the record has not been revised since (add an addendum or a new version)"
            )

    @staticmethod
    def _changed_since(request: Judgement, revision: int, content_hash: str) -> bool:
        return revision != request.revision or content_hash != request.content_hash


def _refuse_own_record(by: Actor, author_id: UUID) -> None:
    if by.staff_id == author_id:
        raise OwnRecord(
            "you wrote this record, so you cannot review or approve it; "
            "ask your supervisor, the department head or the centre director"
        )
