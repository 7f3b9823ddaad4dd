"""`casework case COMMAND CASE …`: the commands on a case whose fields are all plain
values (a note, an addendum, the risk, consent, a plan review, the team, reopening,
breaking the glass). Each sub-command's options are its command's fields
(`command_options`), checked as the API checks them; the service layer decides, as
the account signed in with `casework login`. Commands with rows (intake, an
assessment, a plan version, a closure) are for the pages and the API."""

import argparse
from collections.abc import Callable
from typing import Any
from uuid import UUID

from casework.application.commands import Command
from casework.application.commands.cases import (
    AddAddendum,
    AddTeamMember,
    BreakTheGlass,
    RecordConsent,
    RecordNote,
    RemoveTeamMember,
    ReopenCase,
    RerateRisk,
    ReviewPlan,
)
from casework.cli.command_options import add_options, command_from
from casework.cli.session import casework_session, signed_in_principal

# sub-command: (its command, the service method, its help, what the answer's id is)
CASE_COMMANDS: dict[str, tuple[type[Command], str, str, str]] = {
    "note": (RecordNote, "record_note", "record a case note", "note"),
    "addendum": (AddAddendum, "add_addendum", "correct a note or an assessment", "addendum"),
    "risk": (RerateRisk, "rerate_risk", "re-rate the case's risk, saying why", ""),
    "consent": (RecordConsent, "record_consent", "record consent given or withdrawn", ""),
    "plan-review": (ReviewPlan, "review_plan", "review the active plan", "plan review"),
    "team-add": (AddTeamMember, "add_team_member", "add someone to the case team", ""),
    "team-remove": (RemoveTeamMember, "remove_team_member", "take someone off the team", ""),
    "reopen": (ReopenCase, "reopen_case", "reopen a closed case", ""),
    "break-the-glass": (
        BreakTheGlass,
        "break_the_glass",
        "emergency access for a few hours, flagged to your supervisors and the directors",
        "emergency access grant",
    ),
}


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    case = commands.add_parser("case", help="commands on a case: note, addendum, risk, …")
    sub = case.add_subparsers(dest="case_command", metavar="CASE_COMMAND", required=True)
    for name, (command, _, help_text, _) in CASE_COMMANDS.items():
        parser = sub.add_parser(
            name,
            help=help_text,
            description=f"{help_text[0].upper()}{help_text[1:]}, as the account you "
            "signed in with.",
        )
        parser.add_argument("case", type=UUID, metavar="CASE", help="the case id")
        add_options(parser, command)
        parser.set_defaults(run=run_case_command)


def run_case_command(args: argparse.Namespace) -> int:
    command, method, _, answer = CASE_COMMANDS[args.case_command]
    given = command_from(args, command)
    with casework_session(args.pending_checkpoints) as app:
        service: Callable[..., Any] = getattr(app, method)
        created = service(signed_in_principal(app), args.case, given)
        print(f"recorded on case {args.case}" + (f": {answer} {created}" if answer else ""))
    return 0
