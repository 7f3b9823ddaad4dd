"""`casework staff`: who works at the organisation (ids for the other commands), handing
a case over, and marking someone as left once their cases are handed over. Hand-over
and leaving act as the account signed in with `casework login`."""

import argparse
from datetime import date
from uuid import UUID

from casework.application.commands.cases import HandOverCase
from casework.cli.command_options import add_options, command_from
from casework.cli.session import casework_session, signed_in_principal


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    staff = commands.add_parser("staff", help="staff list, case hand-over, staff leaving")
    sub = staff.add_subparsers(dest="staff_command", metavar="STAFF_COMMAND", required=True)

    listing = sub.add_parser(
        "list",
        help="everyone on staff, with their ids, roles and supervisors",
        description="List the organisation's staff: id, name, roles, disciplines, "
        "department, who supervises them today, how many cases they lead, and whether "
        "they have left. No case content is shown.",
    )
    listing.add_argument("--left", action="store_true", help="include people who have left")
    listing.set_defaults(run=run_list)

    hand_over = sub.add_parser(
        "hand-over",
        help="hand a case over to another caseworker",
        description="Make --to-staff-id the lead caseworker of CASE (the case and both people's "
        "records change in one transaction). Only the case's lead caseworker or a "
        "department head may hand it over; you act as the account you signed in with.",
    )
    hand_over.add_argument("case", type=UUID, metavar="CASE", help="the case id")
    add_options(hand_over, HandOverCase)
    hand_over.set_defaults(run=run_hand_over)

    leave = sub.add_parser(
        "leave",
        help="mark someone as left (refused while they lead open cases)",
        description="Record that STAFF left on --on. Refused, listing the cases, while "
        "they still lead a case that is not closed: hand those over first.",
    )
    leave.add_argument("staff", type=UUID, metavar="STAFF", help="the leaver's staff id")
    leave.add_argument("--on", type=date.fromisoformat, required=True, help="last day")
    leave.set_defaults(run=run_leave)


def run_list(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        organisation = app.get_organisation()
        departments = {d.department_id: d.name for d in organisation.departments}
        names = {s.id: s.name for s in app.list_staff()}
        today = date.today()
        for person in app.list_staff():
            if not person.active and not args.left:
                continue
            supervisors = ", ".join(names.get(i, str(i)) for i in person.supervisors_on(today))
            print(
                f"{person.id}  {person.name}\n"
                f"    {', '.join(r.value for r in person.roles)}; "
                f"{', '.join(d.value for d in person.disciplines)}; "
                f"{departments.get(person.department_id, 'no department')}"
                f"{'; external' if person.external else ''}"
                f"; leads {len(person.lead_case_ids)} case(s)"
                f"{'; supervised by ' + supervisors if supervisors else ''}"
                f"{'; left ' + person.left_on.isoformat() if person.left_on else ''}"
            )
    return 0


def run_hand_over(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        command = command_from(args, HandOverCase)
        app.hand_over_case(signed_in_principal(app), args.case, command)
        print(f"case {args.case} is now led by {app.get_staff(command.to_staff_id).name}")
    return 0


def run_leave(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        app.staff_leaves(args.staff, signed_in_principal(app), args.on)
        print(f"{app.get_staff(args.staff).name} left on {args.on.isoformat()}")
    return 0
