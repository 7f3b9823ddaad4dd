"""What every command shares: the store opened from the environment for the length of
the command (its writes owed a checkpoint at exit), and who is acting: the account
signed in with `casework login` (or `CASEWORK_SESSION_TOKEN`), never an option."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

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


def signed_in_principal(app: Casework, access_point: AccessPoint = AccessPoint.CLI) -> Principal:
    """Who signed in with `casework login` (or `CASEWORK_SESSION_TOKEN`); refused when
    nobody did or the session has ended or expired."""
    token = read_token()
    if token is None:
        raise NotSignedIn("nobody is signed in here; sign in first: casework login")
    return app.authenticate(token, access_point)
