"""The master key (key-encryption key, KEK): 256 bits that wrap every data key.

It lives outside the database: in `CASEWORK_MASTER_KEY` (base64) or in a key file
created by `casework keys init` with mode 0600 (see `key_files`). Only its fingerprint
is stored, so a wrong key is recognised at start-up, before anything is written.
"""

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.store.errors import MasterKeyError

KEY_BYTES = 32


class MasterKey:
    def __init__(self, key: bytes, source: str) -> None:
        if len(key) != KEY_BYTES:
            raise MasterKeyError(
                f"master key from {source} is {len(key)} bytes; it must be {KEY_BYTES} "
                "bytes (256 bits), base64-encoded"
            )
        self._aead = AESGCM(key)
        self.source = source
        self.fingerprint = hmac.new(
            key, b"casework master key fingerprint", hashlib.sha256
        ).hexdigest()[:16]

    @classmethod
    def generate(cls, source: str = "a new key") -> "MasterKey":
        return cls(secrets.token_bytes(KEY_BYTES), source)

    @classmethod
    def from_base64(cls, text: str, source: str) -> "MasterKey":
        try:
            key = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise MasterKeyError(f"master key from {source} is not valid base64") from None
        return cls(key, source)

    def wrap(self, data_key: bytes, key_id: UUID, scope_id: UUID) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data_key, _wrap_aad(key_id, scope_id))

    def unwrap(self, wrapped: bytes, key_id: UUID, scope_id: UUID) -> bytes:
        try:
            return self._aead.decrypt(wrapped[:12], wrapped[12:], _wrap_aad(key_id, scope_id))
        except InvalidTag:
            raise MasterKeyError(
                f"data key {key_id} does not open with the master key from {self.source} "
                f"(fingerprint {self.fingerprint}): wrong master key, or the key row was altered"
            ) from None


def _wrap_aad(key_id: UUID, scope_id: UUID) -> bytes:
    return b"casework data key" + key_id.bytes + scope_id.bytes


def new_key_bytes() -> bytes:
    return secrets.token_bytes(KEY_BYTES)
