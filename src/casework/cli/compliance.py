"""Commands for reviewers, auditors and the people who handle erasure requests:
`verify`, `export`, `verify-bundle`, `replay`, `diff` and `erase request|approve|carry-out`.

`export`, `replay`, `diff` and `erase` act as the account signed in with `casework login`
(the role it signed in for; a compliance reviewer's purpose is the one stated at
`casework login --purpose`). `verify` and `verify-bundle` show no case content and need
no sign-in: whoever holds the keys (or the public key) runs them."""

import argparse
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from casework.aggregates.base import InvalidValue
from casework.cli.arguments import instant
from casework.cli.session import casework_session, signed_in_principal
from casework.compliance.bundle import verify_bundle
from casework.compliance.replay import Basis
from casework.compliance.verification import Finding
from casework.store.database import Database
from casework.store.errors import DamagedStore
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
        "--as-of", required=True, type=instant, help="e.g. 2026-03-01T09:00:00+08:00"
    )
    _basis_option(replay)
    replay.set_defaults(run=run_replay)

    diff = commands.add_parser(
        "diff",
        help="what changed in a record between two instants",
        description="List the entries that appeared, were amended or were approved between "
        "two instants, by whom, as recorded (default) or as occurred.",
    )
    diff.add_argument("record", type=UUID, metavar="CASE")
    diff.add_argument("--since", required=True, type=instant, help="the earlier instant")
    diff.add_argument("--until", required=True, type=instant, help="the later instant")
    _basis_option(diff)
    diff.set_defaults(run=run_diff)

    erase = commands.add_parser(
        "erase",
        help="erase a case by destroying its data key: request, approve, carry out",
        description="An erasure takes two people: one requests it with the reason and the "
        "legal authority, a second (a compliance reviewer or the centre director, never the "
        "requester) approves it, then an administrator or the centre director carries it "
        "out: the case's data key is destroyed (its events, snapshots and search-index "
        "entries can never be opened again), its projected rows cleared, and the erasure "
        "recorded in the erasure register. The ledger still verifies. Backups taken before "
        "now stay readable until the master key is rotated and the old one destroyed: run "
        "`casework keys rotate-master` afterwards.",
    )
    steps = erase.add_subparsers(dest="step", required=True, metavar="STEP")
    request = steps.add_parser("request", help="ask for a case to be erased")
    request.add_argument("case", type=UUID, metavar="CASE")
    request.add_argument("--reason", required=True, help="why the case is to be erased")
    request.add_argument(
        "--legal-authority", required=True, help="the law and article, or the order, it rests on"
    )
    request.set_defaults(run=run_erase_request)
    approve = steps.add_parser("approve", help="approve someone else's erasure request")
    approve.add_argument("request", type=UUID, metavar="REQUEST")
    approve.set_defaults(run=run_erase_approve)
    carry_out = steps.add_parser("carry-out", help="carry out an approved erasure")
    carry_out.add_argument("request", type=UUID, metavar="REQUEST")
    carry_out.set_defaults(run=run_erase_carry_out)


def _basis_option(parser: argparse.ArgumentParser) -> None:
    """`--occurred`: as things had occurred by then, not as recorded (`args.basis`)."""
    parser.add_argument(
        "--occurred",
        dest="basis",
        action="store_const",
        const=Basis.OCCURRED,
        default=Basis.RECORDED,
        help="as occurred, not as recorded",
    )


def _print_json(value: Any) -> None:
    sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(value)) + b"\n")


def run_verify(args: argparse.Namespace) -> int:
    # Read-only: an auditor checks a read-only copy. A damaged file is a finding (a
    # FAILED line naming the damage), not an error.
    damage: list[Finding] = []
    try:
        with casework_session(args.pending_checkpoints, read_only=True) as app:
            damage = _damage_findings(app.database)
            report = app.verify(args.against, args.public_key)
    except DamagedStore as error:
        findings = damage or [Finding("damaged_file", str(error))]
        print("\n".join(f"FAILED [{f.kind}] {f.message}" for f in findings))
        return 1
    report.findings += damage
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _damage_findings(database: Database) -> list[Finding]:
    """SQLite's own check of the file, as findings (at most ten named)."""
    found = database.damage()
    more = [f"... and {len(found) - 10} more"] if len(found) > 10 else []
    return [
        Finding(
            "damaged_file",
            f"the database file {database.describe()} is damaged (SQLite's check: {what}); "
            "restore it from a backup",
        )
        for what in [*found[:10], *more]
    ]


def run_export(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        bundle = app.export_case(signed_in_principal(app), args.case)
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
            signed_in_principal(app),
            args.record,
            args.as_of,
            args.basis,
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
            "withheld": list(replay.withheld),
        }
    )
    return 0


def run_diff(args: argparse.Namespace) -> int:
    if args.since > args.until:
        raise InvalidValue(
            "--since", f"{args.since.isoformat()} is after --until {args.until.isoformat()}"
        )
    with casework_session(args.pending_checkpoints) as app:
        changes = app.diff_record(
            signed_in_principal(app),
            args.record,
            args.since,
            args.until,
            args.basis,
        )
    _print_json(changes)
    return 0


def run_erase_request(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        request_id = app.request_erasure(
            signed_in_principal(app), args.case, args.reason, args.legal_authority
        )
    print(
        f"erasure of case {args.case} requested (request {request_id}); a second person "
        f"approves it: casework erase approve {request_id}"
    )
    return 0


def run_erase_approve(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        app.approve_erasure(signed_in_principal(app), args.request)
    print(f"erasure request {args.request} approved: casework erase carry-out {args.request}")
    return 0


def run_erase_carry_out(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        erasure_id = app.carry_out_erasure(signed_in_principal(app), args.request)
        case_id = app.get_erasure_request(args.request).case_id
    print(f"erased case {case_id}: its data key is destroyed (erasure record {erasure_id})")
    print(
        "Backups taken before now can still open it with the current master key: run "
        "`casework keys rotate-master` now and destroy every copy of the old key."
    )
    return 0
