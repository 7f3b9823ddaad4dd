"""The access log in the service layer: every read of case content, every refused
attempt, every sign-in event is recorded durably before anything is shown, and the
questions "who read this case?" and "what did this person read?".

A read whose record cannot be written fails closed (`AccessNotRecorded`): the caller
gets no content.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import Notification, Recording, StoredEvent

from casework.access import ActorContext
from casework.aggregates.access_record import AccessAction, AccessOutcome, AccessRecord
from casework.aggregates.base import Actor, Role, RuleBroken
from casework.aggregates.case import Case
from casework.application.core import CaseworkCore
from casework.application.errors import NotFound
from casework.application.principal import Principal, principal_of
from casework.application.repository import apply_events
from casework.store.access_index import AccessIndex, AccessQuery, AccessRow
from casework.store.errors import RecordErased
from casework.store.group_commit import GroupCommit
from casework.store.keyring import ORGANISATION_SCOPE

# Who is asking, by (staff id, role), within one page's reads (`one_page`).
_asking: ContextVar[dict[tuple[UUID, Role], ActorContext] | None] = ContextVar(
    "asking", default=None
)


class AccessNotRecorded(RuleBroken):
    """The access could not be recorded, so nothing was shown (HTTP 503)."""

    rule = "access_not_recorded"
    status = 503


class AccessLogNotAllowed(RuleBroken):
    rule = "access_log_not_allowed"
    status = 403


class AccessEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One access, as the access-log queries show it."""

    record_id: UUID
    at: datetime
    staff_id: UUID | None
    role: Role | None
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


# Fields an entry shows under the same name as the record's.
_SAME_NAMED = tuple(
    f for f in AccessEntry.__struct_fields__ if f not in {"record_id", "at", "staff_id", "role"}
)


@dataclass(frozen=True)
class AccessRequest:
    """One access to record (`record_accesses`): what was done to what, and with what
    outcome; who did it is the principal the accesses are recorded for."""

    action: AccessAction
    case_id: UUID | None = None
    record_kinds: Sequence[str] = ()
    record_ids: Sequence[UUID] = ()
    outcome: AccessOutcome = AccessOutcome.ALLOWED
    reason: str = ""
    subject: str = ""
    source: str = ""


def _entry(record: AccessRecord) -> AccessEntry:
    return AccessEntry(
        record_id=record.id,
        at=record.occurred_at,
        staff_id=record.actor_id,
        role=record.actor_role,
        **{name: getattr(record, name) for name in _SAME_NAMED},
    )


