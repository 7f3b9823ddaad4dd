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
