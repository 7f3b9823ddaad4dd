"""casework's Merkle verifiers against the RFC 6962 reference probes (transparency-dev/merkle,
in `../shared/vectors/rfc6962/` beside the repository): every happy path verifies, every
mutated probe is rejected, and the roots of the trees of sizes 0 to 8 come out exactly."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from casework.store.merkle import (
    Frontier,
    PrefixRoots,
    Tree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO.parent / "shared" / "vectors" / "rfc6962"
MISSING = Path("vectors-missing")

# The one probe where casework is stricter than the Go reference on purpose: it claims
# two trees of size 1 with the same 12-byte "root" are consistent. casework accepts only
# 32-byte hashes anywhere (a 12-byte root is no tree's root), so it rejects the probe;
# `test_equal_sizes_and_equal_roots_are_consistent` shows the accepted 32-byte form.
STRICTER = {"consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}


def probes(kind: str) -> list[Path]:
    """The probe files, or one marker that makes each test fail when the vectors are absent."""
    found = sorted((VECTORS / kind).rglob("*.json"))
    return found or [MISSING]


def load(path: Path) -> dict[str, Any]:
    if path is MISSING:
        pytest.fail(
            f"the RFC 6962 reference vectors are missing: expected them in {VECTORS} "
            "(the shared/ directory beside the repository)"
        )
    probe: dict[str, Any] = json.loads(path.read_text())
    return probe


def b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def name(path: Path) -> str:
    return path.relative_to(VECTORS).as_posix() if path is not MISSING else "missing"


@pytest.mark.parametrize("path", probes("inclusion"), ids=name)
def test_inclusion_probe(path: Path) -> None:
    probe = load(path)
    accepted = verify_inclusion(
        b64(probe["leafHash"]),
        probe["leafIdx"],
        probe["treeSize"],
        [b64(p) for p in probe["proof"] or []],
        b64(probe["root"]),
    )
    assert accepted is not probe["wantErr"], probe["desc"]


@pytest.mark.parametrize("path", probes("consistency"), ids=name)
def test_consistency_probe(path: Path) -> None:
    probe = load(path)
    accepted = verify_consistency(
        probe["size1"],
        probe["size2"],
        b64(probe["root1"]),
        b64(probe["root2"]),
        [b64(p) for p in probe["proof"] or []],
    )
    if name(path) in STRICTER:
        assert len(b64(probe["root1"])) != 32 and not accepted
        return
    assert accepted is not probe["wantErr"], probe["desc"]


def test_every_probe_was_read_and_both_outcomes_occur() -> None:
    all_probes = [load(p) for p in probes("inclusion") + probes("consistency")]
    assert len(all_probes) == 196
    outcomes = {p["wantErr"] for p in all_probes}
    assert outcomes == {True, False}
    assert sum(not p["wantErr"] for p in all_probes) >= 10


def test_equal_sizes_and_equal_roots_are_consistent() -> None:
    root = leaf_hash(b"")
    assert verify_consistency(1, 1, root, root, [])
    assert not verify_consistency(1, 1, root[:12], root[:12], [])


def test_the_roots_of_trees_of_sizes_0_to_8() -> None:
    path = VECTORS / "roots.json"
    if not path.exists():
        pytest.fail(f"the RFC 6962 reference roots are missing: expected {path}")
    vectors = json.loads(path.read_text())
    leaves = [leaf_hash(bytes.fromhex(h)) for h in vectors["leaf_inputs_hex"]]
    expected = vectors["root_hex_by_tree_size"]
    assert len(expected) == 9
    for size, root_hex in enumerate(expected):
        frontier = Frontier()
        frontier.extend(leaves[:size])
        assert frontier.root().hex() == root_hex, f"size {size}"
        if size:
            assert Tree(leaves[:size]).root().hex() == root_hex, f"size {size}"
    streamed = PrefixRoots(range(len(expected)))
    streamed.extend(leaves)
    assert [streamed.root(size).hex() for size in range(len(expected))] == expected


def test_a_real_proof_does_not_verify_under_an_aliased_index() -> None:
    leaves = [leaf_hash(b"%d" % i) for i in range(8)]
    tree = Tree(leaves)
    proof = tree.inclusion_proof(7, 8)
    assert verify_inclusion(leaves[7], 7, 8, proof, tree.root())
    for alias in (-1, -9, 15, 7 + 2**64):
        assert not verify_inclusion(leaves[7], alias, 8, proof, tree.root())
    assert not verify_inclusion(leaves[7], True, 8, proof, tree.root())
    padded = [*proof[:-1], proof[-1] + b"\x00"]
    assert not verify_inclusion(leaves[7], 7, 8, padded, tree.root())
