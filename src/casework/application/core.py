"""The event-sourced application: the only place that loads and saves records.

Wires the library to casework's sealed store: per-scope data keys, the msgspec
mapper, append-only recorders, and a conflict error when two people write the
same record.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Recording
from eventsourcing.utils import Environment, get_topic

from casework.aggregates.base import Record, RuleBroken
from casework.aggregates.case import Case
from casework.application.checkpoints import PendingCheckpoints
from casework.application.errors import Conflict, NotFound
from casework.application.repository import ShortStreamsFirst
from casework.application.shared_records import SharedRecords
from casework.settings import Settings
from casework.store.collector import freeze_long_lived
from casework.store.database import APPLICATION_NAME, Database
from casework.store.errors import RecordErased
from casework.store.key_table import KeyTable
from casework.store.keyring import ORGANISATION_SCOPE, Keyring
from casework.store.mapper import SealingMapper
from casework.store.master_key import MasterKey

R = TypeVar("R")

# How many stored events to read at a time when listing records from the log.
_LOG_PAGE = 500
T = TypeVar("T")


class CaseworkCore(Application[UUID]):
    """Loading and saving sealed records; each feature area is a mixin over this class.

    The areas extend the core only through these hooks, never by overriding `save` or
    `load` themselves:

    - `_after_save(recordings)`: called by `save` once events are stored (never for a
      save that stored nothing). Does nothing here; the compliance area
      (`ComplianceCommands`) notes the store in `pending_checkpoints` so a checkpoint
      covering the events is signed before the command or server exits.
    - `erased(what, record_id, error)`: the exception a reader gets for a record whose
      case key was destroyed; `load` raises it. Here the store's `RecordErased`; the
      compliance area returns `Erased` (HTTP 410), naming when, by whom and on whose
      authority.

    `pending_checkpoints` is the caller's `PendingCheckpoints` (one per CLI command, one
    per server), or None when nobody signs on exit (tests, scripts).
    """

    name = APPLICATION_NAME

    def __init__(
        self,
        settings: Settings | None = None,
        master_key: MasterKey | None = None,
        *,
        pending_checkpoints: PendingCheckpoints | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.database = Database.from_url(self.settings.database_url)
        self._master_key = master_key or self.settings.load_master_key()
        self.pending_checkpoints = pending_checkpoints
        with self.database.opening():
            super().__init__()
        freeze_long_lived()

    def construct_env(self, name: str, env: Any = None) -> Environment:
        # Only casework's own settings configure the library: stray POSTGRES_* or
        # PERSISTENCE_MODULE variables in the process environment must not redirect it.
        settings = dict(type(self).env)
        if type(self).snapshotting_intervals:
            settings["IS_SNAPSHOTTING_ENABLED"] = "y"
        settings.update(self.database.eventsourcing_env())
        return Environment(name, settings)

    def construct_mapper(self) -> SealingMapper:  # type: ignore[override]
        self.key_table = KeyTable(self.factory.datastore, self.database.dialect)  # type: ignore[attr-defined]
        self.key_table.create()
        self.keyring = Keyring(self._master_key, self.key_table)
        self.keyring.check_master_key()
        return SealingMapper(self.keyring)

    def construct_repository(self) -> ShortStreamsFirst:
        # Without the record's kind (a bare `repository.get`), streams shorter than the
        # longest interval are read whole in one query, snapshot or not; `load` knows the
        # kind and gives its own interval.
        intervals = type(self).snapshotting_intervals.values()
        shared = SharedRecords()
        self.keyring.forgetting.append(shared.forget_case)
        return ShortStreamsFirst(
            event_store=self.events,
            snapshot_store=self.snapshots,
            snapshot_from=max(intervals, default=1),
            shared=shared,
            still_readable=self.keyring.for_scope,
        )

    def construct_recorder(self) -> Any:
        recorder = super().construct_recorder()
        recorder.keyring = self.keyring
        recorder.key_table = self.key_table
        return recorder

    @property
    def sealing(self) -> SealingMapper:
        return self.mapper  # type: ignore[return-value]

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        for obj in objs:
            if isinstance(obj, Record):
                case_id = obj.case_id_for_keys()
                pending = obj._pending_events
                self.sealing.register(
                    obj.id,
                    case_id or ORGANISATION_SCOPE,
                    new_scope=case_id == obj.id
                    and bool(pending)
                    and pending[0].originator_version == 1,
                )
        try:
            recordings = super().save(*objs, **kwargs)
        except IntegrityError as error:
            raise Conflict(
                "someone else recorded something on this record at the same time; "
                "nothing of yours was saved: reload it and try again",
                cause=str(error),
            ) from error
        for obj in objs:
            if isinstance(obj, Case):
                self.repository.shared.keep_saved(obj)
        if recordings:
            self._after_save(recordings)
        return recordings

    def _after_save(self, recordings: list[Recording[UUID]]) -> None:
        """Hook: events were just stored (see the class docstring)."""

    def load(self, record_id: UUID, kind: type, what: str, version: int | None = None) -> Any:
        """The record (as it stood at `version`), the caller's own to change and save."""
        snapshot_from = type(self).snapshotting_intervals.get(kind)
        return self._opened(
            record_id,
            kind,
            what,
            lambda: self.repository.get(record_id, version=version, snapshot_from=snapshot_from),
        )

    def read(self, record_id: UUID, kind: type, what: str, *, latest: int | None = None) -> Any:
        """The record as stored now, to look at and never change: shared with the
        process's other readers (`SharedRecords`, ADR 0062), so opened once, not on
        every read. `latest`: its last stored version, when the caller has just read it
        (the store is not asked again)."""
        snapshot_from = type(self).snapshotting_intervals.get(kind)
        return self._opened(
            record_id,
            kind,
            what,
            lambda: self.repository.get_shared(
                record_id, snapshot_from=snapshot_from, latest=latest
            ),
        )

    def read_all(
        self, record_ids: Sequence[UUID], kind: type, what: str
    ) -> Iterator[tuple[UUID, Any]]:
        """`read` of each record, in order, asking the store once (not once each)
        whether any kept one has changed: each id with its record, or with the error
        `read` would raise for it (not found, erased), so a list can leave that one
        out and go on."""
        snapshot_from = type(self).snapshotting_intervals.get(kind)
        opening = self.repository.get_shared_all(record_ids, snapshot_from=snapshot_from)
        for record_id, open_record in zip(record_ids, opening, strict=True):
            try:
                yield record_id, self._opened(record_id, kind, what, open_record)
            except (RuleBroken, RecordErased) as error:
                yield record_id, error

    def _opened(
        self, record_id: UUID, kind: type, what: str, open_record: Callable[[], Any]
    ) -> Any:
        try:
            record = open_record()
        except AggregateNotFoundError:
            raise NotFound(what, record_id) from None
        except RecordErased as error:
            raise self.erased(what, record_id, error) from None
        if not isinstance(record, kind):
            raise NotFound(what, record_id)
        return record

    def erased(self, what: str, record_id: UUID, error: RecordErased) -> Exception:
        """Hook: what a reader sees for a record whose case key was destroyed (see the
        class docstring)."""
        return error

    def update(
        self,
        record_id: UUID,
        kind: type[R],
        what: str,
        expected_version: int | None,
        command: Callable[[R], T],
    ) -> T:
        """Load a record, check the version its writer read, run one command on it and
        save it (one transaction); returns what the command returned."""
        record = self.load(record_id, kind, what)
        self.expect_version(record, expected_version)
        result = command(record)
        self.save(record)
        return result

    @staticmethod
    def expect_version(record: Any, expected_version: int | None) -> None:
        """Optimistic concurrency for callers that read a version before writing."""
        if expected_version is not None and record.version != expected_version:
            raise Conflict(
                f"this record is at version {record.version}, not {expected_version}: "
                "someone else changed it since you read it; reload and try again",
                current_version=record.version,
                expected_version=expected_version,
            )

    def record_ids(self, created: type) -> list[UUID]:
        """Every record started with this event class, oldest first (read from the log's
        clear topics: nothing is decrypted)."""
        topic = get_topic(created)
        ids: list[UUID] = []
        start = 0
        while True:
            page = self.recorder.select_notifications(
                start=start, limit=_LOG_PAGE, topics=[topic], inclusive_of_start=False
            )
            ids += [n.originator_id for n in page]
            if len(page) < _LOG_PAGE:
                return ids
            start = page[-1].id

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0
