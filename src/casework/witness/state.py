"""The witness's own database and key, and the one decision it makes: cosign a
checkpoint that extends the last one it cosigned for that origin, or refuse it with the
status code tlog-witness gives each refusal."""

import base64
import binascii
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.store.errors import StoreError
from casework.store.file_modes import prepare_sqlite_file, refuse_exposed_key, write_private
from casework.store.merkle import verify_consistency
from casework.store.signed_note import (
    COSIGNATURE_V1,
    ED25519,
    NoteError,
    Verifier,
    cosign,
    open_note,
    parse,
    parse_checkpoint,
    raw_public_key,
    valid_name,
    verifier_key,
)

MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = 1 << 20

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS witness (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "name TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS logs (origin TEXT PRIMARY KEY, size INTEGER NOT NULL "
    "DEFAULT 0, root BLOB, cosigned_at INTEGER)",
    "CREATE TABLE IF NOT EXISTS log_keys (origin TEXT NOT NULL REFERENCES logs (origin), "
    "verifier_key TEXT NOT NULL, PRIMARY KEY (origin, verifier_key))",
    # Refused submissions with a valid signature: evidence a log misbehaved.
    "CREATE TABLE IF NOT EXISTS refusals (at INTEGER NOT NULL, origin TEXT NOT NULL, "
    "status INTEGER NOT NULL, reason TEXT NOT NULL, request TEXT NOT NULL)",
]


class WitnessError(StoreError):
    """The witness's database or key cannot be used."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


def refuse(status: int, reason: str) -> Answer:
    return Answer(status, reason + "\n")


def write_witness_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        raise WitnessError(f"{path} exists: a witness key is never overwritten")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    write_private(
        path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    return key


def load_witness_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        raise WitnessError(f"no witness key at {path}: create it with `casework witness init`")
    refuse_exposed_key(path, "witness key file")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as error:
        raise WitnessError(f"{path} is not a PEM private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise WitnessError(f"{path} is not an Ed25519 key")
    return key


class WitnessState:
    """The witness's SQLite database: its name, each log's accepted verifier keys and
    the latest checkpoint (size and root) it cosigned. Checking a submission against
    that record and advancing it happen in one write transaction, under a lock, so two
    racing submissions can never roll it back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        prepare_sqlite_file(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        for statement in _SCHEMA:
            self._db.execute(statement)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @property
    def name(self) -> str:
        row = self._db.execute("SELECT name FROM witness").fetchone()
        if row is None:
            raise WitnessError(f"{self.path} has no witness name: run `casework witness init`")
        return str(row[0])

    def init(self, name: str) -> None:
        if not valid_name(name):
            raise WitnessError(f"{name!r} is not a witness name (no spaces, no '+')")
        with self._write() as db:
            current = db.execute("SELECT name FROM witness").fetchone()
            if current is not None and current[0] != name:
                raise WitnessError(f"{self.path} is the witness {current[0]}, not {name}")
            db.execute("INSERT OR IGNORE INTO witness (id, name) VALUES (1, ?)", (name,))

    def add_log(self, origin: str, key: str) -> Verifier:
        verifier = Verifier.parse(key)
        if verifier.kind != ED25519:
            raise NoteError(f"{key} is not a log's Ed25519 (0x01) verifier key")
        if verifier.name != origin:
            raise NoteError(f"the key {key} is named {verifier.name}, not the origin {origin}")
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO logs (origin) VALUES (?)", (origin,))
            db.execute(
                "INSERT OR IGNORE INTO log_keys (origin, verifier_key) VALUES (?, ?)",
                (origin, str(verifier)),
            )
        return verifier

    def logs(self) -> list[tuple[str, int, list[str]]]:
        rows = self._db.execute("SELECT origin, size FROM logs ORDER BY origin").fetchall()
        return [(origin, size, self._keys(origin)) for origin, size in rows]

    def _keys(self, origin: str) -> list[str]:
        rows = self._db.execute(
            "SELECT verifier_key FROM log_keys WHERE origin = ? ORDER BY verifier_key", (origin,)
        ).fetchall()
        return [str(k) for (k,) in rows]

    def verifier_key(self, key: Ed25519PrivateKey) -> str:
        return verifier_key(self.name, raw_public_key(key), COSIGNATURE_V1)

    def add_checkpoint(self, request: bytes, key: Ed25519PrivateKey) -> Answer:
        """tlog-witness `add-checkpoint`: 200 with a cosignature line, or the refusal."""
        parsed = _parse_request(request)
        if isinstance(parsed, Answer):
            return parsed
        old, proof, note = parsed
        try:
            text = parse(note).text
            body = parse_checkpoint(text)
        except NoteError as error:
            return refuse(400, f"not a signed checkpoint: {error}")
        with self._write() as db:
            row = db.execute(
                "SELECT size, root FROM logs WHERE origin = ?", (body.origin,)
            ).fetchone()
            if row is None:
                return refuse(404, f"unknown origin {body.origin}")
            try:
                open_note(note, [Verifier.parse(k) for k in self._keys(body.origin)])
            except NoteError as error:
                return refuse(403, f"no signature from a key trusted for {body.origin}: {error}")
            answer = self._check(old, proof, body.size, body.root, row[0], row[1])
            if answer is not None:
                db.execute(
                    "INSERT INTO refusals (at, origin, status, reason, request) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (int(time.time()), body.origin, answer.status, answer.body.strip(), note),
                )
                return answer
            now = int(time.time())
            db.execute(
                "UPDATE logs SET size = ?, root = ?, cosigned_at = ? WHERE origin = ?",
                (body.size, body.root, now, body.origin),
            )
        return Answer(200, cosign(text, self.name, key, now).line())

    @staticmethod
    def _check(
        old: int, proof: list[bytes], size: int, root: bytes, known: int, known_root: bytes | None
    ) -> Answer | None:
        if old > size:
            return refuse(400, f"old size {old} is beyond the checkpoint's size {size}")
        if old != known:
            return Answer(409, f"{known}\n", "text/x.tlog.size")
        if old == 0:
            return refuse(422, "a proof from size 0 is empty") if proof else None
        if known_root is None:
            return refuse(422, "no root is recorded for the size cosigned")
        if old == size:
            if root != known_root:
                return Answer(409, f"{known}\n", "text/x.tlog.size")
            return refuse(422, "a proof between equal sizes is empty") if proof else None
        if not verify_consistency(old, size, bytes(known_root), root, proof):
            return refuse(422, f"the consistency proof from {old} to {size} does not verify")
        return None


def _parse_request(request: bytes) -> tuple[int, list[bytes], str] | Answer:
    if len(request) > MAX_REQUEST_BYTES:
        return refuse(400, "the request is too large")
    try:
        text = request.decode("utf-8")
    except UnicodeDecodeError:
        return refuse(400, "the request is not UTF-8")
    head, sep, note = text.partition("\n\n")
    if not sep:
        return refuse(400, "no blank line between the proof and the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    size = first[4:] if first.startswith("old ") else ""
    if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
        return refuse(400, "the first line is not `old <size>`")
    if len(lines) - 1 > MAX_PROOF_LINES:
        return refuse(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof: list[bytes] = []
    for line in lines[1:]:
        try:
            h = base64.b64decode(line.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return refuse(400, "a consistency proof line is not base64")
        if len(h) != 32:
            return refuse(400, "a consistency proof line is not a 32-byte hash")
        proof.append(h)
    return int(size), proof, note
