"""A review of a case record's exact revision, as read (its commands are
`casework.application.commands.reviews`)."""

from uuid import UUID

import msgspec

from api.schemas.common import shown_as
from casework.aggregates.review import Judgement, RecordKind, Resubmission, Review


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
    return shown_as(ReviewView, review, review_id=review.id)
