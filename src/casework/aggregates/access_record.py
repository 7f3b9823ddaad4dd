"""The access log (查阅记录): one record per access to case content, per refused attempt,
and per sign-in event. Who (staff id, role, session), what (case, record kinds and
ids), when, why (the purpose), the outcome and the reason, and the access point.

An access record is an organisation record: sealed under the organisation's key, so
it survives the erasure of the case it names while holding none of its content, and
a stream of its own, so recording a read never changes the case's version.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from casework.aggregates.base import Record, Role, aware, now

# The event's place in the log, not facts about the access.
_LOG_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


class AccessAction(StrEnum):
    READ = "read"  # a case, or some of its records
    SEARCH = "search"  # client look-up by the blind index
    REPLAY = "replay"  # a record as it stood at an instant
    DIFF = "diff"
    TIMELINE = "timeline"
    EXPORT = "export"
    WRITE = "write"  # recorded only when refused: allowed writes are their own events
    ACCESS_LOG = "access_log"  # who read a case / what someone read
    BREAK_THE_GLASS = "break_the_glass"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKED_OUT = "locked_out"
    UNLOCKED = "unlocked"
    SIGN_OUT = "sign_out"
    SESSIONS_REVOKED = "sessions_revoked"


class AccessOutcome(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"


class AccessRecord(Record):
    """Its attributes are its one event's fields (`AccessRecorded`), set when it is
    applied: an access record is never snapshotted or changed."""

    class AccessRecorded(Record.Created):
        # Nobody is known yet for a failed sign-in under an unknown user name.
        actor_id: UUID | None  # type: ignore[assignment]
        actor_role: Role | None  # type: ignore[assignment]
        action: AccessAction
        outcome: AccessOutcome
        reason: str
        purpose: str
        access_point: str
        session_id: UUID | None
        case_id: UUID | None
        record_kinds: list[str]
        record_ids: list[UUID]
        subject: str
        source: str

        def apply(self, aggregate: Any) -> None:
            fields = vars(self).items()
            aggregate.__dict__.update((k, v) for k, v in fields if k not in _LOG_FIELDS)

    @classmethod
    def recorded(
        cls,
        actor_id: UUID | None,
        actor_role: Role | None,
        action: AccessAction,
        outcome: AccessOutcome,
        *,
        reason: str = "",
        purpose: str = "",
        access_point: str = "",
        session_id: UUID | None = None,
        case_id: UUID | None = None,
        record_kinds: list[str] | None = None,
        record_ids: list[UUID] | None = None,
        subject: str = "",
        source: str = "",
        occurred_at: datetime | None = None,
    ) -> "AccessRecord":
        return cls._create(
            cls.AccessRecorded,
            actor_id=actor_id,
            actor_role=Role(actor_role) if actor_role is not None else None,
            occurred_at=aware(occurred_at) if occurred_at is not None else now(),
            action=AccessAction(action),
            outcome=AccessOutcome(outcome),
            reason=reason,
            purpose=purpose,
            access_point=access_point,
            session_id=session_id,
            case_id=case_id,
            record_kinds=sorted(set(record_kinds or ())),
            record_ids=list(record_ids or ()),
            subject=subject,
            source=source,
        )
