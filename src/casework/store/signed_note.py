"""C2SP signed notes (https://c2sp.org/signed-note), checkpoints
(https://c2sp.org/tlog-checkpoint) and Ed25519 cosignatures
(https://c2sp.org/tlog-cosignature), standing alone: parse, verify by verifier key,
refuse anything malformed.

A note is a text ending in a newline, a blank line, then one or more signature lines
`— <key name> base64(key id || signature)`. A verifier key is
`<name>+<hex key id>+base64(type || public key)`; the key id is the first four bytes
of SHA-256(name || 0x0A || type || public key). Type 0x01 signs the note text with
Ed25519; type 0x04 (a witness's cosignature) signs `cosignature/v1\\ntime <t>\\n` and
the text, and carries the 8-byte big-endian time before the signature.
"""

import base64
import binascii
import re
import struct
from dataclasses import dataclass
from hashlib import sha256
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
EM_DASH = "\u2014"
# Far beyond any note casework or a witness exchanges; the spec asks for at least 16.
MAX_NOTE_BYTES = 1 << 20
MAX_SIGNATURES = 64
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_NAME = re.compile(r"^[^\s+]+$")
_SIZE = re.compile(r"^(0|[1-9][0-9]*)$")
_TIME = struct.Struct(">Q")


class NoteError(ValueError):
    """A note, verifier key or checkpoint that is malformed or does not verify."""


class NoteSignature(NamedTuple):
    name: str
    key_id: bytes  # 4 bytes
    signature: bytes  # what follows the key id

    def line(self) -> str:
        encoded = base64.b64encode(self.key_id + self.signature).decode()
        return f"{EM_DASH} {self.name} {encoded}\n"


class Note(NamedTuple):
    text: str  # up to and including the newline before the blank line
    signatures: list[NoteSignature]


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    return sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


