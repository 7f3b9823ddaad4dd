"""Someone with access to the database edits history behind casework's back: each attack
acts on the real SQLite file or PostgreSQL table (append-only triggers dropped first, as
an attacker would) and `verify` names it precisely."""

from pathlib import Path
from uuid import uuid4

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.aggregates.base import Actor, Role
from casework.application import Casework
from casework.store.ledger import LogRow
from tests.builders.centre import write_note
from tests.builders.compliance_steps import (
    attacker,
    delete_events_from,
    events_table,
    family_case,
    give_ledger_key,
    id_column,
    param,
    rewrite_history_and_its_ledger,
    set_state,
)


def checkpointed_story(app: Casework) -> list[LogRow]:
    """A family case with six notes, all covered by a checkpoint; the log's rows."""
    give_ledger_key(app)
    family_case(app, notes=6)
    app.checkpoint()
    rows = list(app.ledger.rows())
    assert app.verify().ok
    return rows


def one_more_note(app: Casework, rows: list[LogRow]) -> None:
    case_id = rows[-1].originator_id
    lead = app.repository.get(case_id).lead_worker_id
    write_note(app, Actor(lead, Role.CASEWORKER), case_id, "a late call")


def test_a_flipped_byte_in_a_stored_state_is_named(store: Casework) -> None:
    rows = checkpointed_story(store)
    target = rows[len(rows) // 2]
    flipped = bytearray(target.state)
    flipped[40] ^= 0x01
    with attacker(store) as c:
        set_state(store, c, target.notification_id, bytes(flipped))
    report = store.verify()
    assert report.kinds() == {"record_altered"}
    assert f"event {target.notification_id} " in report.findings[0].message


def test_two_states_swapped_between_rows_are_named(store: Casework) -> None:
    rows = checkpointed_story(store)
    a, b = rows[3], rows[7]
    with attacker(store) as c:
        set_state(store, c, a.notification_id, b.state)
        set_state(store, c, b.notification_id, a.state)
    report = store.verify()
    assert report.kinds() == {"states_swapped"}
    message = report.findings[0].message
    assert f"event {a.notification_id} " in message
    assert f"event {b.notification_id} " in message


def test_a_deleted_row_is_named(store: Casework) -> None:
    rows = checkpointed_story(store)
    target = rows[5]
    with attacker(store) as c:
        delete_events_from(store, c, target.notification_id, target.notification_id)
    report = store.verify()
    assert report.kinds() == {"record_deleted"}
    assert f"event {target.notification_id} " in report.findings[0].message


def test_a_forged_row_inserted_in_the_middle_is_named(store: Casework) -> None:
    rows = checkpointed_story(store)
    after = rows[4].notification_id
    forged_id = uuid4()
    table, column, p = events_table(store), id_column(store), param(store)
    with attacker(store) as c:
        # Make room in the log order, then slip the forged row in.
        c.execute(f"UPDATE {table} SET {column} = {column} + 1000000 WHERE {column} > {after}")
        c.execute(f"UPDATE {table} SET {column} = {column} - 999999 WHERE {column} > 1000000")
        c.execute(
            f"INSERT INTO {table} ({column}, originator_id, originator_version, topic, state) "
            f"VALUES ({p}, {p}, {p}, {p}, {p})",
            (
                after + 1,
                forged_id.hex if store.database.backend == "sqlite" else forged_id,
                1,
                rows[4].topic,
                rows[4].state,
            ),
        )
    report = store.verify()
    assert report.kinds() == {"record_inserted"}
    assert str(forged_id) in report.findings[0].message


def test_a_truncated_tail_is_named(store: Casework) -> None:
    rows = checkpointed_story(store)
    cut = rows[-3].notification_id
    with attacker(store) as c:
        delete_events_from(store, c, cut)
    report = store.verify()
    assert report.kinds() == {"log_truncated"}
    assert "the last 3 checkpointed events" in report.findings[0].message


def test_a_log_rewritten_and_resigned_is_caught_by_the_exported_checkpoint(
    store: Casework, tmp_path: Path
) -> None:
    rows = checkpointed_story(store)
    exported = tmp_path / "supervision-team.checkpoint"
    latest = store.latest_checkpoint()
    assert latest is not None
    latest.write(exported)
    # An insider who also holds the key directory rewrites history from the middle on,
    # deletes the state file and rebuilds the ledger with a bootstrap: the store and the
    # key directory alone cannot tell.
    rewrite_history_and_its_ledger(store, rows[len(rows) // 2])
    store.checkpoint(bootstrap="rebuilt the ledger")
    assert store.verify().ok
    report = store.verify(against=exported)
    assert report.kinds() == {"history_rewritten"}
    assert "no longer hash to the root of the exported checkpoint 1 " in report.findings[0].message


def test_an_edited_checkpoint_row_is_named(store: Casework) -> None:
    checkpointed_story(store)
    with attacker(store) as c:
        c.execute(f"UPDATE {store.ledger.checkpoints_table} SET tree_size = tree_size - 1")
    report = store.verify()
    assert report.kinds() == {"checkpoint_altered"}
    assert "checkpoint 1 does not match its signature" in report.findings[0].message


def test_a_checkpoint_signed_with_a_wrong_key_is_named(store: Casework) -> None:
    one_more_note(store, checkpointed_story(store))
    forger = Ed25519PrivateKey.generate()
    store.ledger.checkpoint(forger)
    report = store.verify()
    assert report.kinds() == {"wrong_signing_key"}
    assert "checkpoint 2" in report.findings[0].message


def test_an_edited_leaf_table_is_named(store: Casework) -> None:
    rows = checkpointed_story(store)
    with attacker(store) as c:
        c.execute(
            f"UPDATE {store.ledger.leaves_table} SET leaf_hash = {param(store)} "
            f"WHERE notification_id = {param(store)}",
            (b"\x00" * 32, rows[2].notification_id),
        )
    report = store.verify()
    assert "ledger_altered" in report.kinds()


def test_a_deleted_checkpoint_is_named(store: Casework) -> None:
    one_more_note(store, checkpointed_story(store))
    store.checkpoint()
    with attacker(store) as c:
        c.execute(f"DELETE FROM {store.ledger.checkpoints_table} WHERE seq = 1")
    report = store.verify()
    assert report.kinds() == {"checkpoint_missing"}
