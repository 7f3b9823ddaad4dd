"""The Merkle tree of RFC 6962 / RFC 9162 (Certificate Transparency), over any list of leaves.

leaf hash = SHA-256(0x00 ‖ data), node hash = SHA-256(0x01 ‖ left ‖ right); a tree of n
leaves splits at the largest power of two below n. Proof generation and verification follow
RFC 9162 §2.1.3 (inclusion) and §2.1.4 (consistency), so any third-party implementation
can check casework's proofs.
"""

from collections.abc import Iterable, Sequence
from hashlib import sha256

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class Frontier:
    """The roots of the complete subtrees of a growing tree (at most log2 n of them):
    enough to append leaves and compute the root without keeping the leaves."""

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise ValueError(f"a frontier of {size} leaves holds {size.bit_count()} hashes")
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes) -> None:
        self.extend((leaf,))

    def extend(self, leaves: Iterable[bytes]) -> None:
        """`append` for each leaf, inlined: verification streams every event through it."""
        hashes, size = self.hashes, self.size
        for leaf in leaves:
            node, rest = leaf, size
            while rest & 1:
                node = sha256(b"\x01" + hashes.pop() + node).digest()
                rest >>= 1
            hashes.append(node)
            size += 1
        self.size = size

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        node = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            node = node_hash(left, node)
        return node

    def copy(self) -> "Frontier":
        return Frontier(self.size, self.hashes)


class PrefixRoots:
    """The roots of a growing tree's first `size` leaves, for each of the sizes given,
    taken as the leaves stream past: a frontier and those roots, never the leaves."""

    __slots__ = ("frontier", "pending", "roots")

    def __init__(self, sizes: Iterable[int]) -> None:
        self.frontier = Frontier()
        self.pending = sorted({s for s in sizes if s > 0}, reverse=True)
        self.roots = {0: EMPTY_ROOT}

    @property
    def size(self) -> int:
        return self.frontier.size

    def extend(self, leaves: Sequence[bytes]) -> None:
        frontier, pending = self.frontier, self.pending
        start, end = 0, len(leaves)
        while pending and pending[-1] - frontier.size <= end - start:
            cut = start + pending.pop() - frontier.size
            frontier.extend(leaves[start:cut])
            self.roots[frontier.size] = frontier.root()
            start = cut
        frontier.extend(leaves[start:] if start else leaves)

    def root(self, size: int) -> bytes:
        """MTH of the first `size` leaves: a size given, or the leaves so far."""
        return self.frontier.root() if size == self.frontier.size else self.roots[size]

    def copy(self) -> "PrefixRoots":
        copied = PrefixRoots(())
        copied.frontier, copied.pending = self.frontier.copy(), list(self.pending)
        copied.roots = dict(self.roots)
        return copied


class Tree:
    """A tree over a fixed list of leaf hashes, keeping every complete subtree's hash so
    that proofs cost O(log n) each after one O(n) build."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.size = len(leaves)
        self.levels: list[Sequence[bytes]] = [leaves]
        level = leaves
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    def subtree_root(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) per RFC 6962 §2.1."""
        width = end - start
        if width == 0:
            return EMPTY_ROOT
        if width & (width - 1) == 0 and start % width == 0:
            return self.levels[width.bit_length() - 1][start // width]
        k = _split(width)
        return node_hash(self.subtree_root(start, start + k), self.subtree_root(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        return self.subtree_root(0, self.size if size is None else size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(m, D[0:size]) of RFC 6962 §2.1.1."""
        if not 0 <= index < size <= self.size:
            raise ValueError(f"no leaf {index} in a tree of {size}")
        proof: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                proof.append(self.subtree_root(start + k, end))
                end = start + k
            else:
                proof.append(self.subtree_root(start, start + k))
                start += k
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """PROOF(m, D[0:n]) of RFC 6962 §2.1.2."""
        if not 0 < old_size <= new_size <= self.size:
            raise ValueError(f"no consistency proof from {old_size} to {new_size}")
        proof: list[bytes] = []
        start, end, m, complete = 0, new_size, old_size, True
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                proof.append(self.subtree_root(start + k, end))
                end = start + k
            else:
                proof.append(self.subtree_root(start, start + k))
                start, m, complete = start + k, m - k, False
        if not complete:
            proof.append(self.subtree_root(start, end))
        proof.reverse()
        return proof


def is_hash(value: object) -> bool:
    """Exactly a SHA-256 digest: 32 bytes, nothing shorter, longer or of another type."""
    return value.__class__ is bytes and len(value) == HASH_SIZE  # type: ignore[arg-type]


def is_size(value: object) -> bool:
    """A tree size or leaf index: a non-negative int (a bool is not one)."""
    return value.__class__ is int and value >= 0  # type: ignore[operator]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2, refusing anything malformed before hashing: the index must be
    a leaf of the tree (0 <= index < size; a negative index would alias a real one) and
    every hash exactly 32 bytes. The proof must have exactly the path's length."""
    if not (is_size(index) and is_size(size) and index < size):
        return False
    if not (is_hash(leaf) and is_hash(root) and all(is_hash(p) for p in proof)):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2, refusing malformed input first: sizes are ints with
    0 < old_size <= new_size (nothing is proved about an empty tree), every hash is
    exactly 32 bytes, and equal sizes take an empty proof and equal roots."""
    if not (is_size(old_size) and is_size(new_size) and 0 < old_size <= new_size):
        return False
    if not (is_hash(old_root) and is_hash(new_root) and all(is_hash(p) for p in proof)):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
