"""PostgreSQL stopped and started again under a write and read load, on a private
PostgreSQL instance of the test's own (the shared server is never touched): while it
is down every request that needs the store is answered 503 (`service_unavailable`, or
`outcome_unknown` for a write caught at its commit), a problem document with
`Retry-After` and nothing of a traceback; once it is back the same server processes
answer again (no restart), the views catch up, and nothing acknowledged was lost.
Nothing refused (409/412) is in the store: a write whose connection died as it
committed is found stored by the store's retry and answered 201 (`lost_commits`).

A request waits at most `POSTGRES_CONNECT_TIMEOUT` (2 s) for a connection, and the
store retries for 3 s (`connection_retries`): during a short restart such a request is
answered normally once the database is back, otherwise it is told 503 within a few
seconds (docs/faults.md, tests/faults/test_restart.py)."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from casework.application import Casework
from casework.settings import Settings
from tests.faults.served import (
    READER,
    WRITER,
    Answer,
    PrivatePostgres,
    Tally,
    build_store,
    is_clean_503,
    notes_in_store,
    private_postgres,
    read_cases,
    serving,
    sign_in,
    views_and_rebuild,
    wait_for,
    write_notes,
)

pytestmark = pytest.mark.postgres

WRITERS = 4


def probe(
    base: str, method: str, path: str, headers: dict[str, str], body: object = None
) -> Answer:
    """One request while the database is down."""
    return Answer.of(httpx.request(method, base + path, headers=headers, json=body, timeout=600))


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as cluster:
        yield cluster


def test_postgres_restarted_under_load_is_503_then_served_again(
    cluster: PrivatePostgres, tmp_path: Path
) -> None:
    settings = Settings.from_env(
        {"CASEWORK_DATA_DIR": str(tmp_path / "data"), "CASEWORK_DATABASE_URL": cluster.url}
    )
    built = build_store(settings)
    case_id = built.case_ids[0]
    tally = Tally()
    stop = threading.Event()
    with serving(built.settings, tmp_path / "granian.log", workers=2) as server:
        writer = sign_in(server.base, WRITER, "caseworker")
        reader = sign_in(server.base, READER, "department_head")
        threads = [
            threading.Thread(
                target=write_notes,
                args=(server.base, writer, built.case_ids, w, 100_000, tally, "outage", stop),
            )
            for w in range(WRITERS)
        ]
        threads.append(
            threading.Thread(
                target=read_cases, args=(server.base, reader, built.case_ids, tally, stop)
            )
        )
        for thread in threads:
            thread.start()
        try:
            wait_for(lambda: len(tally.acknowledged) >= 20, attempts=600, every=0.1)

            cluster.stop("fast")
            # Each kind of request while the database is down: a case read, a note, a
            # view, a sign-in, readiness: each is told 503 within a few seconds, or
            # answered once the database is back if it came back meanwhile.
            with ThreadPoolExecutor(5) as pool:
                probes = {
                    (200,): pool.submit(
                        probe, server.base, "GET", f"/api/v1/cases/{case_id}", writer
                    ),
                    (201, 412): pool.submit(
                        probe,
                        server.base,
                        "POST",
                        f"/api/v1/cases/{case_id}/notes",
                        {**writer, "If-Match": '"1"', "Idempotency-Key": "down"},
                        {"kind": "phone", "narrative": "停机", "duration_minutes": 5},
                    ),
                    (200, 201): pool.submit(
                        probe, server.base, "GET", "/api/v1/views/my-cases", writer
                    ),
                    (401,): pool.submit(
                        probe,
                        server.base,
                        "POST",
                        "/api/v1/sessions",
                        {},
                        {"user_name": WRITER, "password": "x", "role": "caseworker"},
                    ),
                }
                ready_probe = pool.submit(httpx.get, f"{server.base}/health/ready", timeout=600)
                # The load meets the outage (bounded wait), then the database is back.
                wait_for(lambda: tally.statuses[503] >= 3, attempts=1200, every=0.1)
                during = tally.statuses[503]
                cluster.start()
                down = {wanted: answer.result() for wanted, answer in probes.items()}
                ready = ready_probe.result()

            # Back: the same processes serve again (the pool reconnects by itself).
            with httpx.Client(base_url=server.base, headers=writer, timeout=60) as client:
                wait_for(
                    lambda: client.get(f"/api/v1/cases/{case_id}").status_code == 200,
                    attempts=300,
                    every=0.1,
                )
                acknowledged_before = len(tally.acknowledged)
                wait_for(
                    lambda: len(tally.acknowledged) >= acknowledged_before + 20, 600, every=0.1
                )
                stop.set()
                for thread in threads:
                    thread.join()
                read = client.get(f"/api/v1/cases/{case_id}")
                note = client.post(
                    f"/api/v1/cases/{case_id}/notes",
                    json={"kind": "phone", "narrative": "恢复后 after", "duration_minutes": 5},
                    headers={"If-Match": read.headers["etag"], "Idempotency-Key": "after"},
                )
                assert note.status_code == 201, note.text
            ready_after = httpx.get(f"{server.base}/health/ready", timeout=60)
        finally:
            stop.set()
            for thread in threads:
                thread.join()

    # Each probe was told 503 cleanly, or answered as usual once the database was back.
    for wanted, answer in down.items():
        assert is_clean_503(answer) or answer.status in wanted, answer
    assert ready.status_code == 200 or ready.json()["store"] == "unreachable"
    assert ready_after.status_code == 200 and ready_after.json()["status"] == "ready"
    # The load met the outage, and every answer it got other than 200/201/409/412
    # was a clean 503.
    assert during > 0
    assert [a for a in tally.other if not is_clean_503(a)] == []
    assert set(tally.statuses) <= {200, 201, 409, 412, 503}

    app = Casework(built.settings)
    try:
        found = notes_in_store(app, built.case_ids, "outage")
        assert set(tally.acknowledged) <= set(found)
        assert set(found.values()) == {1}
        # Nothing the clients were told was refused is in the store.
        assert set(found) & set(tally.refused) == set()
        kept, rebuilt = views_and_rebuild(app)
        assert kept == rebuilt
        app.checkpoint()
        report = app.verify()
        assert report.ok, report.lines()
    finally:
        app.close()
