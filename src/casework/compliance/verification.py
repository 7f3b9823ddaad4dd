"""`casework verify`: recompute the Merkle tree from the store and hold it against the
ledger's recorded leaves and signed checkpoints (and, optionally, a checkpoint kept
outside the building), naming precisely what was altered, removed, inserted or re-signed.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from casework.store.ledger import (
    Checkpoint,
    Ledger,
    RecordedLeaf,
    ScannedRow,
    fingerprint,
    raw_leaf_data,
)
from casework.store.merkle import EMPTY_ROOT, Tree, leaf_hash, verify_consistency


class Finding(msgspec.Struct, frozen=True):
    """One thing wrong; `kind` is a stable name, `message` says it in words."""

    kind: str
    message: str


class VerificationReport(msgspec.Struct, kw_only=True):
    events: int
    checkpoints: int
    covered: int
    root_hash: str
    latest_checkpoint_at: datetime | None
    against: str | None = None
    findings: list[Finding] = msgspec.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def uncovered(self) -> int:
        return max(self.events - self.covered, 0)

    def kinds(self) -> set[str]:
        return {f.kind for f in self.findings}

    def lines(self) -> list[str]:
        lines = [
            f"{self.events} events in the store; {self.checkpoints} signed checkpoints; "
            f"root {self.root_hash}",
        ]
        if self.latest_checkpoint_at is not None:
            lines.append(
                f"the latest checkpoint ({self.latest_checkpoint_at:%Y-%m-%d %H:%M:%S} UTC) "
                f"covers {self.covered} events; {self.uncovered} recorded since are not yet covered"
            )
        if self.against:
            lines.append(f"checked against the exported checkpoint {self.against}")
        if self.ok:
            lines.append("OK: nothing in the log was altered, removed, inserted or reordered")
        lines += [f"FAILED [{f.kind}] {f.message}" for f in self.findings]
        return lines


def _event(row: ScannedRow | RecordedLeaf) -> str:
    return (
        f"event {row.notification_id} (record {UUID(bytes=row.originator_id)}, version "
        f"{row.originator_version})"
    )


class _Verifier:
    def __init__(self, ledger: Ledger, public_key: bytes) -> None:
        self.ledger = ledger
        self.public_key = public_key
        self.findings: list[Finding] = []

    def add(self, kind: str, message: str) -> None:
        self.findings.append(Finding(kind, message))

    def run(self, against: Checkpoint | None, against_name: str | None) -> VerificationReport:
        rows, store_hashes = self.scan_store()
        recorded_hashes = self.ledger.leaf_hashes()
        if store_hashes[: len(recorded_hashes)] != recorded_hashes:
            # Something differs: name each row (the common, clean case skips this).
            scanned = [ScannedRow(*row, b"") for row in rows]
            self.compare_records(self.ledger.recorded_leaves(), scanned, store_hashes)
        record_level = bool(self.findings)
        recorded_tree = Tree(recorded_hashes) if recorded_hashes else None
        same = store_hashes[: len(recorded_hashes)] == recorded_hashes
        store_tree = recorded_tree if same and len(store_hashes) == len(recorded_hashes) else None
        if store_tree is None and store_hashes:
            store_tree = Tree(store_hashes)
        checkpoints = self.ledger.checkpoints()
        trusted = self.check_checkpoints(checkpoints, recorded_tree, len(recorded_hashes))
        covered = 0
        for checkpoint in trusted:
            if checkpoint.tree_size > len(store_hashes):
                continue  # the truncation was named above
            covered = checkpoint.tree_size
            if _root(store_tree, checkpoint.tree_size) != checkpoint.root and not record_level:
                self.add(
                    "root_mismatch",
                    f"the store's first {checkpoint.tree_size} events do not hash to the root "
                    f"signed in {checkpoint.describe()}",
                )
        if against is not None:
            self.check_against(against, against_name or "", store_tree, len(store_hashes), trusted)
        return VerificationReport(
            events=len(store_hashes),
            checkpoints=len(checkpoints),
            covered=covered,
            root_hash=_root(store_tree, len(store_hashes)).hex(),
            latest_checkpoint_at=trusted[-1].signed_at if trusted else None,
            against=against_name,
            findings=self.findings,
        )

    def scan_store(self) -> tuple[list[tuple[int, bytes, int, str]], list[bytes]]:
        """Leaf hashes of every stored event, and the rows without their states."""
        rows: list[tuple[int, bytes, int, str]] = []
        hashes: list[bytes] = []
        for batch in self.ledger.hashed_batches():
            for nid, oid, version, topic, h in batch:
                hashes.append(bytes(h))
                rows.append((nid, bytes(oid), version, topic))
        return rows, hashes

    def compare_records(
        self, recorded: Sequence[RecordedLeaf], rows: Sequence[ScannedRow], hashes: Sequence[bytes]
    ) -> None:
        index_of = {leaf.hash: leaf.index for leaf in recorded}
        unmatched: list[int] = []
        last_index, last_matched_position = -1, -1
        for position, h in enumerate(hashes):
            index = index_of.pop(h, None)
            if index is None:
                unmatched.append(position)
                continue
            if index < last_index:
                self.add(
                    "log_reordered",
                    f"{_event(rows[position])} now sits after "
                    f"{_event(recorded[last_index])}, which was recorded after it",
                )
            last_index = max(last_index, index)
            last_matched_position = position
        missing = {
            (recorded[i].originator_id, recorded[i].originator_version): i
            for i in index_of.values()
        }
        altered: list[tuple[int, int]] = []
        for position in unmatched:
            row = rows[position]
            key = (row.originator_id, row.originator_version)
            if key in missing:
                altered.append((position, missing.pop(key)))
            elif position < last_matched_position:
                self.add(
                    "record_inserted",
                    f"{_event(row)} sits among checkpointed events but no checkpoint "
                    "recorded it: a forged row was inserted",
                )
        self.name_alterations(altered, rows, recorded)
        gone = sorted(missing.values())
        tail = [i for i in gone if i > last_index]
        for i in gone:
            if i <= last_index:
                self.add(
                    "record_deleted",
                    f"{_event(recorded[i])} was checkpointed and is no longer in the store: "
                    "the row was deleted",
                )
        if tail:
            self.add(
                "log_truncated",
                f"the last {len(tail)} checkpointed events, from {_event(recorded[tail[0]])} "
                "on, are gone: the log was truncated",
            )

    def name_alterations(
        self,
        altered: list[tuple[int, int]],
        rows: Sequence[ScannedRow],
        recorded: Sequence[RecordedLeaf],
    ) -> None:
        states = {
            position: self.ledger.state_of(rows[position].notification_id)
            for position, _ in altered
        }

        def restores(position: int, index: int, state: bytes) -> bool:
            row = rows[position]
            data = raw_leaf_data(row.originator_id, row.originator_version, row.topic, state)
            return leaf_hash(data) == recorded[index].hash

        swapped: set[int] = set()
        for a, (pa, ia) in enumerate(altered):
            for pb, ib in altered[a + 1 :]:
                if {pa, pb} & swapped:
                    continue
                if restores(pa, ia, states[pb]) and restores(pb, ib, states[pa]):
                    swapped |= {pa, pb}
                    self.add(
                        "states_swapped",
                        f"the stored states of {_event(rows[pa])} and {_event(rows[pb])} "
                        "were swapped between the two rows",
                    )
        for position, _ in altered:
            if position not in swapped:
                self.add(
                    "record_altered",
                    f"{_event(rows[position])} was altered after it was checkpointed: its "
                    "stored bytes no longer hash to the recorded leaf",
                )

    def check_checkpoints(
        self, checkpoints: Sequence[Checkpoint], recorded_tree: Tree | None, recorded: int
    ) -> list[Checkpoint]:
        """Checks signatures, numbering, the recorded leaves and consistency; returns the
        checkpoints that can be trusted (valid signature under the ledger key)."""
        ours = fingerprint(self.public_key)
        trusted: list[Checkpoint] = []
        expected_seq = 1
        for checkpoint in checkpoints:
            if checkpoint.seq != expected_seq:
                self.add(
                    "checkpoint_missing",
                    f"checkpoint numbers jump from {expected_seq - 1} to {checkpoint.seq}: "
                    f"checkpoint {expected_seq} was deleted",
                )
            expected_seq = checkpoint.seq + 1
            if checkpoint.public_key_bytes != self.public_key:
                self.add(
                    "wrong_signing_key",
                    f"{checkpoint.describe()} was signed by key {checkpoint.key_fingerprint}, "
                    f"not by the ledger key {ours}",
                )
                continue
            if not checkpoint.signature_valid():
                self.add(
                    "checkpoint_altered",
                    f"checkpoint {checkpoint.seq} does not match its signature: its size, root "
                    "or time was edited in the checkpoint table",
                )
                continue
            if (
                checkpoint.tree_size > recorded
                or _root(recorded_tree, checkpoint.tree_size) != checkpoint.root
            ):
                self.add(
                    "ledger_altered",
                    f"the ledger's recorded leaves no longer hash to the root signed in "
                    f"{checkpoint.describe()}: the leaf table was edited",
                )
            elif trusted and not self.extends(trusted[-1], checkpoint, recorded_tree):
                self.add(
                    "checkpoints_inconsistent",
                    f"{checkpoint.describe()} does not extend {trusted[-1].describe()}: "
                    "history it covered was rewritten in between",
                )
            trusted.append(checkpoint)
        return trusted

    @staticmethod
    def extends(old: Checkpoint, new: Checkpoint, tree: Tree | None) -> bool:
        if old.tree_size == 0:
            return True
        if tree is None or old.tree_size > new.tree_size:
            return False
        proof = tree.consistency_proof(old.tree_size, new.tree_size)
        return verify_consistency(old.tree_size, new.tree_size, old.root, new.root, proof)

    def check_against(
        self,
        exported: Checkpoint,
        name: str,
        store_tree: Tree | None,
        events: int,
        trusted: Sequence[Checkpoint],
    ) -> None:
        if exported.public_key_bytes != self.public_key:
            self.add(
                "wrong_signing_key",
                f"the exported checkpoint {name} was signed by key {exported.key_fingerprint}, "
                f"not by the ledger key {fingerprint(self.public_key)}",
            )
            return
        if not exported.signature_valid():
            self.add(
                "checkpoint_altered", f"the exported checkpoint {name} does not match its signature"
            )
            return
        if exported.tree_size > events:
            self.add(
                "log_truncated",
                f"the exported {exported.describe()} covers {exported.tree_size} events; the "
                f"store now holds only {events}",
            )
            return
        if _root(store_tree, exported.tree_size) != exported.root:
            self.add(
                "history_rewritten",
                f"the store's first {exported.tree_size} events no longer hash to the root of "
                f"the exported {exported.describe()}: the log was rewritten (and re-signed) "
                "after that checkpoint left the building",
            )
            return
        latest = trusted[-1] if trusted else None
        if latest is not None and not self.extends(exported, latest, store_tree):
            self.add(
                "checkpoints_inconsistent",
                f"the store's {latest.describe()} does not extend the exported "
                f"{exported.describe()}",
            )


def _root(tree: Tree | None, size: int) -> bytes:
    return EMPTY_ROOT if tree is None else tree.root(size)


def verify_ledger(
    ledger: Ledger,
    public_key: bytes,
    against: Checkpoint | None = None,
    against_name: str | None = None,
) -> VerificationReport:
    """Recompute everything from the store; see `VerificationReport.findings`."""
    return _Verifier(ledger, public_key).run(against, against_name)
