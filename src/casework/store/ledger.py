"""The tamper-evident ledger: a Merkle tree over every stored event, in log order, and
signed checkpoints of it.

A leaf covers what the events table holds for one event: originator id, version, topic
and the sealed state (the ciphertext), so destroying a case's key erases its content
without touching the proof of the log. The ledger keeps two append-only tables beside the
events: the leaf hashes it has covered (for precise diagnosis and cheap proofs) and the
checkpoints, each signed with an Ed25519 key that lives in a file, never in the database.
"""

import re
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple
from uuid import UUID, uuid4

import msgspec
import psycopg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.persistence import IntegrityError

from casework.store.errors import StoreError
from casework.store.file_modes import refuse_exposed_key, write_private
from casework.store.key_table import KeyTable, chain_head
from casework.store.merkle import Frontier, leaf_hash
from casework.store.signed_note import NoteSignature, checkpoint_text, key_id, verifier_key
from casework.store.sql import Dialect
from casework.store.triggers import postgres_append_only, sqlite_append_only

if TYPE_CHECKING:  # the state file module reads checkpoints from this one
    from casework.store.ledger_state import LedgerStateFile

LEAVES_TABLE = "casework_ledger_leaves"
CHECKPOINTS_TABLE = "casework_ledger_checkpoints"
_HEAD = struct.Struct(">16sqH")
_BATCH = 5000
# A recorded leaf is a 32-byte hash: verification reads them in bigger pages, fewer round
# trips beside the log's (200 a million leaves cost it ~0.3 s CPU on PostgreSQL).
_LEAF_BATCH = 50_000
# The leaf hash of `raw_leaf_data`, computed by PostgreSQL from a row of the events table.
_PG_LEAF_HASH = (
    "pg_catalog.sha256('\\x00'::bytea || uuid_send(originator_id) || int8send(originator_version)"
    " || int2send(octet_length(convert_to(topic, 'UTF8'))::int2) || convert_to(topic, 'UTF8')"
    " || state)"
)


class LedgerKeyError(StoreError):
    """The ledger signing key or its public half is missing or unreadable."""


class LogRow(NamedTuple):
    """One stored event as the ledger sees it: in clear, except the sealed state."""

    notification_id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


class ScannedRow(NamedTuple):
    """A stored event as read in bulk: the originator id as its 16 raw bytes."""

    notification_id: int
    originator_id: bytes
    originator_version: int
    topic: str
    state: bytes

    def leaf_data(self) -> bytes:
        return raw_leaf_data(self.originator_id, self.originator_version, self.topic, self.state)


class RecordedLeaf(NamedTuple):
    index: int
    notification_id: int
    originator_id: bytes
    originator_version: int
    hash: bytes


def leaf_data(originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """originator id (16 bytes) ‖ version (8, big-endian) ‖ topic length (2) ‖ topic ‖ state."""
    return raw_leaf_data(originator_id.bytes, version, topic, state)


def raw_leaf_data(originator_id: bytes, version: int, topic: str, state: bytes) -> bytes:
    encoded = topic.encode()
    return _HEAD.pack(originator_id, version, len(encoded)) + encoded + state


def fingerprint(public_key: bytes) -> str:
    return sha256(public_key).hexdigest()[:16]


_HEX = re.compile("[0-9a-f]*")
# `(?!\n)`: a pattern's `$` alone also matches before a final newline.
HexHash = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}(?!\n)$")]
HexSignature = Annotated[str, msgspec.Meta(pattern="^([0-9a-f]{128})?(?!\n)$")]


class MalformedHashError(ValueError):
    """A hash handed to a verifier that is not exactly 64 lower-case hex digits."""


def hex_bytes(text: object, size: int) -> bytes:
    """`text` as `size` bytes of lower-case hex; b"" when it is anything else (an edited
    row or file), which matches no hash, key or signature. Strict: `bytes.fromhex`
    alone would skip spaces and take upper case, so a 64-character text could give a
    shorter value."""
    if text.__class__ is not str or not _HEX.fullmatch(text) or len(text) != 2 * size:
        return b""
    return bytes.fromhex(text)


