"""A case stream edited behind casework's back: replay names the tampering (which
versions are missing, and to run `casework verify`; which event failed authentication)
instead of failing with a traceback or replaying it, on a real SQLite file and a real
PostgreSQL schema."""

from datetime import UTC, datetime

import pytest

from casework.application import Casework
from casework.compliance.replay import Basis
from casework.store.errors import TamperedRecord
from tests.builders.compliance_steps import (
    attacker,
    events_table,
    family_case,
    give_ledger_key,
    id_column,
    param,
)


def test_replay_of_a_stream_with_a_gap_names_the_missing_version(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=4)
    store.checkpoint()
    stored_id = case_id if store.database.backend == "postgres" else case_id.hex
    p = param(store)
    with attacker(store) as c:
        c.execute(
            f"DELETE FROM {events_table(store)} WHERE originator_id = {p} "
            f"AND originator_version = {p}",
            (stored_id, 3),
        )
    with pytest.raises(TamperedRecord, match="has no version 3 before version 4") as named:
        store.replay(centre.director, case_id, datetime.now(UTC))
    assert "events were deleted from its stream" in str(named.value)
    assert "record_deleted" in store.verify().kinds()


def test_as_occurred_replay_names_an_altered_event_that_a_snapshot_covers(
    store: Casework,
) -> None:
    # As occurred, every event is opened for its occurred_at, even those a snapshot
    # already holds: each is authenticated on the way.
    centre, case_id = family_case(store, notes=110)
    rows = store.ledger.stream(case_id)
    target = rows[10]
    flipped = bytearray(target.state)
    flipped[40] ^= 0x01
    p = param(store)
    with attacker(store) as c:
        c.execute(
            f"UPDATE {events_table(store)} SET state = {p} WHERE {id_column(store)} = {p}",
            (bytes(flipped), target.notification_id),
        )
    now = datetime.now(UTC)
    assert store.replay(centre.director, case_id, now).record.version == len(rows)
    with pytest.raises(TamperedRecord, match=f"version {target.originator_version} .* failed"):
        store.replay(centre.director, case_id, now, Basis.OCCURRED)
