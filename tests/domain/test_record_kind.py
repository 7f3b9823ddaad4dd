"""One vocabulary of record kinds: the access rule, reviews and the case share it, and
its values are the strings stored in review events since before it was shared."""

from uuid import uuid4

import pytest

import casework.access
import casework.aggregates.review
from casework.aggregates.base import InvalidValue
from casework.aggregates.case import ADDENDUM_KINDS, REVIEWABLE_KINDS, RecordKind
from casework.aggregates.review import review_id, reviewable


def test_the_access_rule_and_reviews_use_the_case_vocabulary() -> None:
    assert casework.access.RecordKind is RecordKind
    assert casework.aggregates.review.RecordKind is RecordKind
    assert {k.value for k in RecordKind} == {
        "summary", "consent", "team", "note", "assessment", "plan", "closure"
    }  # fmt: skip
    assert {k.value for k in REVIEWABLE_KINDS} == {"note", "assessment", "plan", "closure"}
    assert ADDENDUM_KINDS < REVIEWABLE_KINDS


def test_only_reviewable_kinds_are_reviewed() -> None:
    assert reviewable("note") is RecordKind.NOTE
    for kind in ("summary", "consent", "team", "letter"):
        with pytest.raises(InvalidValue, match="must be one of note, assessment, plan, closure"):
            review_id(uuid4(), kind, uuid4())  # type: ignore[arg-type]
