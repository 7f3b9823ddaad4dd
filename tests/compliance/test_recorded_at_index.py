"""The recorded-at index answers "how far is it?" from an index on its log position,
created with the table, and created on opening a store that had the table without it."""

from datetime import UTC, datetime

from casework.application import Casework
from casework.compliance.recorded_at import TABLE, RecordedAtIndex
from tests.builders.cases import open_case, record_note

INDEX = "casework_recorded_at_position"


def _indexes(app: Casework) -> set[str]:
    dialect = app.database.dialect
    with app.factory.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
        if dialect.postgres:
            c.execute(
                "SELECT indexname AS name FROM pg_indexes WHERE tablename = %s AND schemaname = %s",
                (TABLE, app.database.schema or "public"),
            )
        else:
            c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (TABLE,)
            )
        return {row["name"] for row in c.fetchall()}


def _reopened_index(app: Casework) -> RecordedAtIndex:
    index = RecordedAtIndex(
        app.factory.datastore,  # type: ignore[attr-defined]
        app.recorder,
        app.sealing,
        app.database.dialect,
    )
    with app.database.schema_lock():
        index.create()
    return index


def test_replay_finds_the_version_through_the_position_index(store: Casework) -> None:
    case_id = open_case(store)
    record_note(store, case_id, "first visit")
    between = datetime.now(UTC)
    record_note(store, case_id, "second visit")
    assert store.recorded_at.version_at(case_id, between) == 2
    assert INDEX in _indexes(store)

    with store.factory.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        c.execute(f"DROP INDEX {store.database.dialect.table(INDEX)}")
    assert INDEX not in _indexes(store)
    reopened = _reopened_index(store)
    _reopened_index(store)  # a second opening finds it there and leaves it
    assert INDEX in _indexes(store)
    assert reopened.version_at(case_id, between) == 2
    assert reopened.version_at(case_id, datetime.now(UTC)) == 3
