"""Commands for reviewers, auditors and the people who handle erasure requests:
`verify`, `export`, `verify-bundle`, `replay`, `diff` and `erase`."""

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from casework.aggregates.base import InvalidValue, Role
from casework.cli.session import add_acting_options, casework_session, operator_actor
from casework.compliance.bundle import verify_bundle
from casework.compliance.replay import Basis
from casework.store.file_modes import write_private
from casework.store.ledger import load_public_key


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    verify = commands.add_parser(
        "verify",
        help="prove nothing in the log was altered, removed, inserted or reordered",
        description="Recompute the Merkle tree from every stored event, check every signed "
        "checkpoint and that each extends the one before, and report precisely what is "
        "wrong. Exit status 0 when all is well, 1 when something was found.",
    )
    verify.add_argument(
        "--against",
        type=Path,
        metavar="CHECKPOINT_FILE",
        help="also prove the store still extends a checkpoint kept outside (from "
        "`casework ledger checkpoint --out`)",
    )
    verify.add_argument(
        "--public-key", type=Path, help="the ledger public key (default: beside the signing key)"
    )
    verify.set_defaults(run=run_verify)

    export = commands.add_parser(
        "export",
        help="export a case's timeline with a proof for every event",
        description="Write one JSON file with the case's decrypted timeline, each event's "
        "stored (sealed) row and inclusion proof, and the signed checkpoint they prove into. "
        "Anyone with the ledger public key checks it with `casework verify-bundle`.",
    )
    export.add_argument("case", type=UUID, metavar="CASE")
    export.add_argument("--out", type=Path, required=True, help="the bundle file to write")
    add_acting_options(export, Role.COMPLIANCE_REVIEWER, operator_by_default=True)
    export.set_defaults(run=run_export)

    bundle = commands.add_parser(
        "verify-bundle",
        help="check an export bundle offline (no database, no master key)",
        description="Check a bundle from `casework export` with nothing but the ledger "
        "public key: the checkpoint's signature, every event's inclusion proof, and the "
        "attestation binding each decrypted content to its sealed row.",
    )
    bundle.add_argument("file", type=Path, metavar="FILE")
    bundle.add_argument(
        "--public-key", type=Path, required=True, help="the ledger public key (PEM) you trust"
    )
    bundle.set_defaults(run=run_verify_bundle)

    replay = commands.add_parser(
        "replay",
        help="show a record as it stood at a past instant",
        description="Print (as JSON) a case, referral or supervision session as casework had "
        "recorded it at the instant given (default), or as things had occurred by then "
        "(--occurred, late entries included).",
    )
    replay.add_argument("record", type=UUID, metavar="CASE")
    replay.add_argument(
        "--as-of", required=True, type=_instant, help="e.g. 2026-03-01T09:00:00+08:00"
    )
    replay.add_argument("--occurred", action="store_true", help="as occurred, not as recorded")
    replay.set_defaults(run=run_replay)

    diff = commands.add_parser(
        "diff",
        help="what changed in a record between two instants",
        description="List the entries that appeared, were amended or were approved between "
        "two instants, by whom, as recorded (default) or as occurred.",
    )
    diff.add_argument("record", type=UUID, metavar="CASE")
    diff.add_argument("--since", required=True, type=_instant, help="the earlier instant")
    diff.add_argument("--until", required=True, type=_instant, help="the later instant")
    diff.add_argument("--occurred", action="store_true", help="as occurred, not as recorded")
    diff.set_defaults(run=run_diff)

    erase = commands.add_parser(
        "erase",
        help="erase a case by destroying its data key",
        description="Destroy the case's data key (its events, snapshots and search-index "
        "entries can never be opened again), clear its projected rows, and record the "
        "erasure (who, why, on whose authority) in the erasure register. The ledger still "
        "verifies. Backups taken before now stay readable until the master key is rotated "
        "and the old one destroyed: run `casework keys rotate-master` afterwards.",
    )
    erase.add_argument("case", type=UUID, metavar="CASE")
    erase.add_argument("--reason", required=True, help="why the case is erased")
    erase.add_argument(
        "--authorised-by", required=True, help="who authorised it, e.g. a request reference"
    )
    add_acting_options(erase, Role.ADMINISTRATOR, operator_by_default=True)
    erase.set_defaults(run=run_erase)


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time like 2026-03-01T09:00:00+08:00"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no time-zone offset; write e.g. 2026-03-01T09:00:00+08:00"
        )
    return value


def _print_json(value: Any) -> None:
    sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(value)) + b"\n")


def run_verify(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        report = app.verify(args.against, args.public_key)
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def run_export(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        bundle = app.export_case(args.case, operator_actor(args))
    write_private(args.out, bundle.encode())  # as sensitive as the case: 0600
    print(
        f"wrote {args.out}: {len(bundle.events)} events of case {args.case}, proved into "
        f"{bundle.checkpoint.describe()}"
    )
    return 0


def run_verify_bundle(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise InvalidValue("FILE", f"cannot read {args.file}: {error.strerror}") from None
    report = verify_bundle(data, load_public_key(args.public_key))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def run_replay(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        replay = app.replay(
            args.record, args.as_of, Basis.OCCURRED if args.occurred else Basis.RECORDED
        )
    print(f"# {args.record} {replay.label}", file=sys.stderr)
    _print_json(
        {
            "record_id": replay.record_id,
            "basis": replay.basis,
            "as_of": replay.at,
            "label": replay.label,
            "existed": replay.record is not None,
            "state": replay.state(),
        }
    )
    return 0


def run_diff(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        changes = app.diff_record(
            args.record, args.since, args.until, Basis.OCCURRED if args.occurred else Basis.RECORDED
        )
    _print_json(changes)
    return 0


def run_erase(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        erasure_id = app.erase_case(
            args.case, operator_actor(args), args.reason, args.authorised_by
        )
    print(f"erased case {args.case}: its data key is destroyed (erasure record {erasure_id})")
    print(
        "Backups taken before now can still open it with the current master key: run "
        "`casework keys rotate-master` now and destroy every copy of the old key."
    )
    return 0
