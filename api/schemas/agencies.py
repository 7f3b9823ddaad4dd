"""The register of outside agencies referrals go to."""

from typing import Annotated
from uuid import UUID

import msgspec

from api.schemas.common import Body, Instant, Reason, ShortText
from casework.aggregates.agency import Agency, AgencyKind

Services = Annotated[list[ShortText], msgspec.Meta(min_length=1, max_length=50)]


class AgencyView(msgspec.Struct, kw_only=True, frozen=True):
    """ETag is its version."""

    agency_id: UUID
    version: int
    name: str
    kind: AgencyKind
    contact: str
    services: list[str]
    closed: bool


def agency_view(agency: Agency) -> AgencyView:
    return AgencyView(
        agency_id=agency.id,
        version=agency.version,
        name=agency.name,
        kind=agency.kind,
        contact=agency.contact,
        services=list(agency.services),
        closed=agency.closed,
    )


class NewAgencyBody(Body):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: AgencyKind
    contact: ShortText
    services: Services
    occurred_at: Instant | None = None


class AgencyDetailsBody(Body):
    contact: ShortText
    services: Services
    occurred_at: Instant | None = None


class AgencyClosureBody(Body):
    reason: Reason
    occurred_at: Instant | None = None