def parse_hash(text: object, what: str) -> bytes:
    """A 32-byte hash from untrusted hex, or `MalformedHashError` naming `what` and the rule."""
    value = hex_bytes(text, 32)
    if not value:
        shown = repr(text) if len(repr(text)) <= 80 else repr(text)[:77] + "..."
        raise MalformedHashError(
            f"{what} is not a 32-byte hash (exactly 64 lower-case hex digits): {shown}"
        )
    return value


def require_utc(when: datetime, name: str) -> None:
    """Refuse (ValueError; msgspec reports it as a validation error of the file) a time
    without its UTC offset, whose signed text would depend on the reader's time zone,
    or one with no UTC equivalent (year 1 east of UTC, 9999 west), which `describe`
    and `body` could not write."""
    if when.utcoffset() is None:
        raise ValueError(f"{name} {when} has no UTC offset")
    try:
        when.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{name} {when} has no UTC equivalent") from None


class Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    """A signed statement: "the log's first `tree_size` events hash to `root_hash`".
    Read from a file or a bundle, every field is checked for shape (hashes and keys are
    64 hex digits, sizes non-negative); rows read from the database are not, so every
    reader goes through `root`, `public_key_bytes` and `signature_valid`, which refuse
    malformed values instead of raising."""

    seq: Annotated[int, msgspec.Meta(ge=1)]
    tree_size: Annotated[int, msgspec.Meta(ge=0)]
    root_hash: HexHash
    signed_at: datetime
    public_key: HexHash
    signature: HexSignature
    # The key log (`casework.store.key_table`) this checkpoint commits to: its entry
    # count and hash-chain head. Empty in checkpoints signed before the key log, whose
    # signed text then has no `keys` line.
    keys_size: Annotated[int, msgspec.Meta(ge=0)] = 0
    keys_head: Annotated[str, msgspec.Meta(pattern="^([0-9a-f]{64})?$")] = ""
    # The store's C2SP origin line (ADR 0046). Empty in checkpoints of casework's own
    # earlier form, which are still read and verified as they were signed.
    origin: Annotated[str, msgspec.Meta(pattern="^[^\\s+]*$")] = ""

    def __post_init__(self) -> None:
        require_utc(self.signed_at, "signed_at")

    def body(self) -> bytes:
        keys = f"keys {self.keys_size} {self.keys_head}\n" if self.keys_head else ""
        if self.origin:  # a C2SP tlog-checkpoint; casework's lines are extension lines
            return c2sp_body(self, keys)
        return (
            "casework ledger checkpoint\n"
            f"seq {self.seq}\nsize {self.tree_size}\nroot {self.root_hash}\n"
            f"time {self.signed_at.astimezone(UTC).isoformat()}\n{keys}"
        ).encode()

    def note(self) -> str:
        """The checkpoint as a C2SP signed note (only for checkpoints with an origin)."""
        return c2sp_note(self)

    @property
    def verifier_key(self) -> str:
        """The C2SP verifier key string of the key that signed it, under its origin."""
        return c2sp_verifier_key(self)

    @property
    def commits_to_keys(self) -> bool:
        return bool(self.keys_head)

    @property
    def key_head(self) -> bytes:
        return hex_bytes(self.keys_head, 32)

    @property
    def key_fingerprint(self) -> str:
        return fingerprint(self.public_key_bytes)

    @property
    def public_key_bytes(self) -> bytes:
        return hex_bytes(self.public_key, 32)

    @property
    def root(self) -> bytes:
        return hex_bytes(self.root_hash, 32)

    def signature_valid(self) -> bool:
        """Whether the signature matches the content under the key it names."""
        if self.seq < 1 or self.tree_size < 0:
            return False
        try:
            key = Ed25519PublicKey.from_public_bytes(self.public_key_bytes)
            key.verify(hex_bytes(self.signature, 64), self.body())
        except (InvalidSignature, ValueError):
            return False
        return True

    def describe(self) -> str:
        signed = f"{self.signed_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        return f"checkpoint {self.seq} ({self.tree_size} events, signed {signed})"

    @classmethod
    def sign(
        cls,
        key: Ed25519PrivateKey,
        seq: int,
        tree_size: int,
        root: bytes,
        at: datetime,
        keys: tuple[int, bytes] | None = None,
        origin: str = "",
    ) -> "Checkpoint":
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        unsigned = cls(
            seq=seq,
            tree_size=tree_size,
            root_hash=root.hex(),
            signed_at=at.astimezone(UTC),
            public_key=public.hex(),
            signature="",
            keys_size=keys[0] if keys else 0,
            keys_head=keys[1].hex() if keys else "",
            origin=origin,
        )
        return msgspec.structs.replace(unsigned, signature=key.sign(unsigned.body()).hex())

    def write(self, path: Path) -> None:
        write_private(path, msgspec.json.format(msgspec.json.encode(self)) + b"\n")

    @classmethod
    def read(cls, path: Path) -> "Checkpoint":
        try:
            return msgspec.json.decode(path.read_bytes(), type=cls)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError) as error:
            raise StoreError(f"{path} is not a casework checkpoint file: {error}") from None


