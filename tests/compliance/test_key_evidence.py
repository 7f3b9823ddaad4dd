"""Keys in the proof: every data key's creation, re-wrap and destruction is in the key
log, which each checkpoint commits to, so `verify` names a key destroyed or replaced in
the key table behind casework's back (on a real SQLite file and a real PostgreSQL
schema), and the key table itself refuses any other change."""

from datetime import UTC, datetime

import pytest
from eventsourcing.persistence import PersistenceError

from casework.application import Casework
from casework.store.key_table import KeyAction, chain_head
from casework.store.master_key import MasterKey
from tests.builders.centre import FamilyCentre
from tests.builders.compliance_steps import attacker, family_case, give_ledger_key, param


def checkpointed_case(app: Casework) -> tuple[FamilyCentre, object]:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=2)
    app.checkpoint()
    report = app.verify()
    assert report.ok, report.lines()
    return centre, case_id


def key_column_update(app: Casework, assignments: str) -> str:
    return f"UPDATE {app.database.dialect.table('casework_data_keys')} SET {assignments} "


def test_a_key_destroyed_in_the_key_table_without_an_erasure_is_named(store: Casework) -> None:
    _, case_id = checkpointed_case(store)
    key = store.key_table.by_scope(case_id)  # type: ignore[arg-type]
    assert key is not None
    p = param(store)
    with attacker(store) as c:
        c.execute(
            key_column_update(store, f"wrapped_key = NULL, destroyed_at = {p}")
            + f"WHERE key_id = {p}",
            (
                datetime(2026, 1, 1, tzinfo=UTC)
                if store.database.backend == "postgres"
                else "2026-01-01T00:00:00+00:00",
                key.key_id if store.database.backend == "postgres" else key.key_id.hex,
            ),
        )
    report = store.verify()
    assert report.kinds() == {"key_destroyed_without_erasure"}, report.lines()
    message = report.findings[0].message
    assert str(key.key_id) in message and str(case_id) in message
    assert "the key log records no destruction" in message


def test_a_wrapped_key_replaced_is_named(store: Casework) -> None:
    _, case_id = checkpointed_case(store)
    key = store.key_table.by_scope(case_id)  # type: ignore[arg-type]
    assert key is not None and key.wrapped_key is not None
    forged = bytes(b ^ 0xFF for b in key.wrapped_key)
    p = param(store)
    with attacker(store) as c:
        c.execute(
            key_column_update(store, f"wrapped_key = {p}") + f"WHERE key_id = {p}",
            (forged, key.key_id if store.database.backend == "postgres" else key.key_id.hex),
        )
    report = store.verify()
    assert report.kinds() == {"wrapped_key_replaced"}, report.lines()
    assert "replaced without a master-key rotation" in report.findings[0].message


def test_an_edited_key_log_is_named(store: Casework) -> None:
    checkpointed_case(store)
    with attacker(store) as c:
        c.execute(
            f"UPDATE {store.database.dialect.table('casework_key_log')} "
            "SET kek_fingerprint = 'forged' WHERE seq = 1"
        )
    report = store.verify()
    assert "key_log_altered" in report.kinds(), report.lines()


def test_the_key_table_refuses_changes_other_than_a_logged_rewrap_or_destruction(
    store: Casework,
) -> None:
    _, case_id = checkpointed_case(store)
    key = store.key_table.by_scope(case_id)  # type: ignore[arg-type]
    assert key is not None
    table = store.database.dialect.table("casework_data_keys")
    p = param(store)
    key_id = key.key_id if store.database.backend == "postgres" else key.key_id.hex
    for statement, params in (
        (f"UPDATE {table} SET wrapped_key = NULL WHERE key_id = {p}", (key_id,)),
        (f"UPDATE {table} SET wrapped_key = {p} WHERE key_id = {p}", (b"\x00" * 60, key_id)),
        (f"DELETE FROM {table} WHERE key_id = {p}", (key_id,)),
    ):
        with (
            pytest.raises((PersistenceError, Exception), match="casework: "),
            store.factory.datastore.transaction(commit=True) as c,  # type: ignore[attr-defined]
        ):
            c.execute(statement, params)
    assert store.key_table.by_scope(case_id) == key  # type: ignore[arg-type]


def test_rotation_and_destruction_leave_log_entries_without_key_material(
    store: Casework,
) -> None:
    _, case_id = checkpointed_case(store)
    store.keyring.rotate_master(MasterKey.generate("the next master key"))
    store.checkpoint()
    report = store.verify()
    assert report.ok, report.lines()
    # A destruction through the keyring is logged, but without an erasure in the
    # register it is still named: keys are destroyed only by an authorised erasure.
    store.keyring.destroy(case_id, datetime.now(UTC))  # type: ignore[arg-type]
    store.checkpoint()
    report = store.verify()
    assert report.kinds() == {"key_destroyed_without_erasure"}, report.lines()
    assert "the erasure register holds no authorised erasure" in report.findings[0].message
    log = store.key_table.log_entries()
    actions = [e.action for e in log]
    assert actions.count(KeyAction.DESTROYED) == 1
    assert KeyAction.REWRAPPED in actions and KeyAction.CREATED in actions
    destroyed = next(e for e in log if e.action is KeyAction.DESTROYED)
    assert destroyed.scope_id == case_id and destroyed.wrapped_hash is None
    wrapped = [r.wrapped_key for r in store.key_table.all_rows() if r.wrapped_key]
    assert wrapped
    for entry in log:
        assert all(w not in entry.encode() and entry.wrapped_hash != w for w in wrapped)
    latest = store.latest_checkpoint()
    assert latest is not None and latest.keys_head == chain_head(log).hex()
