"""`casework ledger`: take a signed checkpoint now (and hand a copy to someone outside),
bootstrap the ledger over a log that already holds events, or prove that one event is
in the signed log."""

import argparse
import sys
from pathlib import Path
from uuid import UUID

import msgspec

from casework.cli.session import casework_session
from casework.store.file_modes import signing_key_placement_warnings


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    ledger = commands.add_parser("ledger", help="signed checkpoints of the tamper-evident ledger")
    sub = ledger.add_subparsers(dest="ledger_command", metavar="LEDGER_COMMAND", required=True)

    checkpoint = sub.add_parser(
        "checkpoint",
        help="sign a checkpoint covering every event stored so far",
        description="Sign a checkpoint (tree size, root hash, time) of the Merkle tree over "
        "every stored event with the ledger signing key. With --out, also write the latest "
        "checkpoint to FILE for the supervision team or the funder to keep: `casework "
        "verify --against FILE` later proves the log still extends it.",
    )
    checkpoint.add_argument("--out", type=Path, help="write the checkpoint to this file")
    checkpoint.set_defaults(run=run_checkpoint)

    bootstrap = sub.add_parser(
        "bootstrap",
        help="cover a log that already holds events with the ledger's first checkpoint",
        description="Sign the first checkpoint over a store whose log already held events "
        "when its ledger began (a store from before the ledger, or a key directory made "
        "afresh). The reason and the number of events are recorded in the key directory's "
        "state file and shown by `casework verify`. Ordinary checkpoints refuse to do this: "
        "a ledger that disappears must not be replaced silently. Check the log first (a "
        "backup, an exported checkpoint) that nothing was removed.",
    )
    bootstrap.add_argument(
        "--reason", required=True, help="why, e.g. 'ledger introduced, ticket 42'"
    )
    bootstrap.set_defaults(run=run_bootstrap)

    prove = sub.add_parser(
        "prove",
        help="print the inclusion proof of one event",
        description="Print (as JSON) the RFC 9162 inclusion proof of version VERSION of "
        "record RECORD into the latest checkpoint.",
    )
    prove.add_argument("record", type=UUID, metavar="RECORD")
    prove.add_argument("version", type=int, metavar="VERSION")
    prove.set_defaults(run=run_prove)

    vkey = sub.add_parser(
        "verifier-key",
        help="print the C2SP verifier key of the store's checkpoints",
        description="Print the verifier key (`<origin>+<key id>+<key>`, C2SP signed-note) "
        "that checks this store's checkpoints, and write it beside the public key "
        "(`.vkey`): give it to each witness (`casework witness add-log`). Signs a "
        "checkpoint first if none carries the store's origin yet.",
    )
    vkey.set_defaults(run=run_verifier_key)


def run_checkpoint(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        taken = app.checkpoint()
        latest = app.latest_checkpoint()
    assert latest is not None  # the first call always signs one
    for warning in signing_key_placement_warnings(
        app.settings.signing_key_file, app.database.sqlite_path
    ):
        print(f"casework: {warning}", file=sys.stderr)
    print(("signed " if taken else "already covered by ") + latest.describe())
    print(f"root {latest.root_hash}  key {latest.key_fingerprint}")
    if args.out:
        latest.write(args.out)
        print(f"wrote {args.out}: keep it outside casework's servers")
    return 0


def run_bootstrap(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        taken = app.checkpoint(bootstrap=args.reason)
        latest = app.latest_checkpoint()
    if taken is None or taken.seq != 1:
        print("the ledger already has checkpoints: nothing to bootstrap")
        return 0 if latest is not None else 1
    print(f"signed {taken.describe()} as the ledger's bootstrap: {args.reason}")
    return 0


def run_prove(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        proof = app.prove_event(args.record, args.version)
    sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(proof)) + b"\n")
    return 0


def run_verifier_key(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        app.checkpoint()
        latest = app.latest_checkpoint()
        written = app.settings.verify_key_file.with_suffix(".vkey")
    assert latest is not None  # the call above always leaves one
    key = latest.verifier_key
    written.write_text(key + "\n")
    print(key)
    print(f"wrote {written}", file=sys.stderr)
    return 0
