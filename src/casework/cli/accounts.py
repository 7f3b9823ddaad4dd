"""`casework users …`, `casework login`, `casework logout`: accounts, sign-in and the
session the other commands act in.

Secrets are asked for on a terminal and never echoed. When standard input is not a
terminal (a script), nothing is prompted: the user name comes from `--user-name` or
`CASEWORK_USER_NAME`, the password from `CASEWORK_PASSWORD`, the TOTP code from
`CASEWORK_TOTP_CODE`, a set-password code from `--code` or
`CASEWORK_SET_PASSWORD_CODE`; a missing one is an error that names its variable.
"""

import argparse
import getpass
import os
import socket
import sys
from collections.abc import Callable
from uuid import UUID

from casework.aggregates.base import InvalidValue, Role
from casework.application.accounts import NotSignedIn, OneTimeCode, SignInFailed
from casework.application.principal import AccessPoint
from casework.cli.session import casework_session, signed_in_principal
from casework.cli.session_token import forget_token, read_token, session_file, write_token


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    users = commands.add_parser("users", help="accounts: create, set password, TOTP, unlock")
    sub = users.add_subparsers(dest="users_command", metavar="USERS_COMMAND", required=True)

    create_admin = sub.add_parser(
        "create-admin",
        help="the store's first administrator account (prints a one-time code)",
        description="Create the first account of a store: for a new administrator staff "
        "record (--staff-name; the organisation and its first centre too, if the store has "
        "none) or for an administrator already on staff (--staff-id). Refused once any "
        "account exists. Prints the one-time code for `casework users set-password`.",
    )
    create_admin.add_argument("--user-name", required=True)
    who = create_admin.add_mutually_exclusive_group(required=True)
    who.add_argument("--staff-name", help="the administrator's name (a new staff record)")
    who.add_argument("--staff-id", type=UUID, help="an administrator already on staff")
    create_admin.add_argument("--organisation", default="", help="if the store has none yet")
    create_admin.add_argument("--centre", default="", help="the administrator's centre")
    create_admin.add_argument("--district", default="")
    create_admin.set_defaults(run=run_create_admin)

    add = sub.add_parser(
        "add",
        help="open an account for someone on staff (you: a signed-in administrator)",
        description="Open an account for STAFF_ID with USER_NAME and print the one-time "
        "code to hand them for `casework users set-password`.",
    )
    add.add_argument("--user-name", required=True)
    add.add_argument("--staff-id", type=UUID, required=True)
    add.set_defaults(run=run_add)

    new_code = sub.add_parser(
        "new-code",
        help="a new one-time set-password code (a forgotten password)",
        description="Issue a new set-password code; the old password works until it is used.",
    )
    new_code.add_argument("--user-name", required=True)
    new_code.set_defaults(run=run_new_code)

    set_password = sub.add_parser(
        "set-password",
        help="set your password with the one-time code",
        description="Set the password of USER_NAME with the one-time code an administrator "
        "gave you (at least 12 characters, not containing the user name).",
    )
    set_password.add_argument("--user-name", required=True)
    set_password.add_argument("--code", help="the one-time code (prompted on a terminal)")
    set_password.set_defaults(run=run_set_password)

    enrol = sub.add_parser(
        "enrol-totp",
        help="enrol your authenticator app (once, after setting the password)",
        description="Create the TOTP second factor of USER_NAME and print the otpauth URI "
        "and secret to add to an authenticator app.",
    )
    enrol.add_argument("--user-name")
    enrol.set_defaults(run=run_enrol)

    remove_totp = sub.add_parser(
        "remove-totp",
        help="remove a lost authenticator (the person enrols a new one)",
        description="Remove the TOTP second factor of USER_NAME and end their sessions; "
        "they then enrol a new one with `casework users enrol-totp`.",
    )
    remove_totp.add_argument("--user-name", required=True)
    remove_totp.add_argument("--reason", required=True, help="e.g. 'phone lost'")
    remove_totp.set_defaults(run=run_remove_totp)

    unlock = sub.add_parser(
        "unlock",
        help="lift a lockout after failed sign-ins (an account or a source)",
        description="Unlock an account (--user-name) or a source (--source) before its "
        "lockout runs out. Recorded in the access log.",
    )
    target = unlock.add_mutually_exclusive_group(required=True)
    target.add_argument("--user-name")
    target.add_argument("--source", help="as shown in the access log, e.g. cli:ann@host")
    unlock.add_argument("--reason", default="")
    unlock.set_defaults(run=run_unlock)

    revoke = sub.add_parser(
        "revoke",
        help="end every session of a person (a lost laptop, a suspicion)",
        description="End all open sessions of the person with USER_NAME or STAFF_ID.",
    )
    person = revoke.add_mutually_exclusive_group(required=True)
    person.add_argument("--user-name")
    person.add_argument("--staff-id", type=UUID)
    revoke.add_argument("--reason", default="")
    revoke.set_defaults(run=run_revoke)

    login = commands.add_parser(
        "login",
        help="sign in (password and TOTP) and keep the session for the other commands",
        description="Sign in to act in ROLE, which you must hold today. The session token "
        "is written to a file only you can read (" + str(session_file()) + "); scripts "
        "may pass one in CASEWORK_SESSION_TOKEN instead.",
    )
    login.add_argument("--user-name")
    login.add_argument("--role", type=Role, choices=list(Role), required=True)
    login.add_argument(
        "--purpose",
        default="",
        help="why you read (required for a compliance review; recorded with every read "
        "of the session)",
    )
    login.add_argument(
        "--print-token", action="store_true", help="print the token instead of keeping it"
    )
    login.set_defaults(run=run_login)

    logout = commands.add_parser("logout", help="sign out and forget the session token")
    logout.set_defaults(run=run_logout)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(
    prompt: str,
    variable: str,
    given: str | None,
    read: Callable[[str], str],
    clean: Callable[[str], str] = str,
) -> str:
    """From the option, `read(prompt)` on a terminal, or the variable (`clean`ed)."""
    if given:
        return given
    if _interactive():
        return clean(read(prompt))
    value = clean(os.environ.get(variable, ""))
    if not value:
        raise InvalidValue(variable, "not a terminal, so nothing is prompted: set it")
    return value


