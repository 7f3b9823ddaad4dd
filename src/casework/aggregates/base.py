"""What every record in casework shares: who did it, when it happened, when it was recorded."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SPECIALIST = "specialist"
    DEPARTMENT_HEAD = "department_head"
    SUPERVISOR = "supervisor"
    CENTRE_DIRECTOR = "centre_director"
    COMPLIANCE_REVIEWER = "compliance_reviewer"
    ADMINISTRATOR = "administrator"


class Actor:
    """The person doing something, in the role they are acting in."""

    __slots__ = ("role", "staff_id")

    def __init__(self, staff_id: UUID, role: Role) -> None:
        self.staff_id = staff_id
        self.role = Role(role)

    def __repr__(self) -> str:
        return f"Actor({self.staff_id}, {self.role.value})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Actor) and other.staff_id == self.staff_id and other.role == self.role
        )

    def __hash__(self) -> int:
        return hash((self.staff_id, self.role))


class RuleBroken(Exception):  # noqa: N818 - a domain refusal, not a crash
    """A command was refused because it would break a rule of the domain.

    `rule` is a short stable name (for API error bodies and tests);
    the message says what was wrong in the users' words.
    """

    rule: ClassVar[str] = "rule"
    status: ClassVar[int] = 422

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidValue(RuleBroken):
    """A field's value breaks its rule (names the field)."""

    rule = "invalid_value"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field = field


def required_text(field: str, value: str, message: str = "must not be empty") -> str:
    """The text without surrounding white space, refused when nothing is left."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, message)
    return value.strip()


def aware(value: datetime, field: str = "occurred_at") -> datetime:
    """Times in casework are instants: refuse a naive datetime rather than guess its zone."""
    if not isinstance(value, datetime):
        raise InvalidValue(field, "must be a date and time")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidValue(field, "must include a time-zone offset, e.g. 2026-03-01T09:00:00+08:00")
    return value


def now() -> datetime:
    return datetime.now(tz=UTC)


class Record(Aggregate):
    """Base of every casework aggregate.

    Every event records the actor (staff id and the role they acted in),
    `occurred_at` (when it happened in the world, given by the user, may be in the past)
    and `recorded_at` (when casework stored it; the library's own timestamp).
    """

    class Event(Aggregate.Event):
        actor_id: UUID
        actor_role: Role
        occurred_at: datetime

        @property
        def recorded_at(self) -> datetime:
            return self.timestamp

    class Created(Event, Aggregate.Created):
        pass

    def case_id_for_keys(self) -> UUID | None:
        """The case whose content this record is (its events are sealed under that
        case's key and destroyed with it); None for organisation records."""
        return None

    def record(
        self,
        event_class: type["Record.Event"],
        by: Actor,
        occurred_at: datetime | None = None,
        **fields: Any,
    ) -> None:
        """Trigger an event stamped with who did it and when it happened."""
        self.trigger_event(
            event_class,
            actor_id=by.staff_id,
            actor_role=by.role,
            occurred_at=aware(occurred_at) if occurred_at is not None else now(),
            **fields,
        )

    @classmethod
    def start(
        cls,
        event_class: type["Record.Created"],
        by: Actor,
        occurred_at: datetime | None = None,
        **fields: Any,
    ) -> Any:
        """Create a new record with its first event stamped like every other."""
        return cls._create(
            event_class,
            actor_id=by.staff_id,
            actor_role=by.role,
            occurred_at=aware(occurred_at) if occurred_at is not None else now(),
            **fields,
        )
