"""A streaming read replica of a PostgreSQL store (CASEWORK_READ_REPLICA_URL): the views
are read there, everything else (events, the access log, the views' runners) stays on
the primary. The replica replays the primary's WAL, view tables and their positions
together, so a read that needs position P waits on the replica until the replica's
copy of the view has reached P (`Projections.wait_for`): a client still reads its own
writes, a moment later.

The URL names the same database and schema on the standby (`?schema=` as the primary's).
"""

from typing import TYPE_CHECKING

from casework.store.database import Database
from casework.store.errors import StoreError

if TYPE_CHECKING:  # settings reads the master key through the store package
    from casework.settings import Settings


class ReplicaMisconfigured(StoreError):  # noqa: N818 - it names what was found
    """CASEWORK_READ_REPLICA_URL names no replica this store can read its views from."""


def replica_of(settings: "Settings", primary: Database) -> Database | None:
    """The replica the views are read from, or None when none is configured."""
    url = settings.read_replica_url
    if not url:
        return None
    replica = Database.from_url(url)
    if primary.backend != "postgres" or replica.backend != "postgres":
        raise ReplicaMisconfigured(
            "CASEWORK_READ_REPLICA_URL: a read replica is a PostgreSQL standby of a "
            "PostgreSQL store; unset it for an SQLite store"
        )
    if (replica.dbname, replica.schema) != (primary.dbname, primary.schema):
        raise ReplicaMisconfigured(
            f"CASEWORK_READ_REPLICA_URL names database {replica.dbname!r} schema "
            f"{replica.schema!r}; the store is database {primary.dbname!r} schema "
            f"{primary.schema!r}: a replica holds the same ones"
        )
    return replica
