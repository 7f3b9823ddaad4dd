"""Errors of the service layer (the domain's own refusals are `RuleBroken`)."""

from uuid import UUID

from casework.aggregates.base import RuleBroken


class Conflict(RuleBroken):
    """Someone else wrote the same record first: reload and try again (HTTP 409)."""

    rule = "concurrent_update"
    status = 409


class NotFound(RuleBroken):
    rule = "not_found"
    status = 404

    def __init__(self, what: str, record_id: UUID) -> None:
        super().__init__(f"no {what} {record_id}", record_id=str(record_id))
