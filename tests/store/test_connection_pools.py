"""A server working on many requests at once keeps its connections between them: the
next requests do not open new ones (on PostgreSQL each is a new server process), and
on PostgreSQL the views' queries are planned once on a connection, not at every read."""

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import psycopg
import pytest
from sqlalchemy import event, text

from casework.application import Casework
from casework.projections import Projections
from casework.projections.views.case_index import Reach
from casework.settings import Settings
from casework.store import connection_pools
from casework.store.master_key import MasterKey

AT_ONCE = 12  # more than any pool kept before (the views' kept 3, the store's 5)


@pytest.fixture
def sixteen_at_once() -> Iterator[None]:
    """This process serves 16 requests at once, as the API does on PostgreSQL."""
    before = connection_pools.connections_kept() - connection_pools.BESIDE_REQUESTS
    connection_pools.serve_requests_at_once(16)
    yield
    connection_pools.serve_requests_at_once(before)


def _all_at_once(use: Callable[[], AbstractContextManager[object]]) -> None:
    """AT_ONCE threads each holding a connection from `use` at the same moment."""
    together = threading.Barrier(AT_ONCE, timeout=30)
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            with use():
                together.wait()
        except BaseException as error:  # reported by the test, not lost in a thread
            failures.append(error)

    threads = [threading.Thread(target=hold) for _ in range(AT_ONCE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_views_read_by_many_requests_at_once_reuse_their_connections(
    settings: Settings, master_key: MasterKey, sixteen_at_once: None
) -> None:
    app = Casework(settings, master_key)
    projections = Projections(app)
    opened: list[object] = []
    event.listen(projections.reader, "connect", lambda *_: opened.append(1))
    try:
        _all_at_once(lambda: projections.read("case_index"))
        assert projections.reader.pool.checkedin() >= AT_ONCE  # type: ignore[attr-defined]
        opened.clear()
        for _ in range(3):
            _all_at_once(lambda: projections.read("case_index"))
        assert opened == []
    finally:
        projections.close()
        app.close()


def test_the_store_keeps_the_connections_many_requests_used_at_once(
    settings: Settings, master_key: MasterKey, sixteen_at_once: None
) -> None:
    app = Casework(settings, master_key)
    datastore = app.factory.datastore  # type: ignore[attr-defined]
    try:
        _all_at_once(lambda: datastore.transaction(commit=False))
        first = _connections_of(datastore)
        assert len(first) >= AT_ONCE
        _all_at_once(lambda: datastore.transaction(commit=False))
        assert _connections_of(datastore) == first
    finally:
        app.close()


def _connections_of(datastore: object) -> set[int]:
    """The connections the store's pool holds now: the library's pool on SQLite and
    psycopg's on PostgreSQL both keep them in `_pool`."""
    return {id(c) for c in datastore.pool._pool}  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_the_views_queries_stay_prepared_from_one_read_to_the_next(
    postgres_settings: Settings, master_key: MasterKey
) -> None:
    app = Casework(postgres_settings, master_key)
    projections = Projections(app)
    prepared = text("SELECT statement FROM pg_prepared_statements")
    try:
        for _ in range(6):  # psycopg prepares a query at its fifth use on a connection
            with projections.read("case_index") as (view, connection):
                view.within(connection, Reach(everything=True))
        with projections.read("case_index") as (view, connection):
            statements = connection.execute(prepared).scalars().all()
        assert any(view.cases_table.name in s for s in statements)
    finally:
        projections.close()
        app.close()


@pytest.mark.postgres
def test_a_views_read_whose_kept_connection_died_with_its_server_is_asked_again(
    postgres_settings: Settings, master_key: MasterKey
) -> None:
    """The views' pool pings no connection it hands out (a round trip at every read): a
    connection cut by the server, as a restart cuts them all, is found at the read's
    first statement, and the read is asked again on a new one."""
    app = Casework(postgres_settings, master_key)
    projections = Projections(app)
    backend = text("SELECT pg_backend_pid()")
    try:
        with projections.read("case_index") as (_, connection):
            cut = connection.execute(backend).scalar_one()
        with psycopg.connect(app.database.psycopg_conninfo(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [cut])
        with projections.read("case_index") as (view, connection):
            assert connection.execute(backend).scalar_one() != cut
            assert view.within(connection, Reach(everything=True)) == []
        assert projections.wait_for(0, timeout=0)
    finally:
        projections.close()
        app.close()
