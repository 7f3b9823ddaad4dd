"""Stories of the ledger on both backends: checkpoints cover what was stored, the store
verifies, and any single event proves it is in the signed log."""

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.application.checkpoints import keep_checkpointing
from casework.store.ledger import Checkpoint, leaf_data
from casework.store.merkle import Tree, leaf_hash, verify_consistency
from tests.builders.centre import write_note
from tests.builders.compliance_steps import family_case, give_ledger_key, proved_event


def test_a_checkpoint_covers_every_event_and_later_ones_extend_it(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store)
    first = store.checkpoint()
    assert first is not None
    assert first.seq == 1
    assert first.tree_size == store.last_position()
    assert first.signature_valid()

    write_note(store, centre.worker, case_id, "called the daughter", NoteKind.PHONE, 10)
    report = store.verify()
    assert report.ok, report.lines()
    assert report.uncovered == 1

    second = store.checkpoint()
    assert second is not None
    assert (second.seq, second.tree_size) == (2, first.tree_size + 1)
    assert store.checkpoint() is None  # nothing new to cover
    report = store.verify()
    assert report.ok, report.lines()
    assert (report.checkpoints, report.covered, report.uncovered) == (2, second.tree_size, 0)


def test_any_single_event_proves_it_is_in_the_signed_log(store: Casework) -> None:
    case_id, proof = proved_event(store, notes=4)
    row = next(
        r for r in store.ledger.rows() if r.originator_id == case_id and r.originator_version == 3
    )
    assert leaf_hash(leaf_data(case_id, 3, row.topic, row.state)).hex() == proof.leaf_hash
    another = store.prove_event(case_id, 2)
    assert not msgspec.structs.replace(proof, leaf_hash=another.leaf_hash).verifies()


def test_an_exported_checkpoint_is_proved_extended_by_the_store(
    app: Casework, tmp_path: Path
) -> None:
    give_ledger_key(app)
    centre, case_id = family_case(app)
    kept = app.checkpoint()
    assert kept is not None
    kept.write(tmp_path / "funder.checkpoint")
    for n in range(5):
        write_note(app, centre.worker, case_id, f"follow-up {n}")
    later = app.checkpoint()
    assert later is not None
    read_back = Checkpoint.read(tmp_path / "funder.checkpoint")
    assert read_back == kept
    tree = Tree(app.ledger.leaf_hashes(later.tree_size))
    proof = tree.consistency_proof(kept.tree_size, later.tree_size)
    assert verify_consistency(kept.tree_size, later.tree_size, kept.root, later.root, proof)
    report = app.verify(against=tmp_path / "funder.checkpoint")
    assert report.ok, report.lines()


def test_two_processes_checkpointing_at_once_both_succeed(app: Casework) -> None:
    give_ledger_key(app)
    centre, case_id = family_case(app)
    other = Casework(app.settings, app._master_key)
    try:
        assert other.checkpoint() is not None
        write_note(app, centre.worker, case_id, "one more")
        assert app.checkpoint() is not None
        assert other.checkpoint() is None
    finally:
        other.close()
    assert app.verify().ok


def test_a_process_that_loses_the_race_to_sign_extends_the_winners_checkpoint(
    store: Casework,
) -> None:
    """Two workers stopping together both sign what they wrote: the one whose insert
    meets the other's rows reads the winner's checkpoint and extends it, rather than
    failing (and leaving the last events uncovered)."""
    give_ledger_key(store)
    centre, case_id = family_case(store)
    other = Casework(store.settings, store._master_key)
    hashed_batches = store.ledger.hashed_batches

    def the_other_signs_first(after: int = 0) -> Iterator[list[tuple[Any, ...]]]:
        store.ledger.hashed_batches = hashed_batches  # type: ignore[method-assign]
        assert other.checkpoint() is not None
        write_note(store, centre.worker, case_id, "written as the other one signed")
        return hashed_batches(after)

    store.ledger.hashed_batches = the_other_signs_first  # type: ignore[method-assign]
    try:
        ours = store.checkpoint()
    finally:
        other.close()
    assert ours is not None
    assert ours.seq == 2
    assert ours.tree_size == store.ledger.event_count()
    assert store.verify().ok


def test_the_database_and_python_hash_every_leaf_alike(store: Casework) -> None:
    family_case(store, notes=2)
    by_database = [h for batch in store.ledger.hashed_batches() for *_, h in batch]
    by_python = [leaf_hash(row.leaf_data()) for row in store.ledger.scan()]
    assert [bytes(h) for h in by_database] == by_python


def test_a_server_keeps_checkpointing_and_signs_a_last_one_when_it_stops(app: Casework) -> None:
    give_ledger_key(app)
    family_case(app, notes=1)
    stop = threading.Event()
    stop.set()  # the loop's first wait returns at once: the shutdown checkpoint
    keep_checkpointing(app, stop, every=60)
    latest = app.latest_checkpoint()
    assert latest is not None and latest.tree_size == app.last_position()