def _secret(prompt: str, variable: str, given: str | None = None) -> str:
    """Not echoed on a terminal; taken as typed."""
    return _ask(prompt, variable, given, getpass.getpass)


def _text(prompt: str, variable: str, given: str | None = None) -> str:
    return _ask(prompt, variable, given, input, str.strip)


def _new_password() -> str:
    if not _interactive():
        return _secret("", "CASEWORK_PASSWORD")
    password = getpass.getpass("new password (at least 12 characters): ")
    if getpass.getpass("the same again: ") != password:
        raise InvalidValue("password", "the two passwords differ")
    return password


def source_of_terminal() -> str:
    """Where a command-line sign-in comes from: the operating-system user and host."""
    return f"cli:{getpass.getuser()}@{socket.gethostname()}"


def _print_code(code: OneTimeCode, name: str) -> None:
    print(
        f"account {code.user_name} for {name} ({code.staff_id})\n"
        f"one-time set-password code: {code.code}\n"
        f"valid until {code.expires_at.isoformat(timespec='minutes')}; hand it over in "
        f"person; it is used with: casework users set-password --user-name {code.user_name}"
    )


def run_create_admin(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        code = app.create_first_administrator(
            args.user_name,
            staff_name=args.staff_name or "",
            staff_id=args.staff_id,
            organisation_name=args.organisation,
            centre_name=args.centre,
            district=args.district,
        )
        # The bootstrap: nobody is signed in yet to read the record as.
        _print_code(code, app.get_staff(code.staff_id).name)
    return 0


def run_add(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        by = signed_in_principal(app)
        code = app.open_account(by, args.staff_id, args.user_name)
        _print_code(code, app.read_staff(by, code.staff_id).name)
    return 0


def run_new_code(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        by = signed_in_principal(app)
        code = app.issue_set_password_code(by, args.user_name)
        _print_code(code, app.read_staff(by, code.staff_id).name)
    return 0


def run_set_password(args: argparse.Namespace) -> int:
    code = _secret("one-time code: ", "CASEWORK_SET_PASSWORD_CODE", args.code)
    password = _new_password()
    with casework_session(args.pending_checkpoints) as app:
        app.set_password(
            args.user_name,
            code,
            password,
            source=source_of_terminal(),
            access_point=AccessPoint.CLI,
        )
    print(f"password set for {args.user_name}; next: casework users enrol-totp")
    return 0


def run_enrol(args: argparse.Namespace) -> int:
    user_name = _text("user name: ", "CASEWORK_USER_NAME", args.user_name)
    password = _secret("password: ", "CASEWORK_PASSWORD")
    with casework_session(args.pending_checkpoints) as app:
        issuer = app.get_organisation().name if app.has_organisation() else "casework"
        enrolment = app.enrol_second_factor(
            user_name,
            password,
            issuer=issuer,
            source=source_of_terminal(),
            access_point=AccessPoint.CLI,
        )
    print(
        "add this to your authenticator app (keep it secret; it is shown once):\n"
        f"  {enrolment.uri}\n"
        f"  secret: {enrolment.secret}\n"
        "then: casework login"
    )
    return 0


def run_remove_totp(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        app.remove_second_factor(signed_in_principal(app), args.user_name, args.reason)
    print(f"second factor of {args.user_name} removed; their sessions ended")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        admin = signed_in_principal(app)
        if args.user_name:
            app.unlock_account(admin, args.user_name, args.reason)
            print(f"account {args.user_name} unlocked")
        else:
            app.unlock_source(admin, args.source, args.reason)
            print(f"source {args.source} unlocked")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        admin = signed_in_principal(app)
        staff_id = args.staff_id or app.get_account(args.user_name).staff_id
        ended = app.revoke_sessions(admin, staff_id, args.reason)
        print(f"{ended} session(s) of {app.read_staff(admin, staff_id).name} ended")
    return 0


def run_login(args: argparse.Namespace) -> int:
    if args.role is Role.COMPLIANCE_REVIEWER and not args.purpose.strip():
        # Stated once per review session: every read in it is recorded with it.
        raise InvalidValue(
            "--purpose",
            "a compliance review states its purpose when it signs in, e.g. "
            "--purpose 'annual audit 2026, contract 12'",
        )
    user_name = _text("user name: ", "CASEWORK_USER_NAME", args.user_name)
    password = _secret("password: ", "CASEWORK_PASSWORD")
    with casework_session(args.pending_checkpoints) as app:
        totp_code = None
        if app.second_factor_required(args.role):
            totp_code = _text("code from your authenticator app: ", "CASEWORK_TOTP_CODE")
        try:
            signed_in = app.sign_in(
                user_name,
                password,
                totp_code,
                args.role,
                source_of_terminal(),
                AccessPoint.CLI,
                purpose=args.purpose or "casework",
            )
        except SignInFailed as error:
            wait = f" (wait {error.retry_after} s before trying again)" if error.retry_after else ""
            print(f"casework: {error.rule}: {error}{wait}", file=sys.stderr)
            return 2
        name = app.read_staff(signed_in.principal, signed_in.principal.staff_id).name
    if args.print_token:
        print(signed_in.token)
    else:
        path = write_token(signed_in.token)
        print(f"signed in as {name}, acting as {args.role.value}; session kept in {path}")
    print(
        f"the session ends after {app.settings.session_idle_minutes} min unused, and at "
        f"{signed_in.absolute_expires_at.isoformat(timespec='minutes')} at the latest",
        file=sys.stderr if args.print_token else sys.stdout,
    )
    if signed_in.notice:
        print(f"casework: note: {signed_in.notice}", file=sys.stderr)
    return 0


def run_logout(args: argparse.Namespace) -> int:
    if read_token() is None:
        print("nobody is signed in here")
        return 0
    with casework_session(args.pending_checkpoints) as app:
        try:
            app.sign_out(signed_in_principal(app))
            print("signed out")
        except NotSignedIn:  # ended or expired: the token is forgotten all the same
            print("the session had already ended")
    forget_token()
    return 0
