"""`Projections(app)`: the views of one casework store, and everything done to them:
catching up, running, rebuilding blue/green (several views from one scan of the log,
the old generation dropped at the switch), status, read-your-writes, erasure."""

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Connection, Engine, Row, Select, bindparam, delete, insert, select, update
from sqlalchemy.exc import DBAPIError

from casework.projections.machinery.engine import WRITE_LOCK, changing_schema, read_table_engine
from casework.projections.machinery.generations import (
    BUILDING,
    RETIRED,
    SERVING,
    bookkeeping,
    erased_cases,
    view_generations,
)
from casework.projections.machinery.leadership import Leadership, leadership_for
from casework.projections.machinery.runner import Runner, ViewMoved, runner_name
from casework.projections.machinery.view_base import View
from casework.projections.views import ALL_VIEWS
from casework.store.errors import StoreError
from casework.store.replica import replica_of

# A runner that has not written for this long while its view lags is "stopped".
STALE_AFTER = timedelta(seconds=30)
HEARTBEAT_EVERY = 5.0
LEAD_EVERY = 1.0
MAX_WAIT = 30.0

# A view's serving generation, asked on every read: built once, its name bound.
_SERVING = select(view_generations.c.generation, view_generations.c.definition).where(
    view_generations.c.view == bindparam("view"), view_generations.c.status == SERVING
)
_SERVING_LOCKED = _SERVING.with_for_update(read=True, key_share=True)

Progress = Callable[[str, int, int], None]
T = TypeVar("T")


def _on_a_live_connection(engine: Engine, first: Callable[[Connection], T]) -> tuple[Connection, T]:
    """A connection of `engine`, open, and what `first` asked on it; asked once more on
    a new connection if the pool's was found dead (its server restarted). The views'
    pool does not ping each connection it hands out, a round trip on PostgreSQL at
    every read: a dead one is found at its first statement, and SQLAlchemy then
    discards every connection of the pool opened before (ADR 0066)."""
    for attempt in (1, 2):
        connection = engine.connect()
        try:
            return connection, first(connection)
        except DBAPIError as error:
            connection.close()
            if attempt == 2 or not error.connection_invalidated:
                raise
    raise AssertionError("returned or raised on the second attempt")


def _serving_row(connection: Connection, serving: Select[Any], name: str) -> Row[Any]:
    # A read that waited on a switch finds no serving row in its statement's snapshot
    # (the old row is gone, the new one was building): ask again.
    for _ in range(3):
        found = connection.execute(serving, {"view": name}).first()
        if found is not None:
            return found
    raise KeyError(f"no view {name!r} is serving")


@dataclass(frozen=True)
class ViewStatus:
    name: str
    title: str
    generation: int
    position: int
    head: int
    health: str
    runner: str | None
    heartbeat_at: datetime | None
    building: tuple[int, int] | None  # (generation, position) of a rebuild under way

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