class AccessLogCommands(CaseworkCore):
    @cached_property
    def access_index(self) -> AccessIndex:
        datastore = self.factory.datastore  # type: ignore[attr-defined]
        index = AccessIndex(
            datastore,
            self.database.dialect,
            self.database.events_table,
            getattr(self.recorder, "channel_name", ""),
            getattr(datastore, "lock_timeout", 0),
        )
        index.create()
        return index

    @cached_property
    def _access_commits(self) -> GroupCommit[tuple[AccessRecord, AccessRow]]:
        """Concurrent readers' access records share commits (each still waits for its
        own to be durable before its content is shown)."""
        return GroupCommit(self._record_in_one_transaction)

    def _record_in_one_transaction(self, writes: Sequence[tuple[AccessRecord, AccessRow]]) -> None:
        """What `save` does for access records, with the events and look-up rows written
        by `AccessIndex.record` (one transaction; on PostgreSQL one statement) instead
        of the library's save pipeline, whose work an access record does not need and
        whose CPU was as much as the commit's (ADR 0052). Records under a data key not
        stored yet (the organisation's first) go through the library's insert, which
        stores the key in the same transaction."""
        events, stored = self._sealed_access(writes)
        if self.keyring.pending_among(s.state for s in stored):  # type: ignore[attr-defined]
            ids = self.recorder.insert_events(stored, with_events=[row for _, row in writes])  # type: ignore[attr-defined]
        else:
            ids = self.access_index.record(stored, [row for _, row in writes])
        self._after_save(
            [
                Recording(
                    event,
                    Notification(
                        id=i,
                        originator_id=s.originator_id,
                        originator_version=s.originator_version,
                        topic=s.topic,
                        state=s.state,
                    ),
                )
                for event, s, i in zip(events, stored, ids, strict=True)
            ]
        )

    def _sealed_access(
        self, writes: Sequence[tuple[AccessRecord, AccessRow]]
    ) -> tuple[list[Any], list[StoredEvent]]:
        """The records' events, and the same sealed under the organisation's key."""
        for record, _ in writes:
            self.sealing.register(record.id, ORGANISATION_SCOPE, new_scope=False)  # type: ignore[attr-defined]
        events = [event for record, _ in writes for event in record.collect_events()]
        return events, [self.sealing.to_stored_event(event) for event in events]  # type: ignore[attr-defined]

    def record_access(
        self,
        principal: Actor | None,
        action: AccessAction,
        *,
        case_id: UUID | None = None,
        record_kinds: Sequence[str] = (),
        record_ids: Sequence[UUID] = (),
        outcome: AccessOutcome = AccessOutcome.ALLOWED,
        reason: str = "",
        subject: str = "",
        source: str = "",
    ) -> UUID:
        """Record one access and commit it; raises `AccessNotRecorded` if it cannot be
        stored (the caller must then show nothing)."""
        request = AccessRequest(
            action,
            case_id=case_id,
            record_kinds=record_kinds,
            record_ids=record_ids,
            outcome=outcome,
            reason=reason,
            subject=subject,
            source=source,
        )
        return self.record_accesses(principal, [request])[0]

    def record_accesses(
        self, principal: Actor | None, requests: Sequence[AccessRequest]
    ) -> list[UUID]:
        """Record several accesses by one principal (a list showing several cases), each
        its own access record, and commit them together: one commit, not one per case.
        Their record ids, in order; raises `AccessNotRecorded` if they cannot be stored
        (then none is, and the caller must show nothing)."""
        if not requests:  # an empty list shows nothing, so there is nothing to record
            return []
        writes = self._access_writes(principal, requests)
        try:
            self._access_commits.write(*writes)
        except Exception as error:
            raise AccessNotRecorded(
                "this access could not be recorded, so nothing is shown; try again, "
                "and tell the operator if it persists",
                cause=str(error),
            ) from error
        return [record.id for record, _ in writes]

    def _access_writes(
        self, principal: Actor | None, requests: Sequence[AccessRequest]
    ) -> list[tuple[AccessRecord, AccessRow]]:
        """Each request's access record and its look-up row, not stored yet."""
        who = principal_of(principal) if principal is not None else None
        writes = []
        for request in requests:
            record = AccessRecord.recorded(
                who.staff_id if who else None,
                who.role if who else None,
                request.action,
                request.outcome,
                reason=request.reason,
                purpose=who.purpose if who else "",
                access_point=who.access_point.value if who else "",
                session_id=who.session_id if who else None,
                case_id=request.case_id,
                record_kinds=[str(kind) for kind in request.record_kinds],
                record_ids=list(request.record_ids),
                subject=request.subject,
                source=request.source,
            )
            row = self.access_index.row(
                record.id,
                request.case_id,
                record.actor_id,
                record.occurred_at,
                request.outcome.value,
            )
            writes.append((record, row))
        return writes

    @contextmanager
    def one_page(self) -> Iterator[None]:
        """The reads of one page: who is asking is worked out once for them all (a
        page asks the service layer several times within milliseconds); each read is
        still checked against the access rule and recorded."""
        token = _asking.set({})
        try:
            yield
        finally:
            _asking.reset(token)

    def context_of(self, by: Actor, action: AccessAction, case_id: UUID | None) -> ActorContext:
        """Who is asking, as the organisation knows them now; someone who does not
        hold the role today (or has left) is refused, and the attempt recorded."""
        known = _asking.get()
        if known is not None and (by.staff_id, by.role) in known:
            return known[by.staff_id, by.role]
        if isinstance(by, Principal) and (checked := by.known_as()) is not None:
            return checked  # as their session's check for this request found them
        try:
            context: ActorContext = self.actor_context(by)  # type: ignore[attr-defined]
        except RuleBroken as error:
            self.record_access(
                by,
                action,
                case_id=case_id,
                outcome=AccessOutcome.REFUSED,
                reason=error.message,
            )
            raise
        if known is not None:
            known[by.staff_id, by.role] = context
        return context

    def who_read_case(
        self, by: Actor, case_id: UUID, query: AccessQuery | None = None
    ) -> list[AccessEntry]:
        """Every access to a case, newest first: for its lead, the supervisors of
        someone on it, the directors of its centre and compliance reviewers (only
        reviewers once the case is erased). The question is recorded too."""
        self._require_case_log_reader(by, case_id)
        return self._access_entries(by, replace(query or AccessQuery(), case_id=case_id), case_id)

    def what_person_read(
        self, by: Actor, staff_id: UUID, query: AccessQuery | None = None
    ) -> list[AccessEntry]:
        """Everything one person accessed, newest first: for compliance reviewers."""
        self.context_of(by, AccessAction.ACCESS_LOG, None)  # holds the role today
        if by.role is not Role.COMPLIANCE_REVIEWER:
            self._refuse_log(by, None, "only compliance reviewers see what a person read")
        return self._access_entries(by, replace(query or AccessQuery(), staff_id=staff_id), None)

    def _access_entries(
        self, by: Actor, query: AccessQuery, case_id: UUID | None
    ) -> list[AccessEntry]:
        entries = [_entry(record) for record in self._access_records(self.access_index.find(query))]
        self.record_access(
            by,
            AccessAction.ACCESS_LOG,
            case_id=case_id,
            record_kinds=["access_log"],
            reason=f"{len(entries)} access record(s) shown",
            subject=str(query.staff_id or ""),
        )
        return entries

    def _access_records(self, ids: Sequence[UUID]) -> list[AccessRecord]:
        """The access records `ids`, in that order, read in one query (each is one
        event, under the organisation's key: never erased)."""
        events: dict[UUID, list[Any]] = {i: [] for i in ids}
        mapper = self.repository.event_store.mapper
        for stored in self.access_index.events_of(ids):
            events[stored.originator_id].append(mapper.to_domain_event(stored))
        records = []
        for record_id, recorded in events.items():
            record = apply_events(None, recorded) if recorded else None
            if not isinstance(record, AccessRecord):
                raise NotFound("access record", record_id)
            records.append(record)
        return records

    def _require_case_log_reader(self, by: Actor, case_id: UUID) -> None:
        context = self.context_of(by, AccessAction.ACCESS_LOG, case_id)
        if by.role is Role.COMPLIANCE_REVIEWER:
            return
        try:
            case = self.repository.get(case_id)
        except RecordErased:
            self._refuse_log(by, case_id, "only compliance reviewers see who read an erased case")
        except AggregateNotFoundError:
            raise NotFound("case", case_id) from None
        if not isinstance(case, Case):
            self._refuse_log(by, case_id, "not a case")
        role = by.role
        on_case = {case.lead_worker_id, *(m.staff_id for m in case.team)}
        if (
            (role in (Role.CASEWORKER, Role.DEPARTMENT_HEAD) and case.lead_worker_id == by.staff_id)
            or (role is Role.CENTRE_DIRECTOR and case.centre_id == context.centre_id)
            or (role is Role.SUPERVISOR and on_case & context.supervisee_ids)
        ):
            return
        self._refuse_log(
            by,
            case_id,
            "who read a case is shown to its lead, the supervisors of people on it, "
            "the directors of its centre and compliance reviewers",
        )

    def _refuse_log(self, by: Actor, case_id: UUID | None, reason: str) -> None:
        self.record_access(
            by,
            AccessAction.ACCESS_LOG,
            case_id=case_id,
            record_kinds=["access_log"],
            outcome=AccessOutcome.REFUSED,
            reason=reason,
        )
        raise AccessLogNotAllowed(reason)
