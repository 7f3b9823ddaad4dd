"""`casework keys`: create the master key and the ledger signing key; rotate the master key."""

import argparse
from pathlib import Path

from casework.application import Casework
from casework.cli.session import casework_session
from casework.settings import Settings
from casework.store.database import Database
from casework.store.errors import MasterKeyError
from casework.store.key_files import create_key_files, rotate_master_key_file
from casework.store.opening import refuse_new_master_key


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    keys = commands.add_parser("keys", help="create and rotate keys")
    sub = keys.add_subparsers(dest="keys_command", metavar="KEYS_COMMAND", required=True)

    init = sub.add_parser(
        "init",
        help="create the master key and the ledger signing key (mode 0600)",
        description="Create the master key (256-bit, base64) and the Ed25519 ledger "
        "signing key in CASEWORK_KEY_DIR (default: <data dir>/keys), and an empty store "
        "where CASEWORK_DATABASE_URL points (default: <data dir>/casework.db) if there is "
        "none. Refuses to overwrite existing keys, and to write a master key beside a store "
        "sealed under another one.",
    )
    init.set_defaults(run=run_init)

    rotate = sub.add_parser(
        "rotate-master",
        help="re-wrap every data key under a new master key",
        description="Generate a new master key, re-wrap every data key under it in one "
        "transaction (no event is rewritten), then replace the key file. The old key "
        "opens nothing afterwards: destroy every copy of it, including in backups' key "
        "escrow.",
    )
    rotate.add_argument(
        "--new-key-file",
        type=Path,
        help="where to write the new key when the old one came from CASEWORK_MASTER_KEY",
    )
    rotate.set_defaults(run=run_rotate)


def run_init(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    # Never a new master key beside a store sealed under another one.
    store_existed = refuse_new_master_key(settings)
    written = create_key_files(settings)
    for path in written:
        print(f"wrote {path}")
    if written:
        print("Keep the master key and the signing key out of backups of the database.")
    if not store_existed:
        # On purpose, here and in `casework demo` only: its tables (and directory).
        Casework(settings, pending_checkpoints=args.pending_checkpoints).close()
        where = Database.from_url(settings.database_url).describe()
        print(f"created an empty casework store at {where}")
    elif not written:
        print("casework: the keys and the store already exist; nothing written")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    with casework_session(args.pending_checkpoints, settings) as app:
        target = args.new_key_file or (
            None if settings.master_key_base64 else settings.master_key_file
        )
        if target is None:
            raise MasterKeyError(
                "the master key comes from CASEWORK_MASTER_KEY: say where to write the new "
                "one with --new-key-file"
            )
        count = rotate_master_key_file(app.keyring, target)
        fingerprint = app.keyring.master.fingerprint
    print(
        f"re-wrapped {count} data keys under the new master key (fingerprint "
        f"{fingerprint}); it is in {target}"
    )
    if settings.master_key_base64:
        print("Update CASEWORK_MASTER_KEY from that file and destroy the old value.")
    print("Destroy every copy of the old master key; backups taken before now still need it.")
    return 0
