"""Concurrency over HTTP, on both backends: 16 writer threads record notes on the
same 20 cases through a real granian server (two workers on SQLite, four on
PostgreSQL), each write with the If-Match it read and a fresh Idempotency-Key.

Every acknowledged write (201) is in the store exactly once, every refused one was
told 409 or 412 and is not there, the views the server kept equal a rebuild, and the
ledger verifies. The suite runs 16 × 30 commands; the long run
(`CASEWORK_FAULT_WRITES=500`, docs/faults.md) 16 × 500."""

import os
import threading
from pathlib import Path

from casework.application import Casework
from casework.settings import Settings
from tests.faults.served import (
    WRITER,
    Tally,
    build_store,
    notes_in_store,
    serving,
    sign_in,
    views_and_rebuild,
    write_notes,
)

WRITERS = 16
WRITES = int(os.environ.get("CASEWORK_FAULT_WRITES") or 30)


def test_sixteen_writers_on_twenty_cases_lose_nothing_and_write_nothing_twice(
    settings: Settings, tmp_path: Path
) -> None:
    built = build_store(settings)
    workers = 2 if built.settings.database_url.startswith("sqlite") else 4
    tally = Tally()
    with serving(built.settings, tmp_path / "granian.log", workers=workers) as server:
        headers = [sign_in(server.base, WRITER, "caseworker") for _ in range(WRITERS)]
        threads = [
            threading.Thread(
                target=write_notes,
                args=(server.base, headers[w], built.case_ids, w, WRITES, tally, "concurrent"),
            )
            for w in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    print(  # for the long run's record (pytest -s)
        f"\n{built.settings.database_url.split(':')[0]}: {WRITERS} x {WRITES} commands, "
        f"{len(tally.acknowledged)} acknowledged, {len(tally.refused)} refused "
        f"(statuses {dict(sorted(tally.statuses.items()))})"
    )
    # Every answer was a 200 read, a 201 write or a 409/412 refusal; none broke.
    assert tally.other == []
    assert tally.unanswered == set()
    assert set(tally.statuses) <= {200, 201, 409, 412}
    assert len(tally.acknowledged) + len(tally.refused) == WRITERS * WRITES
    # The race happened: some writes were refused, most went in.
    assert tally.refused and tally.acknowledged

    app = Casework(built.settings)
    try:
        found = notes_in_store(app, built.case_ids, "concurrent")
        assert set(found) == set(tally.acknowledged)
        assert set(found.values()) == {1}
        assert not set(found) & set(tally.refused)
        # No two acknowledged writes were told the same version of a case.
        versions = list(tally.acknowledged.values())
        assert len(set(versions)) == len(versions)

        kept, rebuilt = views_and_rebuild(app)
        assert kept == rebuilt

        app.checkpoint()
        report = app.verify()
        assert report.ok, report.lines()
        assert report.uncovered == 0
        print(f"{len(found)} notes in the store, each once; views equal a rebuild")
        print("\n".join(report.lines()))
    finally:
        app.close()
