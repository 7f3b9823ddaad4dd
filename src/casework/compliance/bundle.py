"""The export bundle: one msgspec JSON file holding a case's decrypted timeline, each
event's sealed row and inclusion proof, the signed checkpoint they prove into, and the
ledger key's attestation that each decrypted content came out of that row.

`verify_bundle` checks a bundle offline: no database, no master key, only the ledger's
public key, which the reader obtained separately (for example with an exported checkpoint).
"""

from datetime import datetime
from hashlib import sha256
from typing import Annotated
from uuid import UUID

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from casework.store.ledger import Checkpoint, fingerprint, hex_bytes, leaf_data
from casework.store.merkle import leaf_hash, verify_inclusion

FORMAT = "casework-export/1"


# What a leaf can hold (`leaf_data`): a version in 8 signed bytes, a topic's UTF-8 in
# at most 65,535 (4 bytes a character at most). A file holding more is no bundle.
Version = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
Topic = Annotated[str, msgspec.Meta(max_length=(2**16 - 1) // 4)]


class BundleEvent(msgspec.Struct, frozen=True, kw_only=True):
    leaf_index: int
    notification_id: int
    originator_id: UUID
    originator_version: Version
    topic: Topic
    sealed_state: bytes  # the ciphertext exactly as stored (base64 in the file)
    inclusion_proof: list[str]  # hex hashes, RFC 9162 audit path
    content: msgspec.Raw  # the decrypted event, as casework stored it

    def leaf(self) -> bytes:
        return leaf_hash(
            leaf_data(self.originator_id, self.originator_version, self.topic, self.sealed_state)
        )


class Bundle(msgspec.Struct, kw_only=True):
    format: str = FORMAT
    case_id: UUID
    exported_at: datetime
    exported_by: UUID
    exported_by_role: str
    checkpoint: Checkpoint
    events: list[BundleEvent]
    attestation: str = ""  # hex Ed25519 signature of `digest()` by the ledger key

    def digest(self) -> bytes:
        """What the attestation signs: the export's who and when, the checkpoint, and for
        each event its leaf hash bound to the hash of its decrypted content."""
        h = sha256()
        head = f"{self.format}\n{self.case_id}\n{self.exported_at.isoformat()}\n"
        h.update(f"{head}{self.exported_by}\n{self.exported_by_role}\n".encode())
        h.update(hex_bytes(self.checkpoint.signature, 64))
        for event in self.events:
            h.update(_index_bytes(event.leaf_index))
            h.update(event.leaf())
            h.update(sha256(_compact(event.content)).digest())
        return h.digest()

    def attest(self, key: Ed25519PrivateKey) -> None:
        self.attestation = key.sign(self.digest()).hex()

    def encode(self) -> bytes:
        return msgspec.json.format(msgspec.json.encode(self)) + b"\n"


class BundleReport(msgspec.Struct, kw_only=True):
    case_id: UUID | None
    events: int
    checkpoint: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        lines = [f"case {self.case_id}: {self.events} events, proved into {self.checkpoint}"]
        if self.ok:
            lines.append(
                "OK: every event is in the signed ledger exactly as exported, and the ledger "
                "key attests each decrypted content"
            )
        lines += [f"FAILED {p}" for p in self.problems]
        return lines


def verify_bundle(data: bytes, public_key: bytes) -> BundleReport:
    """Check a bundle with nothing but the public key the reader trusts. Nothing in the
    file is taken on trust: its checkpoint, leaf indices and hashes are checked for
    shape and range before any proof is computed."""
    try:
        bundle = msgspec.json.decode(data, type=Bundle)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        return BundleReport(
            case_id=None, events=0, checkpoint="-", problems=[f"not a bundle: {error}"]
        )
    checkpoint = bundle.checkpoint
    problems: list[str] = []
    if bundle.format != FORMAT:
        problems.append(f"unknown bundle format {bundle.format!r} (this tool reads {FORMAT})")
    if checkpoint.public_key_bytes != public_key:
        problems.append(
            f"wrong public key: the checkpoint was signed by key {checkpoint.key_fingerprint}, "
            f"not by the key you trust ({fingerprint(public_key)}); check that you were given "
            "this store's ledger public key"
        )
    elif not checkpoint.signature_valid():
        problems.append("the checkpoint does not match its signature: it was edited")
    problems += _proof_problems(bundle.events, checkpoint)
    problems += _gaps(bundle.events)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            hex_bytes(bundle.attestation, 64), bundle.digest()
        )
    except (InvalidSignature, ValueError):
        problems.append(
            "the attestation does not match: a decrypted content, the exporter or the time "
            "was changed after export (or the key you trust is not this store's)"
        )
    return BundleReport(
        case_id=bundle.case_id,
        events=len(bundle.events),
        checkpoint=checkpoint.describe(),
        problems=problems,
    )


def _proof_problems(events: list[BundleEvent], checkpoint: Checkpoint) -> list[str]:
    problems: list[str] = []
    seen: set[int] = set()
    for event in events:
        where = f"event {event.originator_id} version {event.originator_version}"
        proof = [hex_bytes(p, 32) for p in event.inclusion_proof]
        if not 0 <= event.leaf_index < checkpoint.tree_size:
            problems.append(
                f"{where} claims leaf {event.leaf_index}, outside the checkpoint's tree of "
                f"{checkpoint.tree_size} leaves"
            )
        elif event.leaf_index in seen:
            problems.append(f"{where} claims leaf {event.leaf_index}, which another event holds")
        elif not all(proof):
            problems.append(
                f"{where}: its inclusion proof holds values that are not 32-byte hashes"
            )
        elif not verify_inclusion(
            event.leaf(), event.leaf_index, checkpoint.tree_size, proof, checkpoint.root
        ):
            problems.append(
                f"{where} (leaf {event.leaf_index}) is not in the ledger as exported: its row "
                "or its proof was altered"
            )
        seen.add(event.leaf_index)
    return problems


def _index_bytes(index: int) -> bytes:
    """A leaf index as 8 bytes; an index no tree has (negative, too large) as bytes no
    real index encodes to, so a forged bundle is reported, not a crash."""
    if 0 <= index < 2**64:
        return index.to_bytes(8, "big")
    return b"\xff" * 9 + str(index).encode()


def _compact(content: msgspec.Raw) -> bytes:
    """The content without layout: the file is pretty-printed, the attestation is not."""
    return msgspec.json.encode(msgspec.json.decode(bytes(content)))


def _gaps(events: list[BundleEvent]) -> list[str]:
    """Every record's versions must run 1, 2, 3 … with none left out."""
    versions: dict[UUID, list[int]] = {}
    for event in events:
        versions.setdefault(event.originator_id, []).append(event.originator_version)
    return [
        f"record {record_id} is missing versions: the bundle holds {found}"
        for record_id, found in versions.items()
        if sorted(found) != list(range(1, len(found) + 1))
    ]
