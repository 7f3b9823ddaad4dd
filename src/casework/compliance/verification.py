"""`casework verify`: recompute the Merkle tree from the store and hold it against the
ledger's recorded leaves and signed checkpoints (and, optionally, a checkpoint kept
outside the building), naming precisely what was altered, removed, inserted or re-signed.
The log and the recorded leaves are read side by side a page at a time and only the
tree's frontier is kept, so memory does not grow with the log (issue 15); a store whose
leaves differ is read once more in full to name each changed row.
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from casework.aggregates.base import Role
from casework.store.errors import RecordErased, StoreError
from casework.store.key_table import KeyAction, KeyLogEntry, KeyRow, chain_head, wrapped_hash
from casework.store.ledger import (
    Checkpoint,
    Ledger,
    RecordedLeaf,
    ScannedRow,
    fingerprint,
    raw_leaf_data,
)
from casework.store.ledger_state import LedgerState
from casework.store.merkle import PrefixRoots, leaf_hash

# How long a stored event may stay covered by no checkpoint before `verify` calls it a
# finding: the server signs every minute (ADR 0041), a command before it exits; five
# minutes leaves room for a slow checkpoint and clock skew between hosts.
UNCOVERED_WINDOW = timedelta(minutes=5)
# Findings that name the changed rows themselves (comparing with the recorded leaves).
_ROW_LEVEL = frozenset(
    {
        "record_altered",
        "states_swapped",
        "record_deleted",
        "record_inserted",
        "log_reordered",
        "log_truncated",
    }
)
# How many of the first uncovered events to try to read a recorded time from.
_TIME_PROBES = 20

# The recorded time of the stored event at a notification id (None: cannot be read).
RecordedTime = Callable[[int], datetime | None]


# Who may approve an erasure: the second pair of eyes (ADR 0044).
APPROVING_ROLES = frozenset({Role.CENTRE_DIRECTOR, Role.COMPLIANCE_REVIEWER})


class ErasureEvidence(NamedTuple):
    """A case's entry in the erasure register and the erasure request it carried out:
    who requested it, who approved it and in which role (None: no request was carried
    out for it, or it was never approved)."""

    erasure_id: UUID
    requested_by: UUID | None
    approved_by: UUID | None
    approver_role: Role | None

    def problem(self) -> str:
        """What keeps it from being a four-eyes erasure; "" when it is one."""
        where = f"its erasure {self.erasure_id}"
        if self.requested_by is None:
            return f"{where} carried out no erasure request: nobody requested and approved it"
        if self.approved_by is None:
            return f"{where} carried out a request that was never approved"
        if self.approved_by == self.requested_by:
            return (
                f"{where} was requested and approved by the same person (staff "
                f"{self.approved_by}): an erasure needs two people"
            )
        if self.approver_role not in APPROVING_ROLES:
            role = self.approver_role.value if self.approver_role else "no role"
            return (
                f"{where} was approved by staff {self.approved_by} acting as {role}; only a "
                "centre director or a compliance reviewer approves an erasure"
            )
        return ""


class KeyEvidence(NamedTuple):
    """What `verify` holds the key table against: the key log, and a scope's (a case's)
    erasure as the erasure register and its request record it (None: not erased)."""

    rows: Sequence[KeyRow]
    log: Sequence[KeyLogEntry]
    erasure_of: Callable[[UUID], ErasureEvidence | None]


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
    notes: list[str] = msgspec.field(default_factory=list)

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
        lines += self.notes
        if self.ok:
            lines.append("OK: nothing in the log was altered, removed, inserted or reordered")
        lines += [f"FAILED [{f.kind}] {f.message}" for f in self.findings]
        return lines


def _event(row: ScannedRow | RecordedLeaf) -> str:
    return (
        f"event {row.notification_id} (record {UUID(bytes=row.originator_id)}, version "
        f"{row.originator_version})"
    )


class _Paged:
    """Hashes read a page at a time and handed out in runs of any length: the recorded
    leaves, kept in step with the log's pages."""

    def __init__(self, pages: Iterator[list[bytes]]) -> None:
        self.pages = pages
        self.page: list[bytes] = []
        self.at = 0  # in `page`: a run is cut from it, never the page re-copied
        self.taken = 0

    def take(self, count: int) -> list[bytes]:
        taken: list[bytes] = []
        while len(taken) < count:
            if self.at == len(self.page):
                self.page, self.at = next(self.pages, []), 0
                if not self.page:
                    break
            run = self.page[self.at : self.at + count - len(taken)]
            self.at += len(run)
            taken += run
        self.taken += len(taken)
        return taken

    def rest(self) -> Iterator[list[bytes]]:
        yield self.page[self.at :]
        yield from self.pages


