"""Shapes every resource shares: constrained text, aware instants, write receipts."""

from uuid import UUID

import msgspec

# Request bodies are commands (ADR 0053): the same base, the same constrained text.
from casework.application.commands.fields import Command as Body
from casework.application.commands.fields import Instant, Narrative, Reason, ShortText

__all__ = ["Body", "Instant", "Narrative", "Reason", "Recorded", "ShortText"]


class Recorded(msgspec.Struct, kw_only=True, frozen=True):
    """What a command answers: the record written, its new version (the next
    If-Match), the record created inside it if any, and the log position to pass as
    `min_position` when reading views."""

    record_id: UUID
    version: int
    position: int
    created_id: UUID | None = None
