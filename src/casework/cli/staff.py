"""`casework staff`: who works at the organisation (ids for the other commands), handing
a case over, and marking someone as left once their cases are handed over. Each acts
as the account signed in with `casework login`."""

import argparse
from datetime import date
from uuid import UUID

from casework.aggregates.staff import Staff
from casework.application.commands.cases import HandOverCase
from casework.application.commands.organisation import RecordLeaving
from casework.cli.command_options import add_options, command_from
from casework.cli.session import casework_session, signed_in_principal


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    staff = commands.add_parser("staff", help="staff list, case hand-over, staff leaving")
    sub = staff.add_subparsers(dest="staff_command", metavar="STAFF_COMMAND", required=True)

    listing = sub.add_parser(
        "list",
        help="everyone on staff, with their ids, roles and supervisors",
        description="List the organisation's staff: id, name, roles, disciplines, "
        "department; and, for the staff records you may read (your own, those you "
        "oversee; an administrator or director: everyone's), who supervises them today, "
        "how many cases they lead, and when they left. No case content is shown. Acts as "
        "the account signed in with `casework login`.",
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
    add_options(leave, RecordLeaving)
    leave.set_defaults(run=run_leave)


def run_list(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        by = signed_in_principal(app)
        departments = {d.department_id: d.name for d in app.read_organisation(by).departments}
        directory = app.staff_directory(by)
        names = {c.staff_id: c.name for c in directory}
        # Lead cases and supervisors are the staff record's: shown where you may read it.
        records = {s.id: s for s in app.read_staff_list(by)}
        today = date.today()
        for person in directory:
            if not person.active and not args.left:
                continue
            record = records.get(person.staff_id)
            print(
                f"{person.staff_id}  {person.name}\n"
                f"    {', '.join(r.value for r in person.roles)}; "
                f"{', '.join(d.value for d in person.disciplines)}; "
                f"{departments.get(person.department_id, 'no department')}"
                f"{'; external' if person.external else ''}"
                f"{_record_line(record, names, today) if record else ''}"
                f"{'; left' if not person.active and record is None else ''}"
            )
    return 0


def _record_line(record: Staff, names: dict[UUID, str], today: date) -> str:
    supervisors = ", ".join(names.get(i, str(i)) for i in record.supervisors_on(today))
    return (
        f"; leads {len(record.lead_case_ids)} case(s)"
        f"{'; supervised by ' + supervisors if supervisors else ''}"
        f"{'; left ' + record.left_on.isoformat() if record.left_on else ''}"
    )


def run_hand_over(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        command = command_from(args, HandOverCase)
        by = signed_in_principal(app)
        app.hand_over_case(by, args.case, command)
        names = {c.staff_id: c.name for c in app.staff_directory(by)}
        print(
            f"case {args.case} is now led by {names.get(command.to_staff_id, command.to_staff_id)}"
        )
    return 0


def run_leave(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        by = signed_in_principal(app)
        command = command_from(args, RecordLeaving)
        app.staff_leaves(by, args.staff, command)
        print(f"{app.read_staff(by, args.staff).name} left on {command.on.isoformat()}")
    return 0
