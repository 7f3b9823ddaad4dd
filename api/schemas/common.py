"""Shapes every resource shares: constrained text, aware instants, write receipts, and
how a view shows a record."""

from typing import Any, TypeVar
from uuid import UUID

import msgspec

# Request bodies are commands (ADR 0053): the same base, the same constrained text.
from casework.application.commands.fields import Command as Body
from casework.application.commands.fields import Instant, Narrative, Reason, ShortText

__all__ = ["Body", "Instant", "Narrative", "Reason", "Recorded", "ShortText", "shown_as"]

V = TypeVar("V", bound=msgspec.Struct)


class Recorded(msgspec.Struct, kw_only=True, frozen=True):
    """What a command answers: the record written, its new version (the next
    If-Match), the record created inside it if any, and the log position to pass as
    `min_position` when reading views."""

    record_id: UUID
    version: int
    position: int
    created_id: UUID | None = None


def shown_as(view: type[V], source: object, **given: Any) -> V:
    """`view` of a record (or a value the service returns): each field is the source's
    attribute of the same name (a list copied), unless `given`: what the view names
    otherwise (a record's id, as `<kind>_id`) or works out."""
    return view(
        **{
            name: given[name] if name in given else _copied(getattr(source, name))
            for name in view.__struct_fields__
        }
    )


def _copied(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value
