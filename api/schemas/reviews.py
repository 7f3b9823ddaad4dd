"""Reviews of a case record's exact revision: approve, ask for a revision, submit one."""

from typing import Annotated
from uuid import UUID

import msgspec

from api.schemas.common import Body, Instant, Reason
from casework.aggregates.review import Judgement, RecordKind, Resubmission, Review

Comments = Annotated[str, msgspec.Meta(max_length=2_000)]


class ApprovalBody(Body):
    comments: Comments = ""
    occurred_at: Instant | None = None


class RevisionRequestBody(Body):
    comments: Reason
    occurred_at: Instant | None = None


class RevisionBody(Body):
    occurred_at: Instant | None = None


class ReviewView(msgspec.Struct, kw_only=True, frozen=True):
    review_id: UUID
    version: int
    case_id: UUID
    record_kind: RecordKind
    record_id: UUID
    author_id: UUID
    judgements: list[Judgement]
    resubmissions: list[Resubmission]


class Standing(msgspec.Struct, kw_only=True, frozen=True):
    """E.g. "approved v3", "approved v3; amended since" or "not reviewed"."""

    standing: str


def review_view(review: Review) -> ReviewView:
    return ReviewView(
        review_id=review.id,
        version=review.version,
        case_id=review.case_id,
        record_kind=review.record_kind,
        record_id=review.record_id,
        author_id=review.author_id,
        judgements=list(review.judgements),
        resubmissions=list(review.resubmissions),
    )
