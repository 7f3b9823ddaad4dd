"""External agencies (外部机构) that cases are referred to: legal aid, hospitals, shelters."""

from datetime import datetime
from enum import StrEnum

from casework.aggregates.base import Actor, InvalidValue, Record, RuleBroken, required_text


class AgencyKind(StrEnum):
    LEGAL_AID = "legal_aid"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    SHELTER = "shelter"
    EDUCATION = "education"
    GOVERNMENT = "government"
    SOCIAL_SERVICE = "social_service"
    OTHER = "other"


class AgencyClosed(RuleBroken):
    """The agency no longer takes referrals."""

    rule = "agency_closed"


class Agency(Record):
    name: str
    kind: AgencyKind
    contact: str
    services: list[str]
    closed: bool

    class Registered(Record.Created):
        name: str
        kind: AgencyKind
        contact: str
        services: list[str]

    class DetailsChanged(Record.Event):
        contact: str
        services: list[str]

        def apply(self, agency: "Agency") -> None:
            agency.contact = self.contact
            agency.services = list(self.services)

    class Closed(Record.Event):
        reason: str

        def apply(self, agency: "Agency") -> None:
            agency.closed = True

    def __init__(self, name: str, kind: AgencyKind, contact: str, services: list[str]) -> None:
        self.name = name
        self.kind = kind
        self.contact = contact
        self.services = list(services)
        self.closed = False

    @classmethod
    def register(
        cls,
        by: Actor,
        name: str,
        kind: AgencyKind,
        contact: str,
        services: list[str],
        occurred_at: datetime | None = None,
    ) -> "Agency":
        name = required_text("name", name)
        return cls.start(
            cls.Registered,
            by,
            occurred_at,
            name=name,
            kind=AgencyKind(kind),
            contact=contact,
            services=_services(services),
        )

    def change_details(
        self, by: Actor, contact: str, services: list[str], occurred_at: datetime | None = None
    ) -> None:
        self.record(
            self.DetailsChanged, by, occurred_at, contact=contact, services=_services(services)
        )

    def close(self, by: Actor, reason: str, occurred_at: datetime | None = None) -> None:
        required_text("reason", reason, "say why the agency no longer takes referrals")
        self.record(self.Closed, by, occurred_at, reason=reason)

    def require_open(self) -> None:
        if self.closed:
            raise AgencyClosed(f"{self.name} no longer takes referrals", agency_id=str(self.id))


def _services(services: list[str]) -> list[str]:
    cleaned = [s.strip() for s in services if s.strip()]
    if not cleaned:
        raise InvalidValue("services", "name at least one service the agency offers")
    return cleaned
