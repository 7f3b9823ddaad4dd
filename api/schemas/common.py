"""Shapes every resource shares: constrained text, aware instants, write receipts."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

# Free text a person writes (a note's narrative, an assessment's summary).
Narrative = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
# A short reason or title.
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2_000)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
# An instant with its time-zone offset ("2026-03-01T09:00:00+08:00").
Instant = Annotated[datetime, msgspec.Meta(tz=True)]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """Base of request bodies: a field the server does not know is refused."""


class Recorded(msgspec.Struct, kw_only=True, frozen=True):
    """What a command answers: the record written, its new version (the next
    If-Match), the record created inside it if any, and the log position to pass as
    `min_position` when reading views."""

    record_id: UUID
    version: int
    position: int
    created_id: UUID | None = None
