"""`casework doctor`: check a deployment, one line per check (OK, WARN or FAILED and
the fix); exits 1 when anything FAILED. Shows no case content."""

import argparse

from casework.application.deployment_checks import Outcome, check_deployment
from casework.settings import Settings


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    doctor = commands.add_parser(
        "doctor",
        help="check this deployment: store, keys, views, checkpoints, witnesses, clock",
        description="Check the deployment named by the environment, one line per check: the "
        "store reachable; the master key present and the one the store is sealed under; the "
        "ledger signing key readable by its owner only, matching its public key and the "
        "latest checkpoint, and not kept beside the database; the views healthy (lag, "
        "generation); the latest checkpoint fresh; each configured witness reachable; the "
        "clock agreeing with the database server's (PostgreSQL) and not behind the latest "
        "checkpoint. Each line says OK, WARN or FAILED and, unless OK, the fix. Exits 1 if "
        "anything FAILED, else 0. Reads no case content and writes no events.",
    )
    doctor.set_defaults(run=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    findings = check_deployment(Settings.from_env())
    width = max(len(f.check) for f in findings)
    for f in findings:
        fix = f" — fix: {f.fix}" if f.fix and f.outcome is not Outcome.OK else ""
        print(f"{f.outcome.value:<6} {f.check:<{width}}  {f.said}{fix}")
    return 1 if any(f.outcome is Outcome.FAILED for f in findings) else 0
