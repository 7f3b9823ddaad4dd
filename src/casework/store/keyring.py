"""Data keys: one per key scope (a case, the organisation, the search index),
each used only while unwrapped in memory, stored only wrapped by the master key.

A process keeps the keys it has unwrapped. An erasure destroys a case's key in the key
table and logs it in the key log, and the process that erases forgets its copy at once.
Every other process (a server worker, a views' runner, a CLI command) reads the key log's
new destructions before it uses a case key, at most `KEY_TRUSTED_FOR` after its last
look, and forgets the keys destroyed. Without that, a worker that had opened a case
before its erasure went on opening it from memory until it restarted."""

import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.store.errors import MasterKeyError, RecordErased
from casework.store.key_table import KeyRow, KeyTable
from casework.store.master_key import MasterKey, new_key_bytes

ORGANISATION_SCOPE = uuid5(NAMESPACE_URL, "casework:scope:organisation")
SEARCH_INDEX_SCOPE = uuid5(NAMESPACE_URL, "casework:scope:search-index")
# Only case keys are ever destroyed.
_NEVER_DESTROYED = frozenset({ORGANISATION_SCOPE, SEARCH_INDEX_SCOPE})
# How long (seconds) a process uses the case keys it holds before it reads the key
# log's new destructions again (another process's erasures): an erasure takes effect in
# every process within this, in the erasing one at once. One small read a second, for
# however many keys a process holds.
KEY_TRUSTED_FOR = 1.0


class DataKey(NamedTuple):
    key_id: UUID
    scope_id: UUID
    cipher: AESGCM
    secret: bytes


