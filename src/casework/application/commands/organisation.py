"""Organisation commands: centres, departments, staff joining, their roles and
department, who supervises them, and their leaving. The staff member changed (the
supervisee, the leaver) is where the command is sent (their id), not a field."""

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from casework.aggregates.base import Role
from casework.aggregates.discipline import Discipline
from casework.application.commands.fields import Command, Name, OccurredAt, ShortText

Roles = Annotated[list[Role], msgspec.Meta(min_length=1, max_length=7)]


class AddCentre(Command):
    """A centre of the organisation (administrators)."""

    name: Name
    district: ShortText = ""
    occurred_at: OccurredAt = None


class AddDepartment(Command):
    """A department of a centre (administrators, the centre's director)."""

    centre_id: UUID
    name: Name
    occurred_at: OccurredAt = None


class AddStaff(Command):
    """Someone joins a centre's staff (a centre's director gives all roles but those
    only administrators give)."""

    name: Name
    centre_id: UUID
    roles: Roles
    department_id: Annotated[
        UUID | None, msgspec.Meta(description="their department in that centre, if any")
    ] = None
    disciplines: Annotated[list[Discipline], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    external: Annotated[
        bool, msgspec.Meta(description="from outside the organisation (an external supervisor)")
    ] = False
    occurred_at: OccurredAt = None


class ChangeRoles(Command):
    """The roles the person addressed holds from now (their sessions end)."""

    roles: Roles
    occurred_at: OccurredAt = None


class MoveStaff(Command):
    """The person addressed moves to another department (null: none)."""

    department_id: UUID | None
    occurred_at: OccurredAt = None


class AssignSupervisor(Command):
    """A supervisor for the person addressed, from a day (both records note it)."""

    supervisor_id: UUID
    starts_on: date
    ends_on: date | None = None
    occurred_at: OccurredAt = None


class RecordLeaving(Command):
    """The person addressed left (refused while they lead cases not yet closed)."""

    on: Annotated[date, msgspec.Meta(description="their last day")]
    occurred_at: OccurredAt = None
