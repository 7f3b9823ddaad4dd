"""Errors the store raises, each naming its cause in words an operator can act on."""


class StoreError(Exception):
    """Base of the store's errors."""


class MasterKeyError(StoreError):
    """The master key is missing, malformed or does not open this store."""


class TamperedRecord(StoreError):  # noqa: N818 - it names what was found
    """A sealed record failed authentication: altered, truncated, or moved from another row."""


class RecordErased(StoreError):  # noqa: N818
    """The record's data key was destroyed: its content is gone for good."""

    def __init__(self, message: str, scope_id: object, destroyed_at: object) -> None:
        super().__init__(message)
        self.scope_id = scope_id
        self.destroyed_at = destroyed_at


class UnknownKeyScope(StoreError):  # noqa: N818
    """An event was about to be stored without a key scope: a programming error."""


class NoStore(StoreError):  # noqa: N818 - it names what was found
    """There is no casework store where the settings point (none is created by accident)."""


class DamagedStore(StoreError):  # noqa: N818
    """The database file is not a casework store, or it is damaged (truncated, overwritten)."""


class StoreUnreachable(StoreError):  # noqa: N818
    """The database server cannot be reached, or refuses the role or the database named."""


class MissingSchema(StoreError):  # noqa: N818
    """`?schema=name` names a PostgreSQL schema that does not exist (none is created)."""


class ReadOnlyStore(StoreError):  # noqa: N818
    """A command that writes met a read-only database file or directory."""


class StoreFull(StoreError):  # noqa: N818
    """The disk holding the store is full; the write was rolled back."""


class StoreBusy(StoreError):  # noqa: N818
    """Another process held the store's write lock for longer than the lock timeout."""


class OutcomeUnknown(StoreError):  # noqa: N818
    """The connection died while a write was being committed, and the database could not
    be asked again whether the write was stored. `record_id`: the first record the write
    was for (a new record's id too), so the writer knows what to read."""

    def __init__(self, message: str, record_id: object = None) -> None:
        super().__init__(message)
        self.record_id = record_id
