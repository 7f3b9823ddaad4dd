"""Agency register commands: registering an outside agency, changing its contact and
services, closing it. The agency changed or closed is where the command is sent (its
id), not a field."""

from typing import Annotated

import msgspec

from casework.aggregates.agency import AgencyKind
from casework.application.commands.fields import Command, Name, OccurredAt, Reason, ShortText

Services = Annotated[
    list[ShortText],
    msgspec.Meta(min_length=1, max_length=50, description="the services the agency offers"),
]
Contact = Annotated[ShortText, msgspec.Meta(description="how to reach the agency")]


class RegisterAgency(Command):
    """An outside agency referrals may go to."""

    name: Name
    kind: AgencyKind
    contact: Contact
    services: Services
    occurred_at: OccurredAt = None


class ChangeAgencyDetails(Command):
    """The agency addressed has a new contact or offers other services."""

    contact: Contact
    services: Services
    occurred_at: OccurredAt = None


class CloseAgency(Command):
    """The agency addressed takes no more referrals."""

    reason: Reason
    occurred_at: OccurredAt = None
