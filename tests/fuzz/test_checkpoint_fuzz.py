"""Checkpoints, fuzzed in every form the ledger reads them: an exported checkpoint file
(`casework verify --against`), the key directory's ledger state file, and a row of the
checkpoint table; each in the current form (committing to the key log) and the old one
(signed before the key log, no `keys` line). Random bytes and damaged copies of real
checkpoints are either refused with a `StoreError` naming the file or row, or read
into a checkpoint whose every reader (`describe`, `body`, `root`, `signature_valid` …)
answers without raising, and whose signature is valid only if what it signs is what
was signed."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import example, given
from hypothesis import strategies as st

from casework.store.errors import StoreError
from casework.store.ledger import Checkpoint, Ledger
from casework.store.ledger_state import Began, LedgerState, LedgerStateFile
from tests.fuzz.mutations import mutated
from tests.fuzz.profiles import FUZZ

KEY = Ed25519PrivateKey.generate()
AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
ROOT = bytes(range(32))
CURRENT = Checkpoint.sign(KEY, 12, 4096, ROOT, AT, (37, bytes(range(32, 64))))
OLD = Checkpoint.sign(KEY, 3, 17, ROOT, AT)  # signed before checkpoints named the key log
REAL = [CURRENT, OLD]
T = TypeVar("T")


def file_bytes(checkpoint: Checkpoint) -> bytes:
    return msgspec.json.format(msgspec.json.encode(checkpoint)) + b"\n"


def state_bytes(checkpoint: Checkpoint) -> bytes:
    state = LedgerState(began=Began.GENESIS, began_at=AT, checkpoint=checkpoint)
    return msgspec.json.format(msgspec.json.encode(state)) + b"\n"


def every_reader_answers(checkpoint: Checkpoint) -> None:
    """What verification, the state file and bundles call on a checkpoint read from
    outside: none of it raises, and a valid signature means the signed content."""
    checkpoint.describe()
    checkpoint.body()
    assert len(checkpoint.root) in (0, 32)
    assert len(checkpoint.public_key_bytes) in (0, 32)
    assert len(checkpoint.key_head) in (0, 32)
    assert isinstance(checkpoint.key_fingerprint, str)
    assert isinstance(checkpoint.commits_to_keys, bool)
    if checkpoint.signature_valid():
        original = next(r for r in REAL if r.body() == checkpoint.body())
        assert checkpoint.public_key_bytes == original.public_key_bytes


def test_the_real_checkpoints_verify() -> None:
    for checkpoint in REAL:
        assert checkpoint.signature_valid()
        assert msgspec.json.decode(file_bytes(checkpoint), type=Checkpoint) == checkpoint
    assert CURRENT.commits_to_keys and not OLD.commits_to_keys


def read_or_refuse(read: Callable[[], T], named: str) -> T | None:
    """What `read` returns, or None when it refused with a `StoreError` naming `named`
    (the file or the table); any other exception fails the test."""
    try:
        return read()
    except StoreError as error:
        refusal = str(error)
    assert named in refusal
    return None


def read_file(tmp: Path, data: bytes) -> Checkpoint | None:
    path = tmp / "checkpoint.json"
    path.write_bytes(data)
    return read_or_refuse(lambda: Checkpoint.read(path), str(path))


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_are_no_checkpoint_file(tmp_path: Path, data: bytes) -> None:
    checkpoint = read_file(tmp_path, data)
    if checkpoint is not None:
        every_reader_answers(checkpoint)


@FUZZ
@given(st.sampled_from(REAL).flatmap(lambda c: mutated(file_bytes(c))))
def test_a_damaged_checkpoint_file_is_refused_or_fails_its_signature(
    tmp_path: Path, data: bytes
) -> None:
    checkpoint = read_file(tmp_path, data)
    if checkpoint is not None:
        every_reader_answers(checkpoint)


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=70),
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    st.text(alphabet="0123456789abcdefABCDEF", min_size=128, max_size=128),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+05:00",
            "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00",
            "2026-03-14T09:30:00",
        ]
    ),
    st.lists(st.integers(), max_size=3),
)
FIELDS = sorted(msgspec.structs.asdict(CURRENT))


def replaced(checkpoint: Checkpoint, changes: Mapping[str, Any], dropped: set[str]) -> bytes:
    fields = msgspec.to_builtins(checkpoint)
    fields.update(changes)
    for name in dropped:
        fields.pop(name, None)
    return msgspec.json.encode(fields)


@FUZZ
@given(
    st.sampled_from(REAL),
    st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, min_size=1, max_size=3),
    st.sets(st.sampled_from(FIELDS), max_size=2),
)
@example(CURRENT, {"signed_at": "0001-01-01T00:00:00+05:00"}, set())  # OverflowError
@example(CURRENT, {"signed_at": "9999-12-31T23:59:59-05:00"}, set())  # OverflowError
@example(OLD, {"signed_at": "0001-01-01T00:00:00"}, set())  # naive: local time, year 0
@example(CURRENT, {"signed_at": "2026-03-14T09:30:00"}, set())  # naive: depends on TZ
@example(CURRENT, {"keys_head": "", "keys_size": 0}, set())  # current form made old
@example(OLD, {"keys_head": CURRENT.keys_head, "keys_size": 37}, set())  # old made current
def test_a_checkpoint_file_with_fields_replaced_is_refused_or_fails_its_signature(
    tmp_path: Path, checkpoint: Checkpoint, changes: dict[str, Any], dropped: set[str]
) -> None:
    read = read_file(tmp_path, replaced(checkpoint, changes, dropped))
    if read is not None:
        every_reader_answers(read)
        if read.signature_valid():
            assert read.body() == checkpoint.body()


@FUZZ
@given(st.sampled_from(REAL).flatmap(lambda c: mutated(state_bytes(c))))
def test_a_damaged_state_file_is_refused_or_its_checkpoint_fails(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "ledger-state.json"
    path.write_bytes(data)
    state = read_or_refuse(LedgerStateFile(path).read, str(path))
    if state is None:
        return
    state.describe_beginning()
    if state.checkpoint is not None:
        every_reader_answers(state.checkpoint)


STATE_FIELDS = ["began", "began_at", "events_at_start", "reason", "checkpoint"]


@FUZZ
@given(
    st.sampled_from(REAL),
    st.dictionaries(st.sampled_from(STATE_FIELDS), JSON_VALUES, min_size=1, max_size=2),
)
@example(CURRENT, {"began_at": "0001-01-01T00:00:00+05:00"})  # OverflowError
@example(OLD, {"began_at": "2026-03-14T09:30:00"})  # naive
@example(OLD, {"began": "adopted", "began_at": "9999-12-31T23:59:59-05:00"})
def test_a_state_file_with_fields_replaced_is_refused_or_read(
    tmp_path: Path, checkpoint: Checkpoint, changes: dict[str, Any]
) -> None:
    fields = msgspec.json.decode(state_bytes(checkpoint))
    fields.update(changes)
    path = tmp_path / "ledger-state.json"
    path.write_bytes(msgspec.json.encode(fields))
    state = read_or_refuse(LedgerStateFile(path).read, str(path))
    if state is None:
        return
    assert state.describe_beginning()
    if state.checkpoint is not None:
        every_reader_answers(state.checkpoint)


def row_of(checkpoint: Checkpoint) -> dict[str, Any]:
    """The checkpoint as a row of the checkpoint table (as `Ledger.checkpoint` writes it;
    an old row has NULL key columns)."""
    return {
        "seq": checkpoint.seq,
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "signed_at": checkpoint.signed_at.isoformat(),
        "public_key": checkpoint.public_key,
        "signature": checkpoint.signature,
        "last_notification_id": checkpoint.tree_size,
        "frontier": b"\x07" * 32 * checkpoint.tree_size.bit_count(),
        "keys_size": checkpoint.keys_size if checkpoint.commits_to_keys else None,
        "keys_head": checkpoint.keys_head or None,
    }


ROW_COLUMNS = sorted(row_of(CURRENT))
# What a column of either database can hold after someone edits the row by hand
# (SQLite's columns take any of these whatever their declared type).
ROW_VALUES = st.one_of(
    st.none(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=70),
    st.binary(max_size=70),
    JSON_VALUES.filter(lambda v: isinstance(v, str)),
)


@FUZZ
@given(
    st.sampled_from(REAL),
    st.dictionaries(st.sampled_from(ROW_COLUMNS), ROW_VALUES, min_size=1, max_size=3),
)
@example(CURRENT, {"signed_at": "yesterday"})  # ValueError before the fix
@example(CURRENT, {"signed_at": None})  # TypeError before the fix
@example(CURRENT, {"root_hash": 7})  # TypeError in `root` before the fix
@example(CURRENT, {"seq": "12"})  # TypeError in `signature_valid` before the fix
@example(OLD, {"tree_size": -1})  # ValueError in the frontier
@example(CURRENT, {"frontier": None})
def test_an_edited_checkpoint_row_is_refused_or_fails_its_signature(
    checkpoint: Checkpoint, changes: dict[str, Any]
) -> None:
    row = {**row_of(checkpoint), **changes}
    read = read_or_refuse(lambda: Ledger._checkpoint_out(row), "checkpoint table")
    if read is None:
        return
    every_reader_answers(read.checkpoint)
    if read.checkpoint.signature_valid():
        assert read.checkpoint.body() == checkpoint.body()


@pytest.mark.parametrize("checkpoint", REAL, ids=["current", "old"])
def test_an_untouched_row_reads_back_as_signed(checkpoint: Checkpoint) -> None:
    read = Ledger._checkpoint_out(row_of(checkpoint))
    assert read.checkpoint == checkpoint
    assert read.checkpoint.signature_valid()