class Keyring:
    def __init__(self, master: MasterKey, table: KeyTable) -> None:
        self.master = master
        self.table = table
        self._by_id: dict[UUID, DataKey] = {}
        self._by_raw_id: dict[bytes, DataKey] = {}  # envelope headers hold raw key ids
        self._by_scope: dict[UUID, DataKey] = {}
        self._pending: dict[bytes, KeyRow] = {}  # by raw key id, as in envelope headers
        self._lock = threading.Lock()
        # Told each scope whose key this process forgets, to drop what it opened with it.
        self.forgetting: list[Callable[[UUID], None]] = []
        # The key log read up to here, at this instant (monotonic); read before any key,
        # so every key held was read live after it and a later destruction is after it.
        self._log_seen = table.last_log_entry()
        self._looked_at = time.monotonic()

    def check_master_key(self) -> None:
        """Refuse to start with a master key that did not wrap this store's keys."""
        found = self.table.fingerprints()
        if found and found != {self.master.fingerprint}:
            raise MasterKeyError(
                f"the master key from {self.master.source} (fingerprint "
                f"{self.master.fingerprint}) is not the key of this store (its keys were "
                f"wrapped by {', '.join(sorted(f or '?' for f in found))}). "
                "Set CASEWORK_MASTER_KEY to this store's key, or point CASEWORK_KEY_DIR at "
                "the directory whose master.key it is. Without that key, or a backup of it, "
                "the sealed records cannot be opened: there is no other way to recover them."
            )

    def for_scope(self, scope_id: UUID, *, new: bool = False) -> DataKey:
        """The scope's data key; `new=True` says the scope is known to be brand new
        (a case's first event), which saves a look-up."""
        key = self._live(self._by_scope.get(scope_id))
        if key is not None:
            return key
        with self._lock:
            key = self._by_scope.get(scope_id)
            if key is not None:
                return key
            row = None if new else self.table.by_scope(scope_id)
            if row is None:
                return self._create_pending(scope_id)
            return self._remember(row)

    def by_id(self, key_id: UUID) -> DataKey:
        key = self._live(self._by_id.get(key_id))
        if key is not None:
            return key
        row = self.table.by_id(key_id)
        if row is None:
            raise MasterKeyError(f"data key {key_id} is not in the key table")
        with self._lock:
            return self._remember(row)

    def by_raw_id(self, raw: bytes) -> DataKey:
        key = self._live(self._by_raw_id.get(raw))
        return key if key is not None else self.by_id(UUID(bytes=raw))

    def _live(self, key: DataKey | None) -> DataKey | None:
        """`key` while it may be used: an organisation-wide key, or a case key not found
        destroyed at the last look at the key log, taken again when the last is
        `KEY_TRUSTED_FOR` old. A key destroyed since is forgotten: None, and the caller's
        look-up in the key table says why (`RecordErased`)."""
        if key is None or key.scope_id in _NEVER_DESTROYED:
            return key
        if time.monotonic() - self._looked_at >= KEY_TRUSTED_FOR:
            self._forget_destroyed()
            return self._by_id.get(key.key_id)
        return key

    def _forget_destroyed(self) -> None:
        """Forget the keys the key log says were destroyed since the last look."""
        # Other threads go on with the keys they hold meanwhile, as within any second.
        self._looked_at = time.monotonic()
        top, destroyed = self.table.destroyed_since(self._log_seen)
        for scope_id in destroyed:
            self.forget_cached(scope_id)
        self._log_seen = max(self._log_seen, top)

    def _remember(self, row: KeyRow) -> DataKey:
        if row.wrapped_key is None:
            raise RecordErased(
                f"erased on {row.destroyed_at:%Y-%m-%d %H:%M} UTC: the data key of "
                f"{row.scope_id} was destroyed",
                scope_id=row.scope_id,
                destroyed_at=row.destroyed_at,
            )
        secret = self.master.unwrap(row.wrapped_key, row.key_id, row.scope_id)
        key = DataKey(row.key_id, row.scope_id, AESGCM(secret), secret)
        self._cache(key)
        return key

    def _cache(self, key: DataKey) -> None:
        self._by_id[key.key_id] = key
        self._by_raw_id[key.key_id.bytes] = key
        self._by_scope[key.scope_id] = key

    def _uncache(self, key: DataKey) -> None:
        self._by_id.pop(key.key_id, None)
        self._by_raw_id.pop(key.key_id.bytes, None)
        self._by_scope.pop(key.scope_id, None)

    def _create_pending(self, scope_id: UUID) -> DataKey:
        secret = new_key_bytes()
        key = DataKey(uuid4(), scope_id, AESGCM(secret), secret)
        self._pending[key.key_id.bytes] = KeyRow(
            key_id=key.key_id,
            scope_id=scope_id,
            wrapped_key=self.master.wrap(secret, key.key_id, scope_id),
            kek_fingerprint=self.master.fingerprint,
            created_at=datetime.now(tz=UTC),
            destroyed_at=None,
        )
        self._cache(key)
        return key

    def pending_among(self, envelopes: Iterable[bytes]) -> list[KeyRow]:
        """Keys not yet stored that these envelopes use: they go in the same transaction."""
        if not self._pending:
            return []
        raw_ids = {e[1:17] for e in envelopes}
        return [row for k in raw_ids if (row := self._pending.get(k)) is not None]

    def settle(self, rows: Iterable[KeyRow], *, stored: bool) -> None:
        """After the transaction: stored keys stop being pending; keys of a failed
        transaction are forgotten, so a retry makes a fresh one."""
        with self._lock:
            for row in rows:
                self._pending.pop(row.key_id.bytes, None)
                key = self._by_id.get(row.key_id)
                if not stored and key is not None:
                    self._uncache(key)

    def rotate_master(self, new_master: MasterKey) -> int:
        """Re-wrap every data key under `new_master`; no event is rewritten."""
        if self._pending:
            raise MasterKeyError("cannot rotate while new keys are waiting to be stored")

        def rewrap(row: KeyRow) -> bytes:
            assert row.wrapped_key is not None
            secret = self.master.unwrap(row.wrapped_key, row.key_id, row.scope_id)
            return new_master.wrap(secret, row.key_id, row.scope_id)

        count = self.table.rewrap_all(rewrap, new_master.fingerprint)
        self.master = new_master
        return count

    def destroy(self, scope_id: UUID, at: datetime) -> bool:
        self.forget_cached(scope_id)
        return self.table.destroy(scope_id, at)

    def forget_cached(self, scope_id: UUID) -> None:
        """Drop a scope's key from memory (another process may have destroyed it)."""
        with self._lock:
            key = self._by_scope.get(scope_id)
            if key is not None:
                self._uncache(key)
        for forget in self.forgetting:
            forget(scope_id)
