"""The register of outside agencies referrals go to."""

from uuid import UUID

import msgspec

from api.schemas.common import shown_as
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
    return shown_as(AgencyView, agency, agency_id=agency.id)
