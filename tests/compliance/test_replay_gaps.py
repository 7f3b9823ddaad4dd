"""A case stream with a version deleted behind casework's back: replay names the
tampering (which versions are missing, and to run `casework verify`) instead of failing
with a traceback, on a real SQLite file and a real PostgreSQL schema."""

from datetime import UTC, datetime

import pytest

from casework.application import Casework
from casework.store.errors import TamperedRecord
from tests.builders.compliance_steps import (
    attacker,
    events_table,
    family_case,
    give_ledger_key,
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