class _LogRead(NamedTuple):
    """What one streamed read of the log and the recorded leaves leaves behind."""

    store: PrefixRoots  # the tree of the stored events
    recorded: PrefixRoots  # of the recorded leaves: the same object while they agree
    recorded_size: int
    same: bool  # the recorded leaves are the store's first events, unchanged
    # The notification ids of the first events that the covering checkpoint leaves out.
    first_uncovered: list[int]


class _Verifier:
    def __init__(self, ledger: Ledger, public_key: bytes) -> None:
        self.ledger = ledger
        self.public_key = public_key
        self.findings: list[Finding] = []
        self.notes: list[str] = []

    def add(self, kind: str, message: str) -> None:
        self.findings.append(Finding(kind, message))

    def run(
        self,
        against: Checkpoint | None,
        against_name: str | None,
        state: LedgerState | None,
        state_name: str | None,
        recorded_time: RecordedTime | None,
        now: datetime | None,
        keys: KeyEvidence | None,
    ) -> VerificationReport:
        checkpoints = self.ledger.checkpoints()
        trusted = [
            c for c in checkpoints if c.public_key_bytes == self.public_key and c.signature_valid()
        ]
        kept = [c for c in (against, state.checkpoint if state else None) if c is not None]
        log = self.read_log(trusted, {c.tree_size for c in [*trusted, *kept]})
        if not log.same:
            self.name_changed_rows()
        record_level = bool(self.findings)
        self.check_checkpoints(checkpoints, trusted, log.recorded, log.recorded_size)
        events = log.store.size
        covered = 0
        for checkpoint in trusted:
            if checkpoint.tree_size > events:
                continue  # the truncation was named above
            covered = checkpoint.tree_size
            if log.store.root(checkpoint.tree_size) != checkpoint.root and not record_level:
                self.add(
                    "root_mismatch",
                    f"the store's first {checkpoint.tree_size} events do not hash to the root "
                    f"signed in {checkpoint.describe()}",
                )
        if against is not None:
            self.check_against(against, against_name or "", log.store, trusted)
        if state_name is not None:
            self.check_state(state, state_name, checkpoints, log.store, trusted)
        if recorded_time is not None and covered < events:
            self.check_uncovered(
                events - covered,
                log.first_uncovered,
                trusted,
                recorded_time,
                now or datetime.now(UTC),
            )
        if keys is not None:
            self.check_key_log(keys.log, trusted)
            self.check_key_table(keys)
        return VerificationReport(
            events=events,
            checkpoints=len(checkpoints),
            covered=covered,
            root_hash=log.store.root(events).hex(),
            latest_checkpoint_at=trusted[-1].signed_at if trusted else None,
            against=against_name,
            findings=self.findings,
            notes=self.notes,
        )

    def read_log(self, trusted: Sequence[Checkpoint], sizes: set[int]) -> _LogRead:
        """One pass over the log beside the recorded leaves, a page of each at a time:
        the roots at `sizes` of both trees (one tree while they agree, as they do unless
        someone tampered), and the first events past the checkpoint that will count as
        covering the store (the latest trusted one within it) for `check_uncovered`.
        Memory stays a page and a frontier, whatever the size of the log."""
        store = PrefixRoots(sizes)
        recorded: PrefixRoots | None = None  # apart from `store` once they differ
        leaves = _Paged(self.ledger.leaf_hash_batches())
        latest_of = {c.tree_size: i for i, c in enumerate(trusted)}
        pending = sorted(latest_of, reverse=True)
        covering, covered = -1, 0
        probes: list[int] = []
        for batch in self.ledger.hashed_batches():
            hashes = [bytes(row[4]) for row in batch]
            expected = leaves.take(len(hashes))
            if recorded is None and expected != hashes[: len(expected)]:
                recorded = store.copy()
            first = store.size
            store.extend(hashes)
            if recorded is not None:
                recorded.extend(expected)
            while pending and pending[-1] <= store.size:
                size = pending.pop()
                if latest_of[size] > covering:
                    covering, covered, probes = latest_of[size], size, []
            begin = max(covered + len(probes), first)
            probes += [row[0] for row in batch[begin - first : covered + _TIME_PROBES - first]]
        for page in leaves.rest():
            if page:
                recorded = recorded or store.copy()
                recorded.extend(page)
        return _LogRead(
            store,
            recorded or store,
            recorded.size if recorded else leaves.taken,
            recorded is None,
            probes,
        )

    def name_changed_rows(self) -> None:
        """The recorded leaves differ from the store's: name each row that changed. Only
        a tampered store comes here, so this holds both in full to compare them."""
        rows, hashes = self.scan_store()
        scanned = [ScannedRow(*row, b"") for row in rows]
        self.compare_records(self.ledger.recorded_leaves(), scanned, hashes)

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
        self,
        checkpoints: Sequence[Checkpoint],
        trusted: Sequence[Checkpoint],
        recorded_tree: PrefixRoots,
        recorded: int,
    ) -> None:
        """Checks signatures, numbering, the recorded leaves and consistency; `trusted`
        are those with a valid signature under the ledger key."""
        ours = fingerprint(self.public_key)
        signed = {c.seq for c in trusted}
        accepted: list[Checkpoint] = []
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
            if checkpoint.seq not in signed:
                self.add(
                    "checkpoint_altered",
                    f"checkpoint {checkpoint.seq} does not match its signature: its size, root "
                    "or time was edited in the checkpoint table",
                )
                continue
            if (
                checkpoint.tree_size > recorded
                or recorded_tree.root(checkpoint.tree_size) != checkpoint.root
            ):
                self.add(
                    "ledger_altered",
                    f"the ledger's recorded leaves no longer hash to the root signed in "
                    f"{checkpoint.describe()}: the leaf table was edited",
                )
            elif accepted and not self.extends(accepted[-1], checkpoint, recorded_tree, recorded):
                self.add(
                    "checkpoints_inconsistent",
                    f"{checkpoint.describe()} does not extend {accepted[-1].describe()}: "
                    "history it covered was rewritten in between",
                )
            accepted.append(checkpoint)

    @staticmethod
    def extends(old: Checkpoint, new: Checkpoint, tree: PrefixRoots, size: int) -> bool:
        """Does `new` extend `old` in a tree of `size` leaves? Both roots being of
        prefixes of the same leaves, the RFC 9162 consistency proof between them holds
        exactly when each is its prefix's root, so the roots are compared directly."""
        if old.tree_size == 0:
            return True
        if old.tree_size > new.tree_size or new.tree_size > size:
            return False
        return tree.root(old.tree_size) == old.root and tree.root(new.tree_size) == new.root

    def check_against(
        self,
        exported: Checkpoint,
        name: str,
        store_tree: PrefixRoots,
        trusted: Sequence[Checkpoint],
        kept: str = "exported",
        left: str = "after that checkpoint left the building",
    ) -> None:
        """Does the store still extend a checkpoint kept outside the database (an
        exported copy, or the key directory's state file)?"""
        if exported.public_key_bytes != self.public_key:
            self.add(
                "wrong_signing_key",
                f"the {kept} checkpoint {name} was signed by key {exported.key_fingerprint}, "
                f"not by the ledger key {fingerprint(self.public_key)}",
            )
            return
        if not exported.signature_valid():
            self.add(
                "checkpoint_altered", f"the {kept} checkpoint {name} does not match its signature"
            )
            return
        events = store_tree.size
        if exported.tree_size > events:
            self.add(
                "log_truncated",
                f"the {kept} {exported.describe()} covers {exported.tree_size} events; the "
                f"store now holds only {events}: events were deleted",
            )
            return
        if store_tree.root(exported.tree_size) != exported.root:
            self.add(
                "history_rewritten",
                f"the store's first {exported.tree_size} events no longer hash to the root of "
                f"the {kept} {exported.describe()}: the log was rewritten (and re-signed) "
                f"{left}",
            )
            return
        latest = trusted[-1] if trusted else None
        # A latest checkpoint beyond the store: the truncation is named already.
        if (
            latest is not None
            and latest.tree_size <= events
            and not self.extends(exported, latest, store_tree, events)
        ):
            self.add(
                "checkpoints_inconsistent",
                f"the store's {latest.describe()} does not extend the {kept} {exported.describe()}",
            )

    def check_state(
        self,
        state: LedgerState | None,
        name: str,
        checkpoints: Sequence[Checkpoint],
        store_tree: PrefixRoots,
        trusted: Sequence[Checkpoint],
    ) -> None:
        """Hold the ledger against the last checkpoint the key directory remembers: the
        sequence and the tree size never go backwards, and the store still extends it."""
        if state is None:
            self.notes.append(
                f"no ledger state file at {name}: a ledger cut back or wiped as a whole is "
                "not detectable from here (run verify where the key directory is)"
            )
            return
        self.notes.append(state.describe_beginning())
        known = state.checkpoint
        if known is None:
            if checkpoints:
                self.notes.append(
                    f"the state file {name} remembers no checkpoint; the ledger holds "
                    f"{len(checkpoints)}: they were signed with another key directory"
                )
            return
        latest = checkpoints[-1] if checkpoints else None
        same = next((c for c in checkpoints if c.seq == known.seq), None)
        rolled_back = latest is None or latest.seq < known.seq
        if latest is None or latest.seq < known.seq:
            found = f"its latest is {latest.describe()}" if latest else "it holds no checkpoint"
            self.add(
                "checkpoints_rolled_back",
                f"the key directory's state file remembers {known.describe()}, but the "
                f"ledger in the database is behind it ({found}): the newest checkpoints were "
                "deleted, or the ledger was restored from an older copy",
            )
        elif same is not None and same != known and same.signature_valid():
            self.add(
                "checkpoint_replaced",
                f"the database's {same.describe()} is not the one the key directory's state "
                f"file remembers (root {known.root_hash}): the checkpoint table was replaced",
            )
        elif latest.seq > known.seq:
            self.notes.append(
                f"the ledger holds checkpoints after the {known.describe()} that the state "
                f"file {name} remembers: they were signed without this key directory"
            )
        if any(f.kind in _ROW_LEVEL for f in self.findings):
            return  # the rows that changed are named already
        self.check_against(
            known,
            name,
            store_tree,
            () if rolled_back else trusted,  # a ledger behind it cannot extend it
            kept="state file's",
            left="after the key directory recorded that checkpoint",
        )

    def check_key_log(self, log: Sequence[KeyLogEntry], trusted: Sequence[Checkpoint]) -> None:
        """The key log still holds, unchanged, every entry a checkpoint committed to."""
        for checkpoint in reversed(trusted):
            if not checkpoint.commits_to_keys:
                continue
            if checkpoint.keys_size > len(log):
                self.add(
                    "key_log_altered",
                    f"{checkpoint.describe()} committed to {checkpoint.keys_size} key log "
                    f"entries; the key log now holds {len(log)}: entries were deleted",
                )
            elif chain_head(log[: checkpoint.keys_size]).hex() != checkpoint.keys_head:
                self.add(
                    "key_log_altered",
                    f"the key log's first {checkpoint.keys_size} entries no longer hash to "
                    f"what {checkpoint.describe()} committed to: the key log was edited",
                )
            return  # the latest checkpoint with a commitment covers the earlier ones

    def check_key_table(self, keys: KeyEvidence) -> None:
        """Each key as the key table holds it is where its logged steps left it: a key
        destroyed without a logged destruction and an erasure record, or a wrapped key
        that is not the one logged, was changed behind casework's back."""
        last: dict[UUID, KeyLogEntry] = {}
        for entry in keys.log:
            last[entry.key_id] = entry
        for row in keys.rows:
            entry = last.pop(row.key_id, None)
            what = f"the data key {row.key_id} of {row.scope_id}"
            destroyed = entry is not None and entry.action is KeyAction.DESTROYED
            if row.wrapped_key is None:
                if not destroyed:
                    self.add(
                        "key_destroyed_without_erasure",
                        f"{what} is destroyed in the key table (dated {row.destroyed_at}) but "
                        "the key log records no destruction: the key was erased behind "
                        "casework's back, and the case's content with it",
                    )
                elif (erasure := keys.erasure_of(row.scope_id)) is None:
                    self.add(
                        "key_destroyed_without_erasure",
                        f"{what} was destroyed but the erasure register holds no authorised "
                        "erasure of it",
                    )
                elif problem := erasure.problem():
                    self.add(
                        "erasure_not_four_eyes",
                        f"{what} was destroyed but {problem}",
                    )
            elif entry is None:
                self.add(
                    "key_not_logged",
                    f"{what} is in the key table but the key log never recorded it",
                )
            elif destroyed or entry.wrapped_hash != wrapped_hash(row.wrapped_key):
                self.add(
                    "wrapped_key_replaced",
                    f"{what} is not the wrapped key the key log recorded (its last step: "
                    f"{entry.action.value} on {entry.at:%Y-%m-%d %H:%M:%S}): it was replaced "
                    "without a master-key rotation",
                )
        for key_id, entry in last.items():
            self.add(
                "key_deleted",
                f"the data key {key_id} of {entry.scope_id} is in the key log but no longer "
                "in the key table: its row was deleted",
            )

    def check_uncovered(
        self,
        uncovered: int,
        first_ids: Sequence[int],
        trusted: Sequence[Checkpoint],
        recorded_time: RecordedTime,
        now: datetime,
    ) -> None:
        """Events no checkpoint covers may be altered unseen: past the window they are a
        finding (checkpointing stopped, or the checkpoints covering them were deleted).
        `first_ids`: the notification ids of the first uncovered events."""
        first = first_ids[0]
        when = next(
            (t for nid in first_ids if (t := recorded_time(nid)) is not None),
            trusted[-1].signed_at if trusted else None,
        )
        if when is None or now - when <= UNCOVERED_WINDOW:
            return
        minutes = int((now - when).total_seconds() // 60)
        self.add(
            "uncovered_beyond_window",
            f"{uncovered} stored events, from event {first} on (recorded "
            f"{when.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, {minutes} minutes ago), are "
            f"covered by no checkpoint, beyond the {int(UNCOVERED_WINDOW.total_seconds() // 60)}"
            "-minute window: checkpointing has stopped (is the signing key there?) or the "
            "checkpoints covering them were deleted",
        )


def verify_ledger(
    ledger: Ledger,
    public_key: bytes,
    against: Checkpoint | None = None,
    against_name: str | None = None,
    *,
    state: LedgerState | None = None,
    state_name: str | None = None,
    recorded_time: RecordedTime | None = None,
    now: datetime | None = None,
    keys: KeyEvidence | None = None,
) -> VerificationReport:
    """Recompute everything from the store; see `VerificationReport.findings`. With
    `state_name` (the key directory's state file, `state` its content or None when it
    is absent), also checks that the ledger has not gone back behind it; with
    `recorded_time`, that no event stayed uncovered beyond `UNCOVERED_WINDOW`; with
    `keys`, that the key table is where its logged lifecycle left it."""
    return _Verifier(ledger, public_key).run(
        against, against_name, state, state_name, recorded_time, now, keys
    )


class _Stamp(msgspec.Struct):
    timestamp: datetime


_decode_stamp = msgspec.json.Decoder(_Stamp).decode


def recorded_time_reader(recorder: Any, unseal: Callable[[Any], bytes]) -> RecordedTime:
    """When casework recorded the event at a notification id, read from its sealed
    state (a time an attacker without the master key cannot forge)."""

    def recorded_time(notification_id: int) -> datetime | None:
        found = recorder.select_notifications(start=notification_id, limit=1)
        if not found or found[0].id != notification_id:
            return None
        try:
            return _decode_stamp(unseal(found[0])).timestamp
        except (RecordErased, StoreError, msgspec.DecodeError, msgspec.ValidationError):
            return None

    return recorded_time
