"""The kinds of record a case holds: one vocabulary for the access rule, reviews and
the case itself. Reviews store the kind in their events, so the values never change."""

from enum import StrEnum


class RecordKind(StrEnum):
    SUMMARY = "summary"  # clients, presenting problem, risk, status
    CONSENT = "consent"
    TEAM = "team"
    NOTE = "note"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    CLOSURE = "closure"


# What a supervisor reviews: the kinds whose content `Case.record_content` hashes.
REVIEWABLE_KINDS = frozenset(
    {RecordKind.NOTE, RecordKind.ASSESSMENT, RecordKind.PLAN, RecordKind.CLOSURE}
)
# What an addendum corrects (closures are amended, plans get new versions).
ADDENDUM_KINDS = frozenset({RecordKind.NOTE, RecordKind.ASSESSMENT})
