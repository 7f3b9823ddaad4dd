"""Opening a store on purpose: commands open only a store that is there (`require_store`),
and a master key is written only where no store is sealed under another one
(`refuse_new_master_key`). Only `casework keys init` and `casework demo` create a store.
"""

from typing import TYPE_CHECKING

from casework.store.database import Database
from casework.store.errors import MasterKeyError, NoStore

if TYPE_CHECKING:  # settings reads the master key through the store package
    from casework.settings import Settings

_NO_RECOVERY = (
    "Without that key, or a backup of it, the sealed records cannot be opened: there is "
    "no other way to recover them."
)


def require_store(settings: "Settings", *, missing_ok: bool = False) -> Database:
    """The store named by `settings`, checked: there (unless `missing_ok`), casework's,
    undamaged, and with its master key at hand. Raises `NoStore`, `DamagedStore`,
    `MissingSchema`, `StoreUnreachable` or `MasterKeyError`, each naming the fix."""
    database = Database.from_url(settings.database_url)
    try:
        database.check_store()
    except NoStore:
        if not missing_ok:
            raise
        return database
    if not master_key_at_hand(settings):
        fingerprints = database.sealed_fingerprints()
        if fingerprints:
            raise MasterKeyError(
                f"no master key: {settings.master_key_file} does not exist and "
                f"CASEWORK_MASTER_KEY is not set, but {database.describe()} is sealed under "
                f"master key {_named(fingerprints)}. {_NO_RECOVERY} Put the backed-up key "
                f"file at {settings.master_key_file} (mode 0600), point CASEWORK_KEY_DIR at "
                "the directory holding its master.key, or set CASEWORK_MASTER_KEY. A new key "
                "from `casework keys init` would open nothing in this store."
            )
    return database


def refuse_new_master_key(settings: "Settings") -> bool:
    """Before a new master key is written: refuse when the store is sealed under another
    key (a new key would open none of it). Returns whether a store is already there."""
    database = Database.from_url(settings.database_url)
    try:
        database.check_store()
    except NoStore:
        return False
    if master_key_at_hand(settings):
        return True
    fingerprints = database.sealed_fingerprints()
    if fingerprints:
        raise MasterKeyError(
            f"refusing to write a new master key: {database.describe()} is sealed under "
            f"master key {_named(fingerprints)}, which is not at "
            f"{settings.master_key_file} and not in CASEWORK_MASTER_KEY. A new key would "
            f"open none of its records. {_NO_RECOVERY} Restore that key from its backup; "
            "nothing was written."
        )
    return True


def master_key_at_hand(settings: "Settings") -> bool:
    return bool(settings.master_key_base64) or settings.master_key_file.exists()


def _named(fingerprints: set[str]) -> str:
    return ", ".join(f"fingerprint {f}" for f in sorted(fingerprints))
