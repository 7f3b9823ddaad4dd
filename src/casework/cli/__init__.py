"""The `casework` command line. Each command group is a module with `register(commands)`."""

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence

from casework.aggregates.base import RuleBroken
from casework.application.checkpoints import PendingCheckpoints
from casework.store.failures import store_error_from

# One module per command group; each adds its sub-commands (with --help) to the parser.
COMMAND_MODULES = [
    "casework.cli.keys",
    "casework.cli.projections",
    "casework.cli.ledger",
    "casework.cli.compliance",
    "casework.cli.supervision",
    "casework.cli.demo",
    "casework.cli.staff",
    "casework.cli.case",
    "casework.cli.serve",
    "casework.cli.accounts",
    "casework.cli.backup",
    "casework.cli.witness",
    "casework.cli.doctor",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casework",
        description="Event-sourced case records for social-work service centres.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # This command's writes only: every store it writes to gets a checkpoint at exit.
    args.pending_checkpoints = PendingCheckpoints()
    try:
        return int(args.run(args) or 0)
    except Exception as error:
        return report_failure(error)
    except KeyboardInterrupt:
        return 130
    finally:
        checkpoint_before_exit(args.pending_checkpoints)


def report_failure(error: Exception) -> int:
    """The one place where an error becomes a line on stderr and an exit status: a
    refused command (its rule named once, here), a store that cannot be used (what is
    wrong and the fix), output piped into a reader that stopped (quietly), or a bug
    (one line; `CASEWORK_TRACEBACK=1` shows where)."""
    if isinstance(error, BrokenPipeError):
        # `casework timeline ... | head`: the reader has what it wanted. Point stdout at
        # /dev/null so the interpreter's last flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 128 + signal.SIGPIPE
    if isinstance(error, RuleBroken):
        # The message is in the users' words; the rule's stable name is said once, here.
        print(f"casework: {error.rule}: {error}", file=sys.stderr)
        return 2
    store_error = store_error_from(error, None)
    if store_error is not None:
        print(f"casework: {store_error}", file=sys.stderr)
        return 2
    if os.environ.get("CASEWORK_TRACEBACK"):
        raise error
    print(
        f"casework: internal error ({type(error).__name__}: {error}); nothing more was "
        "done. This is a bug in casework: rerun with CASEWORK_TRACEBACK=1 to see where, and "
        "report it",
        file=sys.stderr,
    )
    return 70  # EX_SOFTWARE


def checkpoint_before_exit(pending_checkpoints: PendingCheckpoints) -> None:
    """Every command that wrote events signs a checkpoint covering them before it exits."""
    for warning in pending_checkpoints.sign_all():
        print(f"casework: warning: {warning}", file=sys.stderr)