def raw_public_key(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verifier_key(name: str, public_key: bytes, kind: int = ED25519) -> str:
    """The verifier key string that names `public_key` under `name`."""
    if not valid_name(name):
        raise NoteError(f"{name!r} is not a key name (empty, a space or a '+')")
    encoded = base64.b64encode(bytes([kind]) + public_key).decode()
    return f"{name}+{key_id(name, kind, public_key).hex()}+{encoded}"


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise NoteError(f"{what} is not standard base64") from None


@dataclass(frozen=True)
class Verifier:
    """One trusted key: a log's Ed25519 key (type 0x01) or a witness's (type 0x04)."""

    name: str
    key_id: bytes
    kind: int
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> "Verifier":
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError(f"{text!r} is not a verifier key (name+keyid+key)")
        name, hex_id, encoded = parts
        if not valid_name(name) or not re.fullmatch(r"[0-9a-f]{8}", hex_id):
            raise NoteError(f"{text!r} is not a verifier key (its name or key id)")
        raw = _b64(encoded, "the verifier key's key")
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise NoteError(f"{text!r} is not an Ed25519 (0x01) or cosignature (0x04) key")
        kind, public = raw[0], raw[1:]
        if key_id(name, kind, public).hex() != hex_id:
            raise NoteError(f"{text!r}: its key id does not match its name and key")
        return cls(name, bytes.fromhex(hex_id), kind, public)

    def __str__(self) -> str:
        return verifier_key(self.name, self.public_key, self.kind)

    def matches(self, signature: NoteSignature) -> bool:
        return signature.name == self.name and signature.key_id == self.key_id

    def verifies(self, text: str, signature: NoteSignature) -> bool:
        """Whether `signature` (already matched by name and key id) signs `text`."""
        body = text.encode()
        raw = signature.signature
        if self.kind == COSIGNATURE_V1:
            if len(raw) != 8 + 64:
                return False
            (when,) = _TIME.unpack(raw[:8])
            if when >= 1 << 63:
                return False
            body = cosigned_message(when, text)
            raw = raw[8:]
        elif len(raw) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(raw, body)
        except (InvalidSignature, ValueError):
            return False
        return True


def cosigned_message(when: int, text: str) -> bytes:
    return f"cosignature/v1\ntime {when}\n".encode() + text.encode()


def cosignature_time(signature: NoteSignature) -> int:
    return int(_TIME.unpack(signature.signature[:8])[0]) if len(signature.signature) >= 8 else 0


def parse_signature_lines(block: str) -> list[NoteSignature]:
    """Signature lines, each ending in a newline (a witness's answer, or a note's end)."""
    if not block.endswith("\n"):
        raise NoteError("a signature line does not end in a newline")
    found: list[NoteSignature] = []
    for line in block[:-1].split("\n"):
        if not line.startswith(EM_DASH + " "):
            raise NoteError(f"{line[:40]!r} is not a signature line (— name signature)")
        fields = line[2:].split(" ")
        if len(fields) != 2 or not valid_name(fields[0]):
            raise NoteError(f"{line[:40]!r} is not a signature line (— name signature)")
        raw = _b64(fields[1], "a signature")
        if len(raw) < 5:
            raise NoteError("a signature is shorter than its key id and one byte")
        found.append(NoteSignature(fields[0], raw[:4], raw[4:]))
    if len(found) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    return found


def parse(note: str | bytes) -> Note:
    """A note's text and signatures; NoteError when it is not a well-formed note."""
    if isinstance(note, bytes):
        if len(note) > MAX_NOTE_BYTES:
            raise NoteError("the note is too large")
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("the note is not UTF-8") from None
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise NoteError("the note is too large")
    if _CONTROL.search(note):
        raise NoteError("the note holds a control character other than newline")
    if not note.endswith("\n"):
        raise NoteError("the note does not end in a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("the note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise NoteError("the note has no signatures")
    return Note(text, parse_signature_lines(block))


def open_note(note: str | bytes, verifiers: list[Verifier]) -> tuple[Note, list[Verifier]]:
    """Parse and verify: signatures from unknown keys are ignored; one from a known key
    that fails refuses the whole note; at least one known key must have signed.
    Returns the note and the verifiers whose signatures verified."""
    parsed = parse(note)
    verified: list[Verifier] = []
    for signature in parsed.signatures:
        for verifier in verifiers:
            if not verifier.matches(signature):
                continue
            if not verifier.verifies(parsed.text, signature):
                raise NoteError(f"the signature of {verifier.name} does not verify")
            if verifier not in verified:
                verified.append(verifier)
    if not verified:
        raise NoteError("no signature from a known key")
    return parsed, verified


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """`text` as a note signed by `key` under `name` (type 0x01)."""
    if not text.endswith("\n"):
        raise NoteError("a note's text ends in a newline")
    signature = NoteSignature(
        name, key_id(name, ED25519, raw_public_key(key)), key.sign(text.encode())
    )
    return text + "\n" + signature.line()


def cosign(text: str, name: str, key: Ed25519PrivateKey, when: int) -> NoteSignature:
    """A cosignature/v1 of checkpoint `text` by witness `name` at POSIX time `when`."""
    raw = _TIME.pack(when) + key.sign(cosigned_message(when, text))
    return NoteSignature(name, key_id(name, COSIGNATURE_V1, raw_public_key(key)), raw)


class CheckpointBody(NamedTuple):
    origin: str
    size: int
    root: bytes
    extensions: list[str]


def parse_checkpoint(text: str) -> CheckpointBody:
    """A tlog-checkpoint's text: origin, decimal size, base64 32-byte root, then
    non-empty extension lines."""
    if not text.endswith("\n"):
        raise NoteError("a checkpoint's text ends in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has an origin, a size and a root line")
    origin, size, root, *extensions = lines
    if not origin or origin.strip() != origin:
        raise NoteError("the checkpoint's origin line is empty or padded")
    if not _SIZE.match(size) or int(size) >= 1 << 63:
        raise NoteError(f"the checkpoint's size line {size[:30]!r} is not a decimal size")
    raw_root = _b64(root, "the checkpoint's root line")
    if len(raw_root) != 32:
        raise NoteError("the checkpoint's root is not 32 bytes")
    if any(not line for line in extensions):
        raise NoteError("the checkpoint has an empty extension line")
    return CheckpointBody(origin, int(size), raw_root, extensions)


def checkpoint_text(origin: str, size: int, root: bytes, extensions: list[str]) -> str:
    lines = [origin, str(size), base64.b64encode(root).decode(), *extensions]
    return "".join(line + "\n" for line in lines)
