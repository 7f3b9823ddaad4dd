"""The Merkle tree agrees with RFC 6962's recursive definition, and its proofs verify
exactly when they should."""

from hashlib import sha256

from hypothesis import given
from hypothesis import strategies as st

from casework.store.merkle import (
    Frontier,
    PrefixRoots,
    Tree,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH exactly as RFC 6962 §2.1 writes it."""
    if not leaves:
        return sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def leaves(n: int) -> list[bytes]:
    return [leaf_hash(b"event %d" % i) for i in range(n)]


def test_hashing_follows_rfc_6962_test_vectors() -> None:
    # Empty tree and the one-leaf tree of the empty string, from RFC 6962 / CT test data.
    assert Frontier().root().hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )


@given(st.integers(min_value=0, max_value=70))
def test_the_frontier_and_the_tree_agree_with_the_recursive_definition(n: int) -> None:
    data = leaves(n)
    frontier = Frontier()
    frontier.extend(data)
    assert frontier.root() == reference_root(data)
    if n:
        assert Tree(data).root() == reference_root(data)


@given(st.integers(min_value=1, max_value=70), st.data())
def test_every_leaf_proves_into_every_tree_that_holds_it(n: int, draw: st.DataObject) -> None:
    data = leaves(n)
    tree = Tree(data)
    size = draw.draw(st.integers(min_value=1, max_value=n))
    index = draw.draw(st.integers(min_value=0, max_value=size - 1))
    proof = tree.inclusion_proof(index, size)
    root = reference_root(data[:size])
    assert verify_inclusion(data[index], index, size, proof, root)
    assert not verify_inclusion(leaf_hash(b"forged"), index, size, proof, root)
    if size > 1:
        assert not verify_inclusion(data[index], (index + 1) % size, size, proof, root)


@given(st.integers(min_value=1, max_value=70), st.data())
def test_every_later_tree_proves_it_extends_every_earlier_one(n: int, draw: st.DataObject) -> None:
    data = leaves(n)
    tree = Tree(data)
    new = draw.draw(st.integers(min_value=1, max_value=n))
    old = draw.draw(st.integers(min_value=1, max_value=new))
    proof = tree.consistency_proof(old, new)
    old_root, new_root = reference_root(data[:old]), reference_root(data[:new])
    assert verify_consistency(old, new, old_root, new_root, proof)
    if old < new:
        rewritten = reference_root([leaf_hash(b"rewritten"), *data[1:old]])
        assert not verify_consistency(old, new, rewritten, new_root, proof)


def test_a_frontier_resumes_where_it_stopped() -> None:
    data = leaves(37)
    first = Frontier()
    first.extend(data[:20])
    resumed = Frontier(first.size, first.hashes)
    resumed.extend(data[20:])
    assert resumed.root() == reference_root(data)


@given(st.integers(min_value=0, max_value=70), st.data())
def test_roots_taken_as_leaves_stream_past_in_pages_are_the_prefixes_roots(
    n: int, draw: st.DataObject
) -> None:
    data = leaves(n)
    sizes = draw.draw(st.sets(st.integers(min_value=0, max_value=n)))
    page = draw.draw(st.integers(min_value=1, max_value=9))
    parted = draw.draw(st.integers(min_value=0, max_value=n))
    streamed = PrefixRoots(sizes)
    for start in range(0, parted, page):
        streamed.extend(data[start : min(start + page, parted)])
    # From `parted` on, a copy takes other leaves: the original's roots stay its own.
    forked = streamed.copy()
    forked.extend([leaf_hash(b"forged %d" % i) for i in range(parted, n)])
    streamed.extend(data[parted:])
    for size in sizes:
        assert streamed.root(size) == reference_root(data[:size])
        if size <= parted:
            assert forked.root(size) == reference_root(data[:size])
    assert streamed.root(n) == reference_root(data)