class Projections:
    def __init__(self, app: Any, views: Sequence[type[View]] | None = None) -> None:
        self.app = app
        # Shown in status as the runner of the views this object runs.
        self.runner_name = runner_name()
        self.engine = read_table_engine(app.database)
        # Reads (and read-your-writes waits) go to the replica when one is configured.
        replica = replica_of(app.settings, app.database)
        self.reader = read_table_engine(replica) if replica else self.engine
        self.view_classes: dict[str, type[View]] = {v.name: v for v in views or ALL_VIEWS}
        self._definitions = {name: cls.definition() for name, cls in self.view_classes.items()}
        # The serving generation of each view as reads query it (tables only; a runner
        # has its own instances, whose row caches it fills).
        self._reading: dict[str, View] = {}
        self._start_new_views()

    def close(self) -> None:
        self.engine.dispose()
        self.reader.dispose()

    # -- generations ---------------------------------------------------------------

    def _generation_rows(self, connection: Connection) -> list[Any]:
        g = view_generations.c
        return list(connection.execute(select(view_generations).order_by(g.view, g.generation)))

    @contextmanager
    def _creating(self) -> Iterator[Connection]:
        with changing_schema(self.engine) as connection:
            bookkeeping.create_all(connection)
            yield connection

    def _start_new_views(self) -> None:
        """A view never built before starts serving empty at position 0 and catches up."""
        with self._creating() as connection:
            known = {r.view for r in self._generation_rows(connection)}
            for name, cls in self.view_classes.items():
                if name not in known:
                    self._create_generation(connection, cls, 1, SERVING)

    def _create_generation(
        self, connection: Connection, cls: type[View], generation: int, status: str
    ) -> None:
        cls(generation).create_tables(connection)
        connection.execute(
            insert(view_generations).values(
                view=cls.name,
                generation=generation,
                status=status,
                position=0,
                created_at=datetime.now(tz=UTC),
                definition=self._definitions[cls.name],
            )
        )

    def serving(self) -> dict[str, int]:
        """Each view's generation that answers reads."""
        with self.engine.connect() as connection:
            rows = self._generation_rows(connection)
        return {r.view: r.generation for r in rows if r.status == SERVING}

    def outdated(self) -> list[str]:
        """Views whose serving tables were built by an older definition."""
        with self.engine.connect() as connection:
            rows = self._generation_rows(connection)
        return [
            r.view
            for r in rows
            if r.status == SERVING
            and r.view in self._definitions
            and r.definition != self._definitions[r.view]
        ]

    def _serving_views(self) -> list[View]:
        return [
            self.view_classes[name](generation)
            for name, generation in self.serving().items()
            if name in self.view_classes
        ]

    # -- catching up and running ---------------------------------------------------

    def catch_up(self, progress: Progress | None = None) -> int:
        """Bring every view up to the end of the log now, in this process (rebuilding
        outdated ones first); returns the position reached."""
        if outdated := self.outdated():
            self.rebuild_all(outdated, progress)
        while True:
            try:
                runner = Runner(self.app, self.engine, self._serving_views(), name=self.runner_name)
                runner.drain()
                return runner.position
            except ViewMoved:
                continue

    def run(
        self, stop: threading.Event, on_error: Callable[[Exception], None] | None = None
    ) -> None:
        """Keep the views this process leads fresh until `stop` is set.

        On PostgreSQL a view is fresh within a second of a write (LISTEN/NOTIFY);
        several processes may run this, and each view is run by one of them. Views
        built by an older definition are rebuilt first, beside the serving ones."""
        if outdated := self.outdated():
            try:
                self.rebuild_all(outdated)
            except RebuildUnderWay:
                for name in outdated:  # another runner is rebuilding some: do the others
                    with contextlib.suppress(RebuildUnderWay):
                        self.rebuild(name)
        leadership: Leadership | None = None
        runner: Runner | None = None
        led: set[str] = set()
        last_heartbeat = 0.0
        lead_due = 0.0  # when to ask again who leads what: now, after a failure or a move
        arrived = True
        try:
            while not stop.is_set():
                try:
                    # Who leads what changes seldom: asked once a second, not on each of
                    # the many wakes a busy server's access records make.
                    if time.monotonic() >= lead_due:
                        if leadership is None or not leadership.still_connected():
                            # A lost connection (the database restarted) took its locks
                            # and its LISTEN with it: lead again on a new one.
                            if leadership is not None:
                                leadership.close()
                                leadership = None
                            leadership = leadership_for(self.app.database, self._channel())
                            runner = None
                        wanted = self._lead(leadership)
                        if runner is None or wanted != led:
                            led = wanted
                            runner = self._runner_for(led)
                        lead_due = time.monotonic() + LEAD_EVERY
                        arrived = True  # a new runner, or a notification missed meanwhile
                    if runner is not None and arrived:
                        runner.drain(stopping=stop.is_set)
                    if runner is not None and time.monotonic() - last_heartbeat > HEARTBEAT_EVERY:
                        runner.heartbeat()
                        last_heartbeat = time.monotonic()
                    if leadership is not None:
                        arrived = leadership.wait_for_events(LEAD_EVERY)
                except ViewMoved:
                    runner, lead_due = None, 0.0
                except Exception as error:  # shown in status, then retried
                    if runner is not None:
                        where = f"{type(error).__name__} at position {runner.position}"
                        with contextlib.suppress(Exception):  # the store may be away too
                            runner.heartbeat(where)
                    if on_error is not None:
                        on_error(error)
                    runner, lead_due = None, 0.0
                    stop.wait(1.0)
        finally:
            if leadership is not None:
                leadership.close()

    def _lead(self, leadership: Leadership) -> set[str]:
        led = set()
        for name, generation in self.serving().items():
            if name in self.view_classes and leadership.try_lead(f"{name}:{generation}"):
                led.add(f"{name}:{generation}")
        return led

    def _runner_for(self, led: set[str]) -> Runner | None:
        views = [
            self.view_classes[name](int(generation))
            for name, generation in (key.split(":") for key in sorted(led))
        ]
        if not views:
            return None
        try:
            return Runner(self.app, self.engine, views, name=self.runner_name)
        except ViewMoved:
            return None

    def _channel(self) -> str:
        return str(getattr(self.app.recorder, "channel_name", ""))

    # -- rebuilding ----------------------------------------------------------------

    def rebuild(self, name: str, progress: Progress | None = None) -> int:
        """Build `name` from zero into a new generation while the serving one keeps
        answering; switch over when caught up. Returns the new generation."""
        return self.rebuild_all([name], progress)[name]

    def rebuild_all(
        self, names: Sequence[str] | None = None, progress: Progress | None = None
    ) -> dict[str, int]:
        """Rebuild these views (all by default) from one scan of the log: each batch is
        read and decoded once and fanned out to every new generation. The serving
        generations keep answering until all have caught up; then, in one transaction,
        the new ones serve and the old ones' tables are dropped. Returns each view's
        new generation. `progress` is called with the views' names joined by commas."""
        classes = [self.view_classes[name] for name in names or self.view_classes]
        label = ", ".join(cls.name for cls in classes)
        leadership = leadership_for(self.app.database, self._channel())
        try:
            generations = self._start_rebuilds(classes, leadership)
            views = [cls(generations[cls.name]) for cls in classes]
            runner = Runner(self.app, self.engine, views, name=self.runner_name)
            head = self.app.last_position()
            shown = None if progress is None else lambda at: progress(label, at, head)
            while runner.drain(shown) or runner.position < self.app.last_position():
                head = self.app.last_position()
            self._switch_to(classes, generations)
            return generations
        finally:
            leadership.close()

    def _start_rebuilds(
        self, classes: Sequence[type[View]], leadership: Leadership
    ) -> dict[str, int]:
        """Claim a new generation of each view (refused, with nothing created, if any
        view is being rebuilt by a live process); drop stale and retired ones."""
        generations: dict[str, int] = {}
        with self._write() as connection:
            rows = self._generation_rows(connection)
            for cls in classes:
                mine = [r for r in rows if r.view == cls.name]
                generation = max((r.generation for r in mine), default=0) + 1
                for row in mine:
                    if row.status == BUILDING and not leadership.try_lead(
                        f"{cls.name}:{row.generation}"
                    ):
                        raise RebuildUnderWay(cls.name, row.generation)
                if not leadership.try_lead(f"{cls.name}:{generation}"):
                    raise RebuildUnderWay(cls.name, generation)
                generations[cls.name] = generation
            for cls in classes:
                for row in rows:
                    if row.view == cls.name and row.status in (BUILDING, RETIRED):
                        self._drop(connection, cls, row.generation)
        with self._creating() as connection:
            for cls in classes:
                self._create_generation(connection, cls, generations[cls.name], BUILDING)
        return generations

    def _switch_to(self, classes: Sequence[type[View]], generations: dict[str, int]) -> None:
        """The new generations serve and the old ones are gone, in one transaction.

        A read resolves its generation in the transaction it reads in (`read`): on
        PostgreSQL it holds a key-share lock on that generation's row, which this
        transaction's row locks wait for; on SQLite it reads one snapshot, which keeps
        the dropped tables. So no read that found generation N misses its tables."""
        with self._write() as connection:
            rows = self._generation_rows(connection)
            for cls in classes:
                generation = generations[cls.name]
                for row in rows:
                    if row.view == cls.name and row.generation != generation:
                        self._drop(connection, cls, row.generation)
                connection.execute(
                    update(view_generations)
                    .where(
                        view_generations.c.view == cls.name,
                        view_generations.c.generation == generation,
                    )
                    .values(status=SERVING)
                )

    def _drop(self, connection: Connection, cls: type[View], generation: int) -> None:
        g = view_generations.c
        for table in cls(generation).tables:
            table.drop(connection, checkfirst=True)
        connection.execute(
            delete(view_generations).where(g.view == cls.name, g.generation == generation)
        )

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction that holds every view's position row: runners' batches wait."""
        with self.engine.connect() as c:
            connection = c.execution_options(**{WRITE_LOCK: True})
            with connection.begin():
                g = view_generations.c
                locked = select(g.view).order_by(g.view, g.generation).with_for_update()
                connection.execute(locked).all()
                yield connection

    # -- reading -------------------------------------------------------------------

    @contextmanager
    def read(self, name: str) -> Iterator[tuple[Any, Connection]]:
        """The serving generation of a view and a connection to query it with, in one
        transaction: a rebuild's switch, which drops the old generation, waits for it
        (PostgreSQL) or leaves it its snapshot (SQLite)."""
        # A standby takes no row locks (store/replica).
        serving = _SERVING_LOCKED if self.reader is self.engine else _SERVING
        connection, found = _on_a_live_connection(
            self.reader, lambda c: _serving_row(c, serving, name)
        )
        with connection:
            yield self._reader_of(name, found.generation, found.definition), connection
            # Ended by a commit, which for a read is the same as a rollback, because
            # psycopg forgets a connection's prepared statements at each rollback: the
            # views' queries would be planned anew every time (docs/benchmarks.md,
            # 2026-12-03: planning was most of PostgreSQL's time on the caseload).
            connection.commit()

    def _reader_of(self, name: str, generation: int, definition: str) -> View:
        """One view object per serving generation for every read: a new one per read
        built its tables anew (thousands of SQLAlchemy objects in reference cycles),
        which missed the statement cache and, piling up, made the full collections
        that stalled a read for ~250 ms (bench_http, the plan view at 1 connection).
        It knows whether an older definition built its tables (a rebuild under way)."""
        view = self._reading.get(name)
        if view is None or view.generation != generation:
            view = self.view_classes[name](generation)
            view.outdated = definition != self._definitions[name]
            self._reading[name] = view
        return view

    def wait_for(self, position: int, timeout: float = 2.0, names: Sequence[str] = ()) -> bool:
        """Read-your-writes: wait (at most `timeout` seconds, capped at 30) until the
        views (all by default) have reached `position`; False if they have not."""
        deadline = time.monotonic() + min(timeout, MAX_WAIT)
        g = view_generations.c
        query = select(g.view, g.position).where(g.status == SERVING)
        wanted = set(names or self.view_classes)
        while True:
            connection, rows = _on_a_live_connection(self.reader, lambda c: c.execute(query).all())
            connection.close()
            behind = [r for r in rows if r.view in wanted and r.position < position]
            if not behind and rows:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    # -- status --------------------------------------------------------------------

    def status(self) -> list[ViewStatus]:
        head = self.app.last_position()
        now = datetime.now(tz=UTC)
        connection, rows = _on_a_live_connection(self.engine, self._generation_rows)
        connection.close()
        building = {r.view: (r.generation, r.position) for r in rows if r.status == BUILDING}
        found = []
        for r in sorted((r for r in rows if r.status == SERVING), key=lambda r: r.view):
            cls = self.view_classes.get(r.view)
            found.append(
                ViewStatus(
                    name=r.view,
                    title=cls.title if cls else "(no longer defined)",
                    generation=r.generation,
                    position=r.position,
                    head=head,
                    health=self._health(r, head, now),
                    runner=r.runner,
                    heartbeat_at=r.heartbeat_at,
                    building=building.get(r.view),
                )
            )
        return found

    def _health(self, row: Any, head: int, now: datetime) -> str:
        if row.last_error:
            return f"failing: {row.last_error}"
        if self._definitions.get(row.view) != row.definition:
            return "outdated: rebuild it"
        if row.position >= head:
            return "current"
        if row.heartbeat_at is not None and now - row.heartbeat_at < STALE_AFTER:
            return "catching up"
        return "stopped: no runner"

    # -- erasure -------------------------------------------------------------------

    def erase_case(self, case_id: UUID, at: datetime | None = None) -> int:
        """Clear every projected row of a case, in every generation, and keep runners
        (and rebuilds) from projecting its events again. Returns rows deleted."""
        deleted = 0
        with self._write() as connection:
            if (
                connection.scalar(
                    select(erased_cases.c.case_id).where(erased_cases.c.case_id == case_id)
                )
                is None
            ):
                connection.execute(
                    insert(erased_cases).values(
                        case_id=case_id, erased_at=at or datetime.now(tz=UTC)
                    )
                )
            for row in self._generation_rows(connection):
                cls = self.view_classes.get(row.view)
                if cls is None:
                    continue
                for table in cls(row.generation).case_tables():
                    deleted += connection.execute(
                        delete(table).where(table.c.case_id == case_id)
                    ).rowcount
        self.app.keyring.forget_cached(case_id)
        return deleted


class RebuildUnderWay(StoreError):  # noqa: N818
    def __init__(self, name: str, generation: int) -> None:
        super().__init__(
            f"another process is already rebuilding view {name} (generation {generation})"
        )
