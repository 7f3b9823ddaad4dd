"""What every command shares: the store opened from the environment for the length of
the command (its writes owed a checkpoint at exit), and who is acting (`--by`,
`--role`)."""

import argparse
import getpass
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from uuid import NAMESPACE_URL, UUID, uuid5

from casework.aggregates.base import Actor, Role
from casework.application import Casework
from casework.application.accounts import NotSignedIn
from casework.application.checkpoints import PendingCheckpoints
from casework.application.principal import AccessPoint, Principal
from casework.cli.session_token import read_token
from casework.settings import Settings
from casework.store.database import Database
from casework.store.failures import store_error_from
from casework.store.opening import require_store


@contextmanager
def casework_session(
    pending_checkpoints: PendingCheckpoints,
    settings: Settings | None = None,
    *,
    read_only: bool = False,
    create: bool = False,
) -> Iterator[Casework]:
    """Casework on the store named by the environment (or `settings`), closed afterwards.
    What it writes is noted in the command's `pending_checkpoints` (signed at exit).

    The store must be there (`require_store`: none is created by accident), and the
    drivers' errors inside the command become `StoreError`s naming the cause and the
    fix. `read_only`: a command that only reads opens an SQLite file it may not write
    read-only, so that a read-only copy can be checked;
    `create` makes the store if there is none (`casework demo` only)."""
    settings = settings or Settings.from_env()
    if read_only and not Database.from_url(settings.database_url).writable():
        url = Database.from_url(settings.database_url).read_only_url()
        settings = replace(settings, database_url=url)
    database = require_store(settings, missing_ok=create)
    app = Casework(settings, pending_checkpoints=pending_checkpoints)
    try:
        yield app
    except Exception as error:
        translated = store_error_from(error, database)
        if translated is None or translated is error:
            raise
        raise translated from error
    finally:
        app.close()


def add_acting_options(
    parser: argparse.ArgumentParser,
    default: Role,
    roles: Sequence[Role] = tuple(Role),
    *,
    operator_by_default: bool = False,
) -> None:
    """`--by` (your staff id) and `--role` (the role you act in, one of `roles`).
    With `operator_by_default`, `--by` may be left out (see `operator_actor`)."""
    if operator_by_default:
        parser.add_argument(
            "--by",
            type=UUID,
            metavar="STAFF_ID",
            help="your staff id (default: an id derived from your operating-system user)",
        )
    else:
        parser.add_argument("--by", type=UUID, required=True, help="your staff id")
    parser.add_argument(
        "--role",
        type=Role,
        default=default,
        choices=list(roles),
        help=f"the role you act in (default {default.value})",
    )


def acting_actor(app: Casework, args: argparse.Namespace) -> Actor:
    """The person at the keyboard, refused if they do not hold the role or have left."""
    actor = Actor(args.by, args.role)
    app.actor_context(actor)
    return actor


def operator_actor(args: argparse.Namespace) -> Actor:
    """The person at the keyboard for the reviewer's and administrator's commands:
    `--by`, or an id derived from the operating-system user. Not checked against the
    staff records (an operator need not be on staff); the service checks the role."""
    staff_id = args.by or uuid5(NAMESPACE_URL, f"casework:operator:{getpass.getuser()}")
    return Actor(staff_id, args.role)


def signed_in_principal(app: Casework, access_point: AccessPoint = AccessPoint.CLI) -> Principal:
    """Who signed in with `casework login` (or `CASEWORK_SESSION_TOKEN`); refused when
    nobody did or the session has ended or expired."""
    token = read_token()
    if token is None:
        raise NotSignedIn("nobody is signed in here: casework login")
    return app.authenticate(token, access_point)
