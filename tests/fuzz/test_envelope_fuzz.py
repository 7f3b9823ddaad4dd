"""The sealed envelope, fuzzed: random bytes and damaged copies of a real envelope never
open (never return a plaintext) and never raise anything but `TamperedRecord`; an
intact envelope opens only in its own row (record id, version, topic)."""

import os
from uuid import UUID, uuid4

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import example, given
from hypothesis import strategies as st

from casework.store.envelope import HEADER_SIZE, key_id_of, open_sealed, raw_key_id, seal
from casework.store.errors import TamperedRecord
from tests.fuzz.mutations import mutated
from tests.fuzz.profiles import FUZZ

KEY_ID = uuid4()
CIPHER = AESGCM(os.urandom(32))
RECORD = uuid4()
VERSION = 7
TOPIC = "casework.aggregates.case:Case.NoteRecorded"
PLAINTEXT = b'{"narrative":"home visit: the family was at home","minutes":45}'
ENVELOPE = seal(CIPHER, KEY_ID, PLAINTEXT, RECORD, VERSION, TOPIC)


def test_the_real_envelope_opens_in_its_own_row() -> None:
    assert open_sealed(CIPHER, ENVELOPE, RECORD, VERSION, TOPIC) == PLAINTEXT
    assert key_id_of(ENVELOPE) == KEY_ID


@FUZZ
@given(st.binary(max_size=200))
@example(b"")
@example(b"\x01" * 20)  # a header cut short: the nonce was 3 bytes (ValueError before the fix)
@example(bytes((1,)) + KEY_ID.bytes + b"\x00" * 4)
@example(ENVELOPE[:HEADER_SIZE])
def test_random_bytes_never_open(data: bytes) -> None:
    with pytest.raises(TamperedRecord):
        open_sealed(CIPHER, data, RECORD, VERSION, TOPIC)
    if len(data) >= HEADER_SIZE + 16 and data[0] == 1:
        assert raw_key_id(data) == data[1:17]
    else:
        with pytest.raises(TamperedRecord):
            raw_key_id(data)


@FUZZ
@given(mutated(ENVELOPE))
@example(ENVELOPE[:28])  # truncated inside the nonce
@example(bytes((2,)) + ENVELOPE[1:])  # another format version
@example(ENVELOPE[: HEADER_SIZE + 15])  # shorter than a tag
def test_a_damaged_envelope_never_opens(damaged: bytes) -> None:
    with pytest.raises(TamperedRecord):
        open_sealed(CIPHER, damaged, RECORD, VERSION, TOPIC)


@FUZZ
@given(
    st.one_of(st.just(RECORD), st.uuids()),
    st.integers(-(2**63), 2**63 - 1),
    st.one_of(st.just(TOPIC), st.text(max_size=60)),
)
def test_an_intact_envelope_opens_in_no_other_row(
    record_id: UUID, version: int, topic: str
) -> None:
    if (record_id, version, topic) == (RECORD, VERSION, TOPIC):
        assert open_sealed(CIPHER, ENVELOPE, record_id, version, topic) == PLAINTEXT
        return
    with pytest.raises(TamperedRecord):
        open_sealed(CIPHER, ENVELOPE, record_id, version, topic)


@FUZZ
@given(st.binary(min_size=16, max_size=16))
def test_a_header_pointed_at_another_key_never_opens(other_key_id: bytes) -> None:
    moved = ENVELOPE[:1] + other_key_id + ENVELOPE[17:]
    if other_key_id == KEY_ID.bytes:
        assert open_sealed(CIPHER, moved, RECORD, VERSION, TOPIC) == PLAINTEXT
        return
    with pytest.raises(TamperedRecord):
        open_sealed(CIPHER, moved, RECORD, VERSION, TOPIC)
