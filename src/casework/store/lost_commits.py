"""A write whose connection died as it committed: PostgreSQL may have stored it while
the server never heard so.

The recorder retries such a write on a fresh connection (`connection_retries`). If the
first attempt had in fact committed, the retry meets its own events at their
(originator id, version) and fails with `IntegrityError`, which the service layer
would tell the client as somebody else's conflict (409/412) over a write that is in
the store. So after an attempt that got as far as its commit, a conflict is checked:
when the events stored at those versions are byte for byte the ones this write sealed
(each seal has a fresh nonce, so no other write produces the same bytes), the write
is done and answered with their positions. When the retries run out before the
database answers, `OutcomeUnknown` says the write may or may not have been stored.

SQLite needs none of this: it commits in this process, and a commit that fails is
rolled back (nothing is retried).
"""

import logging
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from casework.store.errors import OutcomeUnknown

logger = logging.getLogger("casework.store")

UNKNOWN = (
    "the connection to the database was lost while this write was being committed, and "
    "the database could not be asked again whether it was stored: read the record to "
    "see whether the change is there before making it again (an update sent again with "
    "the same If-Match is refused if it was stored)"
)


class OwnWriteFound:
    """For the PostgreSQL events recorder, before the library's class in the MRO."""

    datastore: PostgresDatastore
    events_table_name: str

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        committing: list[None] = []  # one entry per attempt that reached its commit
        try:
            return super().insert_events(stored_events, committing=committing, **kwargs)  # type: ignore[misc]
        except IntegrityError:
            if not committing:
                raise  # refused before any attempt could have stored it: a real conflict
            ids = self._positions_if_stored(stored_events)
            if ids is None:
                raise
            logger.warning(
                "a write whose connection was lost as it committed was found stored; "
                "answered as done (%d event(s))",
                len(ids),
            )
            return ids
        except (InterfaceError, OperationalError) as error:
            if committing:
                raise OutcomeUnknown(UNKNOWN, stored_events[0].originator_id) from error
            raise

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Any:
        # Called once the inserts ran, just before the commit: from here on a lost
        # connection leaves the outcome open.
        committing: list[None] | None = kwargs.pop("committing", None)
        if committing is not None:
            committing.append(None)
        return super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)  # type: ignore[misc]

    def _positions_if_stored(self, stored_events: Sequence[StoredEvent]) -> list[int] | None:
        """The notification ids of these very events if they are stored, else None."""
        query = SQL(
            "SELECT notification_id, topic, state FROM {schema}.{table} "
            "WHERE originator_id = %s AND originator_version = %s"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        ids = []
        try:
            with self.datastore.get_connection() as conn:
                for event in stored_events:
                    row = conn.execute(
                        query, (event.originator_id, event.originator_version)
                    ).fetchone()
                    if row is None or (row["topic"], bytes(row["state"])) != (
                        event.topic,
                        event.state,
                    ):
                        return None
                    ids.append(row["notification_id"])
        except (InterfaceError, OperationalError) as error:
            raise OutcomeUnknown(UNKNOWN, stored_events[0].originator_id) from error
        return ids