class CheckpointRow(NamedTuple):
    checkpoint: Checkpoint
    last_notification_id: int
    frontier: Frontier


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        raise LedgerKeyError(
            f"no ledger signing key at {path}: create it with `casework keys init` "
            "(or point CASEWORK_SIGNING_KEY_FILE at it)"
        )
    refuse_exposed_key(path, "ledger signing key file")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as error:
        raise LedgerKeyError(f"{path} is not a PEM private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LedgerKeyError(f"{path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> bytes:
    """The raw 32-byte Ed25519 public key from a PEM file (the .pub beside the signing key)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as error:
        raise LedgerKeyError(f"cannot read the ledger public key {path}: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise LedgerKeyError(f"{path} is not an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class Ledger:
    """The ledger's two tables on either backend, and reading the log in order."""

    def __init__(self, datastore: Any, recorder: Any, dialect: Dialect) -> None:
        self.datastore = datastore
        self.recorder = recorder
        self.dialect = dialect
        self.postgres = dialect.postgres
        self.events_table = dialect.table(recorder.events_table_name)
        # The origin line new checkpoints carry (CASEWORK_LEDGER_ORIGIN); when empty,
        # the latest checkpoint's, or a new one for the store (`new_origin`).
        self.origin = ""

    @property
    def leaves_table(self) -> str:
        return self.dialect.table(LEAVES_TABLE)

    @property
    def checkpoints_table(self) -> str:
        return self.dialect.table(CHECKPOINTS_TABLE)

    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, leaves=LEAVES_TABLE, checkpoints=CHECKPOINTS_TABLE)

    def create(self) -> None:
        blob, big = self.dialect.blob, self.dialect.bigint
        statements: list[Any] = [
            self._sql(
                f"CREATE TABLE IF NOT EXISTS {{leaves}} (leaf_index {big} PRIMARY KEY, "
                f"notification_id {big} NOT NULL, originator_id {blob} NOT NULL, "
                f"originator_version {big} NOT NULL, leaf_hash {blob} NOT NULL)"
            ),
            self._sql(
                f"CREATE TABLE IF NOT EXISTS {{checkpoints}} (seq {big} PRIMARY KEY, "
                f"tree_size {big} NOT NULL, root_hash TEXT NOT NULL, signed_at TEXT NOT NULL, "
                "public_key TEXT NOT NULL, signature TEXT NOT NULL, "
                f"last_notification_id {big} NOT NULL, frontier {blob} NOT NULL, "
                f"keys_size {big}, keys_head TEXT)"
            ),
        ]
        for table in (LEAVES_TABLE, CHECKPOINTS_TABLE):
            if self.postgres:
                statements += postgres_append_only(self.dialect.schema or "public", table)
            else:
                statements += sqlite_append_only(table)
        with self.datastore.transaction(commit=True) as c:
            for statement in statements:
                c.execute(statement)
            self._add_key_columns(c)

    def _add_key_columns(self, cursor: Any) -> None:
        """Checkpoint tables made before checkpoints committed to the key log get the
        two columns (NULL in the old rows)."""
        big = self.dialect.bigint
        if self.postgres:
            for column, kind in (("keys_size", big), ("keys_head", "TEXT"), ("origin", "TEXT")):
                cursor.execute(
                    self._sql(
                        f"ALTER TABLE {{checkpoints}} ADD COLUMN IF NOT EXISTS {column} {kind}"
                    )
                )
            return
        cursor.execute(f"PRAGMA table_info({CHECKPOINTS_TABLE})")
        present = {r["name"] for r in cursor.fetchall()}
        for column, kind in (("keys_size", big), ("keys_head", "TEXT"), ("origin", "TEXT")):
            if column not in present:
                cursor.execute(f"ALTER TABLE {CHECKPOINTS_TABLE} ADD COLUMN {column} {kind}")

    def _batches(self, columns: str, after: int) -> Iterator[list[tuple[Any, ...]]]:
        if self.postgres:
            statement = (
                f"SELECT notification_id, uuid_send(originator_id), originator_version, topic, "  # noqa: S608 - our own table names
                f"{columns} FROM {self.events_table} "
                "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
            )
        else:
            statement = (
                f"SELECT rowid, originator_id, originator_version, topic, {columns} "  # noqa: S608 - our own table names
                f"FROM {self.events_table} WHERE rowid > ? ORDER BY rowid LIMIT ?"
            )
        return self._pages(statement, after, _BATCH)

    def _pages(self, statement: str, after: int, size: int) -> Iterator[list[tuple[Any, ...]]]:
        """`statement`'s rows `size` at a time: its parameters are the key (its first
        column) to read after and the page size."""
        while True:
            with self.datastore.transaction(commit=False) as c:
                plain_tuples(c)
                c.execute(statement, (after, size))
                batch = c.fetchall()
            yield batch
            if len(batch) < size:
                return
            after = batch[-1][0]

    def hashed_batches(self, after: int = 0) -> Iterator[list[tuple[int, bytes, int, str, bytes]]]:
        """Every stored event after notification id `after`, in log order, as batches of
        (notification id, originator id bytes, version, topic, leaf hash). On
        PostgreSQL the server hashes (pg_catalog.sha256 over the same leaf data), so the
        ciphertexts do not cross the wire: verification reads the whole log this way."""
        if self.postgres:
            yield from self._batches(_PG_LEAF_HASH, after)
            return
        for batch in self._batches("state", after):
            yield [
                (
                    nid,
                    oid := raw_id(stored_id),
                    version,
                    topic,
                    leaf_hash(raw_leaf_data(oid, version, topic, state)),
                )
                for nid, stored_id, version, topic, state in batch
            ]

    def scan(self, after: int = 0) -> Iterator[ScannedRow]:
        for batch in self._batches("state", after):
            for nid, oid, version, topic, state in batch:
                yield ScannedRow(nid, raw_id(oid), version, topic, bytes(state))

    def rows(self, after: int = 0) -> Iterator[LogRow]:
        """Every stored event after notification id `after`, in log order."""
        for r in self.scan(after):
            yield LogRow(
                r.notification_id,
                UUID(bytes=r.originator_id),
                r.originator_version,
                r.topic,
                r.state,
            )

    def stream(self, record_id: UUID) -> list[LogRow]:
        """One record's stored events in version order, read as plain rows."""
        if self.postgres:
            statement = (
                "SELECT notification_id, originator_version, topic, state "  # noqa: S608 - our own table names
                f"FROM {self.events_table} WHERE originator_id = %s "
                "ORDER BY originator_version"
            )
            key: Any = record_id
        else:
            statement = (
                "SELECT rowid, originator_version, topic, state FROM "  # noqa: S608 - our own table names
                f"{self.events_table} WHERE originator_id = ? ORDER BY originator_version"
            )
            key = record_id.hex
        with self.datastore.transaction(commit=False) as c:
            plain_tuples(c)
            c.execute(statement, (key,))
            return [
                LogRow(nid, record_id, version, topic, bytes(state))
                for nid, version, topic, state in c.fetchall()
            ]

    def event_count(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            plain_tuples(c)
            c.execute(f"SELECT COUNT(*) FROM {self.events_table}")  # noqa: S608 - our own table
            return int(c.fetchone()[0])

    def any_event_before(self, notification_id: int) -> bool:
        """Whether the log holds an event older than `notification_id`."""
        column = "notification_id" if self.postgres else "rowid"
        with self.datastore.transaction(commit=False) as c:
            plain_tuples(c)
            c.execute(
                self.dialect.sql(
                    f"SELECT 1 FROM {self.events_table} WHERE {column} < ? LIMIT 1"  # noqa: S608 - our own table
                ),
                (notification_id,),
            )
            return c.fetchone() is not None

    def state_of(self, notification_id: int) -> bytes:
        rows = self.recorder.select_notifications(start=notification_id, limit=1)
        return bytes(rows[0].state) if rows else b""

    def recorded_leaves(self) -> list[RecordedLeaf]:
        with self.datastore.transaction(commit=False) as c:
            plain_tuples(c)
            c.execute(
                self._sql(
                    "SELECT leaf_index, notification_id, originator_id, originator_version, "
                    "leaf_hash FROM {leaves} ORDER BY leaf_index"
                )
            )
            return [
                RecordedLeaf(index, nid, bytes(oid), version, bytes(h))
                for index, nid, oid, version, h in c.fetchall()
            ]

    def leaf_hashes(self, size: int | None = None) -> list[bytes]:
        """The recorded leaf hashes, in order (the first `size` of them)."""
        with self.datastore.transaction(commit=False) as c:
            plain_tuples(c)
            c.execute(
                self._sql(
                    "SELECT leaf_hash FROM {leaves} WHERE leaf_index < ? ORDER BY leaf_index"
                ),
                (size if size is not None else 2**62,),
            )
            return [bytes(h) for (h,) in c.fetchall()]

    def leaf_hash_batches(self) -> Iterator[list[bytes]]:
        """The recorded leaf hashes in order, a page at a time (verification streams them
        beside the log instead of holding both)."""
        statement = self._sql(
            "SELECT leaf_index, leaf_hash FROM {leaves} WHERE leaf_index > ? "
            "ORDER BY leaf_index LIMIT ?"
        )
        for batch in self._pages(statement, -1, _LEAF_BATCH):
            yield [bytes(h) for _, h in batch]

    def checkpoint_rows(self, latest_only: bool = False) -> list[CheckpointRow]:
        order = "ORDER BY seq DESC LIMIT 1" if latest_only else "ORDER BY seq"
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._sql("SELECT * FROM {checkpoints} " + order))  # noqa: S608 - fixed
            return [self._checkpoint_out(r) for r in c.fetchall()]

    def checkpoints(self) -> list[Checkpoint]:
        return [row.checkpoint for row in self.checkpoint_rows()]

    def latest(self) -> CheckpointRow | None:
        rows = self.checkpoint_rows(latest_only=True)
        return rows[0] if rows else None

    @staticmethod
    def _checkpoint_out(r: Any) -> CheckpointRow:
        """A row as a checkpoint. Values of the right type but the wrong shape (a root
        that is not hex, a negative size) are kept, for verification to name; a value
        of the wrong type (SQLite keeps whatever is written) is a damaged row."""
        try:
            checkpoint = Checkpoint(
                seq=_typed(r, "seq", int),
                tree_size=_typed(r, "tree_size", int),
                root_hash=_typed(r, "root_hash", str),
                signed_at=datetime.fromisoformat(_typed(r, "signed_at", str)),
                public_key=_typed(r, "public_key", str),
                signature=_typed(r, "signature", str),
                keys_size=_typed(r, "keys_size", int, optional=True) or 0,
                keys_head=_typed(r, "keys_head", str, optional=True) or "",
                origin=_origin_of(r),
            )
            _typed(r, "last_notification_id", int)
            raw = bytes(_typed(r, "frontier", (bytes, memoryview)))
        except ValueError as error:
            raise StoreError(
                f"checkpoint {r['seq']!r} in the checkpoint table is damaged ({error}): the "
                "row was edited outside casework; restore the database from a backup"
            ) from None
        hashes = [raw[i : i + 32] for i in range(0, len(raw), 32)]
        try:
            frontier = Frontier(checkpoint.tree_size, hashes)
        except ValueError:
            frontier = Frontier()  # an edited row: verification names it; extending refuses
        return CheckpointRow(checkpoint, r["last_notification_id"], frontier)

    def checkpoint(
        self,
        key: Ed25519PrivateKey,
        at: datetime | None = None,
        state: "LedgerStateFile | None" = None,
        bootstrap: str = "",
    ) -> Checkpoint | None:
        """Cover every event stored so far with a new signed checkpoint; None when the
        latest checkpoint already covers them all. Safe to call from several processes.

        With the key directory's `state` file (casework always passes it), refuses to
        sign when the database is behind the checkpoint the file remembers, and refuses
        a first checkpoint over a log that already holds events unless the file says
        the log began under casework or `bootstrap` gives the reason for covering it."""
        for _ in range(5):
            try:
                return self._checkpoint_once(key, at, state, bootstrap)
            # The library's, which its transactions raise for either driver's.
            except IntegrityError:
                continue  # another process checkpointed first: extend theirs
        raise StoreError("could not take a checkpoint: other writers kept taking one first")

    def _checkpoint_once(
        self,
        key: Ed25519PrivateKey,
        at: datetime | None,
        state_file: "LedgerStateFile | None",
        bootstrap: str,
    ) -> Checkpoint | None:
        from casework.store.ledger_state import Began, BootstrapRequired, refuse_rollback

        # The state file first: a checkpoint another process signs meanwhile is in the
        # database before it is in the file, so this order never sees a false rollback.
        state = state_file.read() if state_file is not None else None
        latest = self.latest()
        if state_file is not None:
            refuse_rollback(state, latest.checkpoint if latest else None, state_file.path)
        began = state
        if state_file is not None and latest is None and (state is None or bootstrap):
            events = self.event_count()
            if events and not bootstrap:
                raise BootstrapRequired(
                    f"the log already holds {events} events and the ledger has no checkpoint, "
                    "and the key directory has no record of the log beginning under casework: "
                    "a first checkpoint over them must be an explicit bootstrap (`casework "
                    "ledger bootstrap --reason ...`), after checking that nothing was removed"
                )
            when = at or datetime.now(UTC)
            kind = Began.BOOTSTRAP if events else Began.GENESIS
            began = state_file.begin(kind, when, events, bootstrap)
        elif state_file is not None and state is None:
            began = state_file.begin(Began.ADOPTED, at or datetime.now(UTC))
        if latest is None:
            seq, after, frontier = 1, 0, Frontier()
        else:
            seq, after = latest.checkpoint.seq + 1, latest.last_notification_id
            frontier = latest.frontier.copy()
            if not latest.checkpoint.signature_valid() or (
                frontier.size != latest.checkpoint.tree_size
                or frontier.root() != latest.checkpoint.root
            ):
                raise StoreError(
                    f"the latest ledger {latest.checkpoint.describe()} does not match its "
                    "signature: run `casework verify` before taking another"
                )
        signed = self._sign_new(
            key, at, seq, after, frontier, latest.checkpoint if latest else None
        )
        if signed is not None and state_file is not None and began is not None:
            state_file.advance(signed, began)
        return signed

    def _sign_new(
        self,
        key: Ed25519PrivateKey,
        at: datetime | None,
        seq: int,
        after: int,
        frontier: Frontier,
        previous: Checkpoint | None,
    ) -> Checkpoint | None:
        new: list[tuple[Any, ...]] = []
        last = after
        for batch in self.hashed_batches(after):
            for nid, oid, version, _, h in batch:
                new.append((frontier.size, nid, bytes(oid), version, bytes(h)))
                frontier.append(bytes(h))
                last = nid
        entries = KeyTable(self.datastore, self.dialect).log_entries()
        keys = (len(entries), chain_head(entries))
        origin = self.origin or (previous.origin if previous is not None else "") or new_origin()
        if (
            previous is not None
            and not new
            and keys == (previous.keys_size, previous.key_head)
            and previous.origin == origin
        ):
            return None  # nothing new: neither events, key-log entries nor origin
        checkpoint = Checkpoint.sign(
            key, seq, frontier.size, frontier.root(), at or datetime.now(UTC), keys, origin
        )
        with self.datastore.transaction(commit=True) as c:
            if new:
                c.executemany(
                    self._sql(
                        "INSERT INTO {leaves} (leaf_index, notification_id, originator_id, "
                        "originator_version, leaf_hash) VALUES (?, ?, ?, ?, ?)"
                    ),
                    new,
                )
            c.execute(
                self._sql(
                    "INSERT INTO {checkpoints} (seq, tree_size, root_hash, signed_at, public_key, "
                    "signature, last_notification_id, frontier, keys_size, keys_head, origin) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                (
                    checkpoint.seq,
                    checkpoint.tree_size,
                    checkpoint.root_hash,
                    checkpoint.signed_at.isoformat(),
                    checkpoint.public_key,
                    checkpoint.signature,
                    last,
                    b"".join(frontier.hashes),
                    checkpoint.keys_size,
                    checkpoint.keys_head,
                    checkpoint.origin,
                ),
            )
        return checkpoint


ORIGIN_PREFIX = "casework.example/"


def new_origin() -> str:
    """The origin line of a store that was given none: a random store id, fixed by the
    first checkpoint that carries it (each later one keeps the latest one's)."""
    return ORIGIN_PREFIX + uuid4().hex


def c2sp_body(checkpoint: Checkpoint, keys: str) -> bytes:
    extensions = [
        f"seq {checkpoint.seq}",
        f"time {checkpoint.signed_at.astimezone(UTC).isoformat()}",
        *([keys.rstrip(chr(10))] if keys else []),
    ]
    return checkpoint_text(
        checkpoint.origin, checkpoint.tree_size, checkpoint.root, extensions
    ).encode()


def c2sp_note(checkpoint: Checkpoint) -> str:
    if not checkpoint.origin:
        raise StoreError(f"{checkpoint.describe()} has casework's earlier form: no C2SP note")
    public = checkpoint.public_key_bytes
    signature = NoteSignature(
        checkpoint.origin,
        key_id(checkpoint.origin, 0x01, public),
        hex_bytes(checkpoint.signature, 64),
    )
    return checkpoint.body().decode() + "\n" + signature.line()


def c2sp_verifier_key(checkpoint: Checkpoint) -> str:
    return verifier_key(checkpoint.origin, checkpoint.public_key_bytes)


def _origin_of(row: Any) -> str:
    """The row's origin ("" for a checkpoint of the earlier form, or a row read from
    a table made before the column)."""
    try:
        row["origin"]
    except (KeyError, IndexError):
        return ""
    return str(_typed(row, "origin", str, optional=True) or "")


def _typed(row: Any, column: str, kind: Any, *, optional: bool = False) -> Any:
    """`row[column]` if it is of type `kind` (None too, if `optional`; a bool is not an
    int); otherwise a ValueError naming the column."""
    value = row[column]
    if value is None and optional:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if value.__class__ not in kinds:
        raise ValueError(f"{column} holds a {type(value).__name__}")
    return value


def plain_tuples(cursor: Any) -> None:
    """Rows as tuples, not dict-like rows: a third cheaper per row in bulk reads."""
    if isinstance(cursor, psycopg.Cursor):
        cursor.row_factory = psycopg.rows.tuple_row
    else:
        cursor.sqlite_cursor.row_factory = None


def raw_id(value: Any) -> bytes:
    """SQLite keeps originator ids as hex text, PostgreSQL sends them as 16 bytes."""
    if value.__class__ is str:
        return bytes.fromhex(value) if len(value) == 32 else UUID(value).bytes
    return value if value.__class__ is bytes else bytes(value)
