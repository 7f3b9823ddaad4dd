"""The catch-up loop that feeds the notification log to views.

Each batch is read once and decoded once for every view it runs; the rows of all
those views and each view's new position are written in one transaction that
first checks every view is still where this runner left it. A crash anywhere
leaves the previous batch's position and rows, never half a batch: exactly once.
"""

import contextlib
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, and_, bindparam, func, or_, select, update
from sqlalchemy.exc import DBAPIError

from casework.projections.machinery.engine import WRITE_LOCK, changing_schema
from casework.projections.machinery.generations import RETIRED, erased_cases, view_generations
from casework.projections.machinery.row_cache import Write
from casework.projections.machinery.view_base import Item, View
from casework.store.collector import collector_pause
from casework.store.envelope import raw_key_id
from casework.store.errors import RecordErased
from casework.store.keyring import ORGANISATION_SCOPE

BATCH_SIZE = 2000
_UNKNOWN = object()
_ERASED = object()
# Kept in a pooled connection's `info`: the view generations it is readied to write.
_READY_VIEWS = "casework_ready_views"


class ViewMoved(Exception):  # noqa: N818 - a signal to reload, not a failure
    """A view is no longer where this runner left it (another runner advanced it,
    a rebuild switched generations, or it was removed)."""


class _ErasedMeanwhile(Exception):  # noqa: N818 - a signal to redo the batch
    """A case was erased after the batch was handled: its rows may be in the writes."""


