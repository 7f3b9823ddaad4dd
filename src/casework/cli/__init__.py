"""The `casework` command line. Each command group is a module with `register(commands)`."""

import argparse
import importlib
import sys
from collections.abc import Sequence

from casework.aggregates.base import RuleBroken
from casework.application.checkpoints import PendingCheckpoints
from casework.store.errors import StoreError

# One module per command group; each adds its sub-commands (with --help) to the parser.
COMMAND_MODULES = [
    "casework.cli.keys",
    "casework.cli.projections",
    "casework.cli.ledger",
    "casework.cli.compliance",
    "casework.cli.supervision",
    "casework.cli.demo",
    "casework.cli.staff",
    "casework.cli.serve",
    "casework.cli.accounts",
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
    except RuleBroken as error:
        # The message is in the users' words; the rule's stable name is said once, here.
        print(f"casework: {error.rule}: {error}", file=sys.stderr)
        return 2
    except StoreError as error:
        print(f"casework: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        checkpoint_before_exit(args.pending_checkpoints)


def checkpoint_before_exit(pending_checkpoints: PendingCheckpoints) -> None:
    """Every command that wrote events signs a checkpoint covering them before it exits."""
    for warning in pending_checkpoints.sign_all():
        print(f"casework: warning: {warning}", file=sys.stderr)
