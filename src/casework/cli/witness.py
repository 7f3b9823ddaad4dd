"""`casework witness`: run a C2SP tlog-witness for many stores (ADR 0046). It needs
no casework store and no store's keys: its own database (--db) and its own key
(--key-file)."""

import argparse
import sys
from pathlib import Path

from casework.store.signed_note import NoteError
from casework.witness.server import WitnessServer
from casework.witness.state import (
    WitnessError,
    WitnessState,
    load_witness_key,
    write_witness_key,
)


def _common(parser: argparse.ArgumentParser, key: bool = True) -> None:
    parser.add_argument("--db", type=Path, required=True, help="the witness's SQLite database")
    if key:
        parser.add_argument(
            "--key-file", type=Path, required=True, help="the witness's Ed25519 key (PEM, 0600)"
        )


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    witness = commands.add_parser(
        "witness", help="run a witness that cosigns stores' checkpoints (C2SP tlog-witness)"
    )
    sub = witness.add_subparsers(dest="witness_command", metavar="WITNESS_COMMAND", required=True)

    init = sub.add_parser(
        "init",
        help="create the witness's key and database",
        description="Create the witness's Ed25519 key (0600) and its database, named NAME "
        "(e.g. district.example/witness), and print its verifier key for the stores' "
        "CASEWORK_WITNESSES.",
    )
    _common(init)
    init.add_argument("--name", required=True, help="the witness's name, e.g. district.example/w1")
    init.set_defaults(run=run_init)

    add_log = sub.add_parser(
        "add-log",
        help="accept a store's checkpoints",
        description="Accept checkpoints of the log with origin ORIGIN signed by the key "
        "VERIFIER_KEY (what `casework ledger verifier-key` prints at the store).",
    )
    _common(add_log, key=False)
    add_log.add_argument("--origin", required=True)
    add_log.add_argument("--verifier-key", required=True)
    add_log.set_defaults(run=run_add_log)

    logs = sub.add_parser("logs", help="list the logs and the size last cosigned for each")
    _common(logs, key=False)
    logs.set_defaults(run=run_logs)

    key = sub.add_parser("verifier-key", help="print the witness's verifier key")
    _common(key)
    key.set_defaults(run=run_verifier_key)

    serve = sub.add_parser(
        "serve",
        help="serve POST /add-checkpoint",
        description="Serve the tlog-witness add-checkpoint call: verify the checkpoint's "
        "signature with the key accepted for its origin, check the consistency proof from "
        "the size last cosigned, and answer with a cosignature; refuse a checkpoint that "
        "does not extend it (409 with that size), an unknown origin (404), an untrusted "
        "signature (403), a bad proof (422) or a malformed request (400).",
    )
    _common(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7380)
    serve.set_defaults(run=run_serve)


def run_init(args: argparse.Namespace) -> int:
    state = WitnessState(args.db)
    try:
        state.init(args.name)
        key = load_witness_key(args.key_file) if args.key_file.exists() else None
        key = key or write_witness_key(args.key_file)
        print(state.verifier_key(key))
    finally:
        state.close()
    return 0


def run_add_log(args: argparse.Namespace) -> int:
    state = WitnessState(args.db)
    try:
        state.add_log(args.origin, args.verifier_key)
    except NoteError as error:
        raise WitnessError(f"not added: {error}") from None
    finally:
        state.close()
    print(f"accepting checkpoints of {args.origin}")
    return 0


def run_logs(args: argparse.Namespace) -> int:
    state = WitnessState(args.db)
    try:
        for origin, size, keys in state.logs():
            print(f"{origin}  size {size}  keys {' '.join(keys)}")
    finally:
        state.close()
    return 0


def run_verifier_key(args: argparse.Namespace) -> int:
    state = WitnessState(args.db)
    try:
        print(state.verifier_key(load_witness_key(args.key_file)))
    finally:
        state.close()
    return 0


def run_serve(args: argparse.Namespace) -> int:
    state = WitnessState(args.db)
    key = load_witness_key(args.key_file)
    name = state.name
    server = WitnessServer((args.host, args.port), state, key)
    host, port = server.server_address[:2]
    print(f"witness {name} listening on http://{host}:{port}", flush=True)
    print(state.verifier_key(key), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
        state.close()
    return 0