@dataclass
class _Batch:
    """A handled batch, ready to commit: the positions it starts from (as this runner
    left them), where it ends, and its writes with their values fixed."""

    since: dict[str, int]
    last: int
    erased_count: int  # erased cases known when it was handled
    writes: list[Write]


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Runner:
    def __init__(
        self,
        app: Any,
        engine: Engine,
        views: Sequence[View],
        batch_size: int = BATCH_SIZE,
        name: str | None = None,
    ) -> None:
        self.app = app
        self.engine = engine
        self.views = list(views)
        self.batch_size = batch_size
        self.name = name or runner_name()
        self.positions: dict[str, int] = {}
        self._erased: set[UUID] = set()
        # By raw key id (as in envelope headers): the case it seals, None, or _ERASED.
        self._case_of_key: dict[bytes, Any] = {}
        self._erased_count = -1
        self._indexed = False
        # Built once, not on every drain: a runner wakes for every read's access record,
        # and building these expressions over its views cost as much as running them.
        self._mine = self._of_my_views()
        self._generations = self._generations_query()
        self._generations_locked = self._generations.with_for_update(key_share=True)
        self._advance = self._advance_statement()
        self.reload()

    def reload(self) -> None:
        """Read each view's position afresh and drop every cached row."""
        for view in self.views:
            view.forget()
        with self.engine.connect() as connection:
            rows = connection.execute(self._generations).all()
            self._refresh_erased(connection)
        found = {r.view: r.position for r in rows if r.status != RETIRED}
        missing = [v.name for v in self.views if v.name not in found]
        if missing:
            raise ViewMoved(f"no generation {self.views[0].generation} of {missing}")
        self.positions = found

    def _of_my_views(self) -> Any:
        g = view_generations.c
        return or_(*(and_(g.view == v.name, g.generation == v.generation) for v in self.views))

    def _generations_query(self) -> Any:
        """Where each view stands, and how many cases have been erased."""
        g = view_generations.c
        erased = select(func.count()).select_from(erased_cases).scalar_subquery()
        return (
            select(g.view, g.generation, g.position, g.status, erased.label("erased"))
            .where(self._mine)
            .order_by(g.view, g.generation)
        )

    def _advance_statement(self) -> Any:
        """A committed batch moves this runner's views to its last position."""
        moved_at = bindparam("moved_at")
        return (
            update(view_generations)
            .where(self._mine)
            .values(
                position=bindparam("moved_to"),
                updated_at=moved_at,
                heartbeat_at=moved_at,
                runner=self.name,
                last_error=None,
            )
        )

    @property
    def position(self) -> int:
        return min(self.positions.values())

    def step(self) -> int:
        """Project one batch; returns how many notifications it covered (0 when caught up)."""
        with (
            self._noticing_a_move(),
            collector_pause.held(),
            self.engine.connect() as reader,
            self._writing() as writer,
        ):
            covered = self._step(reader, writer)
            reader.commit()  # as `Projections.read` ends its reads: prepared statements stay
            return covered

    @contextlib.contextmanager
    def _noticing_a_move(self) -> Iterator[None]:
        """A rebuild's switch drops the old generation's tables: a runner of that
        generation then fails reading or staging them. Said as ViewMoved (reload)
        when that is why; any other database error is raised as it is."""
        try:
            yield
        except DBAPIError as error:
            if self._moved():
                raise ViewMoved("a rebuild replaced a view this runner ran") from error
            raise

    def _moved(self) -> bool:
        with self.engine.connect() as connection:
            rows = connection.execute(self._generations).all()
        return len(rows) < len(self.views) or any(r.status == RETIRED for r in rows)

    def _step(
        self, reader: Connection, writer: Connection, notifications: Sequence[Any] | None = None
    ) -> int:
        while True:
            batch, count = self._next_batch(reader, notifications)
            if batch is None:
                return 0
            try:
                self._commit(batch, writer)
            except _ErasedMeanwhile:
                self.reload()
                notifications = None  # read again from where the reload left the views
                continue
            except BaseException:
                self._abandon(batch.since)
                raise
            return count

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Connection]:
        """The connection batches commit on (on SQLite each takes the write lock first).

        A pooled connection is readied once for each view generation (on PostgreSQL,
        session tables to stage upserts in), not again on each checkout: every read
        records an access, and the DDL was most of what a drain of one cost."""
        with self.engine.connect() as c:
            connection = c.execution_options(**{WRITE_LOCK: True})
            ready = connection.info.setdefault(_READY_VIEWS, set())
            if unready := [v for v in self.views if (v.name, v.generation) not in ready]:
                with connection.begin():
                    for view in unready:
                        view.open_writer(connection)
                ready.update((v.name, v.generation) for v in unready)
            yield connection

    def drain(
        self,
        progress: Callable[[int], None] | None = None,
        stopping: Callable[[], bool] = lambda: False,
    ) -> int:
        """Project batches until the log is exhausted (or `stopping()`); returns how
        many notifications were covered. A generation caught up for the first time
        gets its indexes. Nothing past the views costs the one query that finds
        so, before any connection to the views (a runner wakes on every notification
        and, on SQLite, every poll)."""
        covered = 0
        if notifications := self._notifications():
            covered = self._drain(notifications, progress, stopping)
        if not self._indexed and not stopping():
            with changing_schema(self.engine) as connection:
                for view in self.views:
                    view.create_indexes(connection)
            self._indexed = True
        return covered

    def _drain(
        self,
        first: Sequence[Any] | None,
        progress: Callable[[int], None] | None,
        stopping: Callable[[], bool],
    ) -> int:
        covered = 0
        # Batches make many acyclic objects and the rows cached between them pile up:
        # left on, the cycle collector would walk them all again and again.
        with (
            self._noticing_a_move(),
            collector_pause.held(),
            self.engine.connect() as reader,
            self._writing() as writer,
        ):
            while not stopping() and (moved := self._step(reader, writer, first)):
                first = None
                covered += moved
                if progress is not None:
                    progress(self.position)
                if moved < self.batch_size:  # the log ended there: asking again finds nothing
                    break
        return covered

    def _abandon(self, since: dict[str, int]) -> None:
        """A batch did not commit: back to where it started, with nothing cached."""
        self.positions = dict(since)
        for view in self.views:
            view.forget()

    def _notifications(self) -> Sequence[Any]:
        return self.app.recorder.select_notifications(
            self.position, self.batch_size, inclusive_of_start=False
        )

    def _next_batch(
        self, reader: Connection, notifications: Sequence[Any] | None
    ) -> tuple[_Batch | None, int]:
        """Read (unless already read), decode and handle the next batch in memory
        (None when caught up)."""
        if notifications is None:
            notifications = self._notifications()
        if not notifications:
            return None, 0
        since = dict(self.positions)
        try:
            items = self.decode(notifications)
            batch = self._handle(items, since, notifications[-1].id, reader)
        except BaseException:
            self._abandon(since)
            raise
        return batch, len(notifications)

    def _handle(
        self, items: list[Item], since: dict[str, int], last: int, reader: Connection
    ) -> _Batch:
        writes: list[Write] = []
        # Records born in this batch (their first event is in it) have no rows yet.
        born = {i.event.originator_id: i.position for i in items if i.event.originator_version == 1}
        start = min(since.values())
        with reader.begin():  # one read snapshot, ended before the next batch
            for view in self.views:
                behind = since[view.name]  # views a rebuild started apart may stand apart
                mine = items if behind == start else [i for i in items if i.position > behind]
                new = born.keys() if behind == start else {r for r, p in born.items() if p > behind}
                view.begin(reader)
                view.prepare(mine, new)
                view.apply_all(mine)
                writes += view.take(reader.dialect)
        self.positions = dict.fromkeys(self.positions, last)
        return _Batch(since, last, self._erased_count, writes)

    def decode(self, notifications: Sequence[Any]) -> list[Item]:
        to_domain_event = self.app.mapper.to_domain_event
        case_of_key = self._case_of_key
        erased = self._erased
        items = []
        for n in notifications:
            case_id = case_of_key.get(n.state[1:17], _UNKNOWN)
            if case_id is _UNKNOWN:
                case_id = self._case_sealing(n.state)
            if case_id is _ERASED:
                continue
            try:
                event = to_domain_event(n)
            except RecordErased:  # its key was destroyed since (another process erased)
                case_of_key[n.state[1:17]] = _ERASED
                continue
            # Sealed under an erased case's key, or an organisation record naming one.
            if erased and (case_id in erased or getattr(event, "case_id", None) in erased):
                continue
            items.append(Item(n.id, event, case_id))
        return items

    def _case_sealing(self, envelope: bytes) -> Any:
        """The case whose key sealed this envelope (None: the organisation's key;
        _ERASED: a destroyed key), remembered by key id."""
        key_id = raw_key_id(envelope)
        try:
            scope = self.app.keyring.by_raw_id(key_id).scope_id
        except RecordErased:
            self._case_of_key[key_id] = _ERASED
            return _ERASED
        case_id = None if scope == ORGANISATION_SCOPE else scope
        self._case_of_key[key_id] = case_id
        return case_id

    @staticmethod
    def _erased_cases(connection: Connection) -> int:
        return connection.scalar(select(func.count()).select_from(erased_cases)) or 0

    def _refresh_erased(self, connection: Connection) -> bool:
        """Notice erasures made by other processes; True if there were new ones."""
        count = self._erased_cases(connection)
        if count == self._erased_count:
            return False
        self._erased = set(connection.scalars(select(erased_cases.c.case_id)))
        for case_id in self._erased:
            self.app.keyring.forget_cached(case_id)
        self._case_of_key.clear()
        self._erased_count = count
        return True

    def _commit(self, batch: _Batch, connection: Connection) -> None:
        now = datetime.now(tz=UTC)
        with connection.begin():
            # FOR NO KEY UPDATE on PostgreSQL: readers' key-share locks (`Projections.read`)
            # do not hold a batch up; a rebuild's switch (FOR UPDATE) does.
            current = connection.execute(self._generations_locked).all()
            if {r.view: r.position for r in current} != batch.since or any(
                r.status == RETIRED for r in current
            ):
                raise ViewMoved("another runner or a rebuild moved a view")
            if current[0].erased != batch.erased_count:
                raise _ErasedMeanwhile
            for write in batch.writes:
                write(connection)
            connection.execute(self._advance, {"moved_to": batch.last, "moved_at": now})

    def heartbeat(self, error: str | None = None) -> None:
        """Say this runner is alive (and what failed, if something did)."""
        with self.engine.begin() as connection:
            connection.execute(
                update(view_generations)
                .where(self._mine)
                .values(heartbeat_at=datetime.now(tz=UTC), runner=self.name, last_error=error)
            )
