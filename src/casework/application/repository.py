"""Loading records: short streams without a snapshot look-up, long ones without pauses
for the cycle collector, every event applied without the library's per-event protocol
check; records only read are shared between readers (`get_shared`)."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate

from casework.application.shared_records import SharedRecords
from casework.compliance.replay import apply_all
from casework.store.collector import collector_pause


def apply_events(record: Any, events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` without its `assert isinstance(event,
    CanMutateProtocol)`: a runtime-checkable Protocol check costs ~24 µs an event on
    Python 3.11, about a quarter of the write path's CPU. Every stored casework event
    (and snapshot) is a library event class with `mutate`, so the check never fails.
    A version missing from a stream is named as tampering (`apply_all`)."""
    return apply_all(record, events)


class ShortStreamsFirst(Repository[UUID]):
    """Most records are short (a referral, a staff member, most cases), and no
    snapshot is written before a stream reaches its kind's snapshot interval. So the
    first events are read first, and the snapshot store is asked only when the stream is
    at least `snapshot_from` long: one query instead of two for most loads (a round trip
    saved per load on PostgreSQL). Reading a shorter stream whole is right whether or
    not it has a snapshot. A caller that names a version at least that long (as-of
    replay) goes straight to the snapshot."""

    def __init__(
        self,
        *args: Any,
        snapshot_from: int,
        shared: SharedRecords,
        still_readable: Callable[[UUID], object],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.snapshot_from = snapshot_from
        self.shared = shared
        self.still_readable = still_readable

    def get_shared(
        self, aggregate_id: UUID, *, snapshot_from: int | None = None, latest: int | None = None
    ) -> Any:
        """The record as stored now, for looking at only: the one kept in `shared` if
        nothing was stored on it since (one query: the last version stored, unless the
        caller read it as `latest`), else opened again and kept in its place. Opening
        again is cheaper than bringing a copy up: a deep copy of a case of 600 notes
        took 10 ms, opening it 1.8 ms. A case's record is refused as erased
        (`still_readable` raises `RecordErased`) once its key is destroyed."""
        return self._shared(aggregate_id, snapshot_from, latest)

    def get_shared_all(
        self, aggregate_ids: Sequence[UUID], *, snapshot_from: int | None = None
    ) -> Iterator[Callable[[], Any]]:
        """`get_shared` for each record, in order, with the store asked once whether
        any kept one has newer events (a list of 200 cases: one query, not 200). Each
        comes as a call that opens it, so that a record that cannot be opened raises
        in its turn and the caller goes on to the next."""
        held = {i: r.version for i in aggregate_ids if (r := self.shared.held(i)) is not None}
        latest = self.event_store.recorder.latest_versions(list(held)) if held else {}
        for i in aggregate_ids:  # one kept meanwhile by another reader is asked of alone
            yield partial(self._shared, i, snapshot_from, latest.get(i, -1) if i in held else None)

    def _shared(
        self, aggregate_id: UUID, snapshot_from: int | None, latest: int | None = None
    ) -> Any:
        """The record kept in `shared` if it is at `latest`, the last version stored
        (asked of the store if not given: one statement), else the record opened again."""
        record = self.shared.held(aggregate_id)
        if record is not None:
            if (case_id := record.case_id_for_keys()) is not None:
                self.still_readable(case_id)
            if latest is None:
                latest = self.event_store.recorder.latest_versions([aggregate_id]).get(
                    aggregate_id, -1
                )
            # A record kept since at a newer version (`keep` never goes back) is current too.
            if latest <= record.version:
                return record
        return self.shared.keep(self.get(aggregate_id, snapshot_from=snapshot_from))

    def get(self, aggregate_id: UUID, *, snapshot_from: int | None = None, **kwargs: Any) -> Any:
        """The library's `get`, applying events with `apply_events` wherever it would
        use its default projector (every `load`, and `take_snapshot`, which passes
        `project_aggregate` explicitly); another projector given is used as given.
        A caller that knows the record's kind gives its snapshotting interval as
        `snapshot_from` (a staff record is snapshotted more often than a case)."""
        if kwargs.get("projector_func", project_aggregate) is project_aggregate:
            kwargs["projector_func"] = apply_events
        if snapshot_from is None or self.cache is not None:
            return super().get(aggregate_id, **kwargs)
        # The library's `get` without a cache is `_reconstruct_aggregate`.
        version, projector_func = kwargs.get("version"), kwargs["projector_func"]
        return self._reconstruct(aggregate_id, version, projector_func, snapshot_from)

    def _reconstruct_aggregate(
        self, aggregate_id: UUID, version: int | None, projector_func: Any
    ) -> Any:
        return self._reconstruct(aggregate_id, version, projector_func, self.snapshot_from)

    def _reconstruct(
        self, aggregate_id: UUID, version: int | None, projector_func: Any, snapshot_from: int
    ) -> Any:
        if self.snapshot_store is None:
            return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
        if version is not None and version >= snapshot_from:
            return self._from_snapshot(aggregate_id, version, projector_func)
        store = self.event_store
        head = store.recorder.select_events(aggregate_id, lte=version, limit=snapshot_from)
        if len(head) < snapshot_from:
            aggregate = projector_func(None, map(store.mapper.to_domain_event, head))
            if aggregate is None:
                raise AggregateNotFoundError(
                    f"Aggregate {aggregate_id!r} version {version!r} not found."
                )
            return aggregate
        return self._from_snapshot(aggregate_id, version, projector_func)

    def _from_snapshot(self, aggregate_id: UUID, version: int | None, projector_func: Any) -> Any:
        with collector_pause.held():
            return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
