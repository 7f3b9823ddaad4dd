"""Crash safety, on both backends: API worker processes killed with SIGKILL at random
moments under a write and read load (then the rest of granian, which the test starts
again; one worker on SQLite, two on PostgreSQL). No acknowledged write is lost,
nothing is half-written (every case loads, the ledger verifies after a checkpoint),
nothing is there twice or without having been sent, the views the servers kept
(resumed after each kill) equal a rebuild, and every case read that was served (200)
has its READ record in the access log.

The suite kills 5 times; the long run (`CASEWORK_FAULT_KILLS=50`, docs/faults.md)
50 times."""

import os
import random
import threading
import time
from pathlib import Path

from casework.application import Casework
from casework.settings import Settings
from tests.faults.served import (
    READER,
    WRITER,
    Tally,
    build_store,
    is_clean_503,
    notes_in_store,
    read_cases,
    reads_recorded,
    serving,
    sign_in,
    views_and_rebuild,
    wait_for,
    write_notes,
)

KILLS = int(os.environ.get("CASEWORK_FAULT_KILLS") or 5)
WRITERS = 6


def test_workers_killed_under_load_lose_nothing_acknowledged(
    settings: Settings, tmp_path: Path
) -> None:
    built = build_store(settings)
    workers = 1 if built.settings.database_url.startswith("sqlite") else 2
    rng = random.Random(16)
    tally = Tally()
    stop = threading.Event()
    kills = 0
    with serving(built.settings, tmp_path / "granian.log", workers) as server:
        writer = sign_in(server.base, WRITER, "caseworker")
        reader = sign_in(server.base, READER, "department_head")
        threads = [
            threading.Thread(
                target=write_notes,
                args=(server.base, writer, built.case_ids, w, 1_000_000, tally, "crash", stop),
                kwargs={"seed": 3},
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
            for _ in range(KILLS):
                # Some writes land between kills; then a random moment, a random worker.
                before = len(tally.acknowledged)
                wait_for(lambda before=before: len(tally.acknowledged) >= before + 5, 2400)
                time.sleep(rng.uniform(0, 0.3))
                server.crash(rng)
                kills += 1
            before = len(tally.acknowledged)
            wait_for(lambda: len(tally.acknowledged) >= before + 5, 2400)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    print(
        f"\n{built.settings.database_url.split(':')[0]}: {kills} kills; "
        f"{len(tally.acknowledged)} acknowledged, {len(tally.refused)} refused, "
        f"{len(tally.unanswered)} unanswered; {sum(tally.reads_served.values())} reads served"
    )

    assert kills == KILLS
    # Anything other than 200/201/409/412 was a clean 503 (a worker still starting).
    assert [a for a in tally.other if not is_clean_503(a)] == []

    app = Casework(built.settings)
    try:
        found = notes_in_store(app, built.case_ids, "crash")  # every case loads
        assert set(tally.acknowledged) <= set(found)
        assert set(found.values()) == {1}
        assert set(found) <= set(tally.acknowledged) | tally.unanswered

        kept, rebuilt = views_and_rebuild(app)
        assert kept == rebuilt

        recorded = reads_recorded(app, built.centre.head.staff_id)
        for case_id, served in tally.reads_served.items():
            assert recorded[case_id] >= served, case_id

        app.checkpoint()
        report = app.verify()
        assert report.ok, report.lines()
        assert report.uncovered == 0
        print(f"{len(found)} notes in the store, each once; views equal a rebuild")
        print("\n".join(report.lines()))
    finally:
        app.close()
