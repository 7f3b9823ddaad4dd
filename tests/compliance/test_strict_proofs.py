"""Proof verifiers take nothing on trust: an event's inclusion proof, a consistency
proof and a bundle's proofs refuse a leaf index outside the tree and any hash that is
not exactly 32 bytes written as 64 lower-case hex digits (hex that `bytes.fromhex`
would quietly accept: spaces, upper case, a newline), each with an error that names
the value, never a traceback."""

import msgspec
import pytest

from casework.application import Casework
from casework.application.compliance import EventProof
from casework.compliance.bundle import Bundle, verify_bundle
from casework.store.ledger import MalformedHashError, load_public_key
from casework.store.merkle import Tree, verify_consistency
from tests.builders.compliance_steps import family_case, give_ledger_key, proved_event

# Hex that is not a 32-byte hash, though `bytes.fromhex` reads most of it.
LOOSE = [
    "ab " * 21 + "a",  # 64 characters, spaces skipped: 21 bytes
    "AB" * 32,
    "ab" * 32 + "\n",
    "ab" * 31,
    "ab" * 33,
    "zz" * 32,
    "",
]


@pytest.fixture
def proof(app: Casework) -> EventProof:
    return proved_event(app, notes=6)[1]


@pytest.mark.parametrize("loose", LOOSE)
def test_a_loose_leaf_hash_or_proof_hash_is_named(proof: EventProof, loose: str) -> None:
    with pytest.raises(MalformedHashError, match="leaf_hash is not a 32-byte hash"):
        msgspec.structs.replace(proof, leaf_hash=loose).verifies()
    with pytest.raises(MalformedHashError, match="inclusion proof hash 1 is not a 32-byte hash"):
        msgspec.structs.replace(proof, proof=[proof.proof[0], loose, *proof.proof[2:]]).verifies()


@pytest.mark.parametrize("loose", LOOSE)
def test_a_proof_file_with_a_loose_hash_is_refused_naming_the_field(
    proof: EventProof, loose: str
) -> None:
    data = msgspec.json.encode(msgspec.structs.replace(proof, leaf_hash=loose))
    with pytest.raises(msgspec.ValidationError, match=r"\$\.leaf_hash"):
        msgspec.json.decode(data, type=EventProof)
    assert msgspec.json.decode(msgspec.json.encode(proof), type=EventProof).verifies()


def test_a_leaf_index_outside_the_tree_does_not_verify(proof: EventProof) -> None:
    size = proof.checkpoint.tree_size
    for index in (proof.leaf_index - size, -1, size, size + proof.leaf_index, 2**64):
        assert not msgspec.structs.replace(proof, leaf_index=index).verifies(), index


def test_a_consistency_proof_with_a_short_hash_or_bad_sizes_does_not_verify() -> None:
    tree = Tree([bytes([n]) * 32 for n in range(7)])
    old, new = tree.root(3), tree.root(7)
    proof = tree.consistency_proof(3, 7)
    assert verify_consistency(3, 7, old, new, proof)
    assert not verify_consistency(3, 7, old, new, [proof[0][:31], *proof[1:]])
    assert not verify_consistency(3, 7, old[:31], new, proof)
    assert not verify_consistency(-4, 7, old, new, proof)
    assert not verify_consistency(3, 2, old, new, proof)
    assert not verify_consistency(True, 7, old, new, proof)


def test_a_bundle_proof_in_loose_hex_is_named(app: Casework) -> None:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=5)
    bundle = app.export_case(centre.director, case_id)
    public_key = load_public_key(app.settings.verify_key_file)
    for loose in LOOSE:
        events = list(bundle.events)
        first = events[1]
        events[1] = msgspec.structs.replace(
            first, inclusion_proof=[loose, *first.inclusion_proof[1:]]
        )
        forged: Bundle = msgspec.structs.replace(bundle, events=events)
        report = verify_bundle(forged.encode(), public_key)
        assert any("values that are not 32-byte hashes" in p for p in report.problems), (
            loose,
            report.problems,
        )
