"""Key files on disk: the master key file and the ledger signing key pair.

Keys are created readable by their owner only (mode 0600) and never overwritten; a
master key file that other users can read is refused. The command line, the tests,
the benchmarks and the HTTP server all create and read keys through this module.
"""

import base64
import os
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.store.errors import MasterKeyError
from casework.store.keyring import Keyring
from casework.store.master_key import MasterKey, new_key_bytes

if TYPE_CHECKING:  # settings reads the master key through this module
    from casework.settings import Settings


def create_key_files(settings: "Settings") -> list[Path]:
    """Create whichever of the two keys is missing; returns the files written."""
    written = []
    if not settings.master_key_base64 and not settings.master_key_file.exists():
        write_master_key_file(settings.master_key_file, new_key_bytes())
        written.append(settings.master_key_file)
    if not settings.signing_key_file.exists():
        write_signing_key(settings.signing_key_file)
        written += [settings.signing_key_file, settings.verify_key_file]
    return written


def write_master_key_file(path: Path, key: bytes) -> None:
    """Write a master key file (base64) readable by its owner only; refuse to overwrite one."""
    with _owner_only(path) as f:
        f.write(base64.b64encode(key) + b"\n")


def read_master_key_file(path: Path) -> MasterKey:
    if not path.exists():
        raise MasterKeyError(
            f"no master key: {path} does not exist and CASEWORK_MASTER_KEY is not set. A "
            "new, empty store gets one from `casework keys init`; a store that already "
            "holds records opens only with the key it was sealed under: restore that key "
            "from its backup (without it, or a backup, the records cannot be recovered)"
        )
    if path.stat().st_mode & 0o077:
        raise MasterKeyError(
            f"master key file {path} is readable by other users; run `chmod 600 {path}`"
        )
    return MasterKey.from_base64(path.read_text(), str(path))


def write_signing_key(path: Path) -> None:
    """A new Ed25519 ledger signing key at `path` (0600) and its public key beside it
    (`.pub`, for anyone who verifies)."""
    key = Ed25519PrivateKey.generate()
    with _owner_only(path) as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    path.with_suffix(".pub").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def rotate_master_key_file(keyring: Keyring, target: Path) -> int:
    """Re-wrap every data key under a new master key and write it to `target`; returns
    how many data keys were re-wrapped. The new key is staged beside `target` first and
    moved over it only once the store holds the re-wrapped keys, so a failure on the
    way leaves the old key file opening the store."""
    secret = new_key_bytes()
    staged = target.with_name(target.name + ".new")
    staged.unlink(missing_ok=True)
    write_master_key_file(staged, secret)
    count = keyring.rotate_master(MasterKey(secret, str(target)))
    os.replace(staged, target)
    return count


def _owner_only(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: an existing key is never overwritten; 0600 from the first byte written.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")
