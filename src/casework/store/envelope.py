"""The sealed envelope around every stored state.

    byte 0        format version (1)
    bytes 1..16   data key id (UUID)
    bytes 17..28  AES-GCM nonce (96 bits, random)
    bytes 29..    ciphertext and 128-bit tag

The associated data binds the envelope to the row it belongs in (originator id,
version, topic) and to its own header, so a ciphertext moved to another row, or a
header pointed at another key, fails authentication instead of decrypting.
"""

import os
import struct
from collections.abc import Callable, Iterable
from typing import Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.store.errors import TamperedRecord

FORMAT_VERSION = 1
HEADER_SIZE = 1 + 16 + 12
_VERSION = struct.Struct(">q")


class SealedRow(Protocol):
    """A stored event as read from one record's stream."""

    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


def _id_bytes(originator_id: UUID | str) -> bytes:
    return originator_id.bytes if isinstance(originator_id, UUID) else originator_id.encode()


def associated_data(header: bytes, originator_id: UUID | str, version: int, topic: str) -> bytes:
    return b"".join((header, _id_bytes(originator_id), _VERSION.pack(version), topic.encode()))


def seal(
    cipher: AESGCM,
    key_id: UUID,
    plaintext: bytes,
    originator_id: UUID | str,
    version: int,
    topic: str,
) -> bytes:
    header = bytes((FORMAT_VERSION,)) + key_id.bytes + os.urandom(12)
    aad = associated_data(header, originator_id, version, topic)
    return header + cipher.encrypt(header[17:], plaintext, aad)


def raw_key_id(envelope: bytes) -> bytes:
    """The data key id in an envelope's clear header, as its 16 bytes (no key needed)."""
    if len(envelope) < HEADER_SIZE + 16 or envelope[0] != FORMAT_VERSION:
        raise TamperedRecord(
            f"not a casework envelope (length {len(envelope)}, format byte "
            f"{envelope[0] if envelope else None})"
        )
    return envelope[1:17]


def key_id_of(envelope: bytes) -> UUID:
    return UUID(bytes=raw_key_id(envelope))


def open_sealed(
    cipher: AESGCM,
    envelope: bytes,
    originator_id: UUID | str,
    version: int,
    topic: str,
) -> bytes:
    _check_format(envelope, originator_id, version, topic)
    header = envelope[:HEADER_SIZE]
    aad = associated_data(header, originator_id, version, topic)
    try:
        return cipher.decrypt(header[17:], envelope[HEADER_SIZE:], aad)
    except InvalidTag:
        raise _failed(originator_id, version, topic) from None


def open_stream(
    cipher_of: Callable[[bytes], AESGCM], originator_id: UUID | str, rows: Iterable[SealedRow]
) -> list[bytes]:
    """Every envelope of one record's stream opened, each authenticated exactly as
    `open_sealed` does (tag, header and row bound in), with the record's id encoded and
    each data key looked up once, not once an event. `cipher_of` gives the cipher for
    an envelope's raw data key id."""
    oid = _id_bytes(originator_id)
    ciphers: dict[bytes, AESGCM] = {}
    pack = _VERSION.pack
    opened = []
    for row in rows:
        envelope, version, topic = row.state, row.originator_version, row.topic
        _check_format(envelope, originator_id, version, topic)
        header = envelope[:HEADER_SIZE]
        cipher = ciphers.get(raw := header[1:17])
        if cipher is None:
            cipher = ciphers[raw] = cipher_of(raw)
        aad = b"".join((header, oid, pack(version), topic.encode()))
        try:
            opened.append(cipher.decrypt(header[17:], envelope[HEADER_SIZE:], aad))
        except InvalidTag:
            raise _failed(originator_id, version, topic) from None
    return opened


def _check_format(envelope: bytes, originator_id: UUID | str, version: int, topic: str) -> None:
    if len(envelope) < HEADER_SIZE + 16 or envelope[0] != FORMAT_VERSION:
        # Too short for a header and a tag, or not this format: the cipher would
        # refuse the nonce with a ValueError, or try a header it does not know.
        raise TamperedRecord(
            f"stored state of {originator_id} version {version} ({topic}) is not a casework "
            f"envelope (length {len(envelope)}, format byte "
            f"{envelope[0] if envelope else None}): it was truncated or overwritten"
        )


def _failed(originator_id: UUID | str, version: int, topic: str) -> TamperedRecord:
    return TamperedRecord(
        f"stored state of {originator_id} version {version} ({topic}) failed "
        "authentication: it was altered, truncated, or moved from another row"
    )
