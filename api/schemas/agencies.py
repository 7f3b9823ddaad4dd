"""The register of outside agencies referrals go to."""

from uuid import UUID

import msgspec

from casework.aggregates.agency import Agency, AgencyKind


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
