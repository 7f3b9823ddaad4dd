"""How many requests a server process works on at once (`CASEWORK_API_THREADS`)."""

from pathlib import Path

import pytest
from litestar.concurrency import get_asyncio_executor, set_asyncio_executor

from api.app import create_app_from_env
from api.handler_threads import MOST, ON_POSTGRES, handler_threads, use_handler_threads
from casework.store import connection_pools


def test_a_postgresql_server_works_on_more_requests_at_once_than_asyncio_would_give_it() -> None:
    assert handler_threads(None, "postgres") == ON_POSTGRES == 16
    assert handler_threads("  ", "postgres") == ON_POSTGRES


def test_an_sqlite_server_keeps_asyncios_own_threads_unless_told() -> None:
    assert handler_threads(None, "sqlite") is None
    assert handler_threads("4", "sqlite") == 4


@pytest.mark.parametrize("value", ["0", "-3", str(MOST + 1), "sixteen", "1.5"])
def test_an_operator_who_gives_a_wrong_number_is_told_at_start(value: str) -> None:
    with pytest.raises(ValueError, match=r"CASEWORK_API_THREADS: .* is not a number from 1 to 256"):
        handler_threads(value, "postgres")


def test_the_server_refuses_to_start_with_a_wrong_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASEWORK_API_THREADS", "lots")
    with pytest.raises(ValueError, match="CASEWORK_API_THREADS"):
        create_app_from_env()
    assert not (tmp_path / "data").exists()  # refused before anything was opened


def test_each_request_worked_on_at_once_has_a_connection_kept_for_it() -> None:
    executor = get_asyncio_executor()
    kept = connection_pools.connections_kept()
    try:
        use_handler_threads(ON_POSTGRES)
        assert connection_pools.connections_kept() == ON_POSTGRES + connection_pools.BESIDE_REQUESTS
    finally:
        set_asyncio_executor(executor)
        connection_pools.serve_requests_at_once(kept - connection_pools.BESIDE_REQUESTS)
    assert connection_pools.connections_kept() == kept
