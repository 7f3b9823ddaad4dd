"""What every command shares: its base (unknown fields refused), constrained text,
aware instants, and `command_of`, which checks values from outside (the CLI's
options, a form) against a command's declared limits as the API's decoder does."""

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec

from casework.aggregates.base import InvalidValue

# Free text a person writes (a note's narrative, an assessment's summary).
Narrative = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
# A short reason or title.
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2_000)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=2_000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Ids = Annotated[list[UUID], msgspec.Meta(max_length=100)]
# An instant with its time-zone offset ("2026-03-01T09:00:00+08:00").
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
OccurredAt = Annotated[
    Instant | None,
    msgspec.Meta(description="when it happened, if not now (with its time-zone offset)"),
]


class Command(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """Base of every command: a field the service does not know is refused."""


C = TypeVar("C", bound=Command)


def command_of(command: type[C], values: Mapping[str, Any]) -> C:
    """`command` from plain values (text is read as the field's type), each checked
    against the field's limits; a broken one is `InvalidValue` naming the field."""
    try:
        return msgspec.convert(dict(values), command, strict=False)
    except msgspec.ValidationError as error:
        message, _, where = str(error).partition(" - at `$.")
        field = where.rstrip("`").split(".")[0].split("[")[0] or command.__name__
        raise InvalidValue(field, message) from None
