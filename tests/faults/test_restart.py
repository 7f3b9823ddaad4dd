"""PostgreSQL stopped under a running server and started again, on a private cluster of
the test's own (the shared server is never touched), with the API in this process as
a server runs it (views kept fresh by its background thread).

While the database is down a request is told 503 with `Retry-After` within a few
seconds (the pool waits `POSTGRES_CONNECT_TIMEOUT`, 2 s, for a connection and the
store retries for 3 s), not after the library's 10 attempts of 30 s each. Once it is
back, the same process serves again, and its views thread, whose advisory-lock
connection the restart broke, leads again on a new one and catches up: a view read
with the position of a note written after the restart is answered 200."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.api.conftest import Served, serve
from tests.api.test_case_story import note
from tests.faults.served import Answer, PrivatePostgres, is_clean_503, private_postgres
from tests.faults.test_lost_commits import opened_case

pytestmark = pytest.mark.postgres

# Far above the few seconds a 503 now takes, far below the minutes it took before.
BOUND = 20.0


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as cluster:
        yield cluster


@pytest.fixture
def served(cluster: PrivatePostgres, tmp_path: Path, master_key: MasterKey) -> Iterator[Served]:
    """The API on the private cluster, keeping its views fresh as a server does."""
    settings = Settings.from_env(
        {"CASEWORK_DATA_DIR": str(tmp_path / "data"), "CASEWORK_DATABASE_URL": cluster.url}
    )
    yield from serve(settings, master_key, run_views=True)


def timed(send: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    began = time.monotonic()
    answer = send(*args, **kwargs)
    return answer, time.monotonic() - began


def until(wanted: int, send: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Send until the answer is `wanted` (100 tries, 0.2 s apart: a bound)."""
    for _ in range(100):
        answer = send(*args, **kwargs)
        if answer.status_code == wanted:
            return answer
        time.sleep(0.2)
    raise AssertionError(f"never {wanted}: last {answer.status_code} {answer.text[:500]}")


def test_a_server_tells_503_quickly_during_an_outage_and_its_views_resume_after(
    cluster: PrivatePostgres, served: Served
) -> None:
    opened = opened_case(served)
    client, worker, case_id, tag = served.client, opened.worker, opened.case_id, opened.etag
    case, notes, mine = f"/api/v1/cases/{case_id}", opened.notes, "/api/v1/views/my-cases"
    first = client.post(notes, json=note("重启前 before"), headers={**worker, "If-Match": tag})
    assert first.status_code == 201, first.text
    before = client.get(mine, params={"min_position": first.json()["position"]}, headers=worker)
    assert before.status_code == 200, before.text

    cluster.stop("fast")
    down = {
        "read": timed(client.get, case, headers=worker),
        "note": timed(
            client.post,
            notes,
            json=note("停机时 while down"),
            headers={**worker, "If-Match": first.headers["etag"]},
        ),
        # The pool's connections are all gone by now: this one needs a new connection.
        "read again": timed(client.get, case, headers=worker),
        "ready": timed(client.get, "/health/ready"),
    }
    cluster.start()

    for what, (answer, seconds) in down.items():
        assert answer.status_code == 503, (what, answer.text)
        assert seconds < BOUND, (what, seconds)
    for what in ("read", "note", "read again"):
        answer = down[what][0]
        assert is_clean_503(Answer.of(answer)), (what, answer.text)
        assert answer.json()["rule"] == "service_unavailable"  # nothing was written
    assert down["ready"][0].json()["store"] == "unreachable"

    # Back: the same process serves again, and the views follow a write made after the
    # restart (their thread led again on a new connection).
    read = until(200, client.get, case, headers=worker)
    assert read.headers["etag"] == first.headers["etag"]  # the note sent while down: not there
    after = client.post(
        notes, json=note("重启后 after"), headers={**worker, "If-Match": read.headers["etag"]}
    )
    assert after.status_code == 201, after.text
    fresh = until(
        200, client.get, mine, params={"min_position": after.json()["position"]}, headers=worker
    )
    assert [c["case_id"] for c in fresh.json()] == [case_id]
    assert until(200, client.get, "/health/ready").json()["status"] == "ready"
