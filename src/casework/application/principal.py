"""Who is asking: the signed-in person, the role they act in, and how they reached us.

Adapters (the CLI, the HTTP API, the pages) only establish the principal, from a
session token; the service layer decides what the principal may see or do, and
records every access under the principal's session, access point and purpose.
"""

import time
from enum import StrEnum
from uuid import UUID

from casework.access import ActorContext
from casework.aggregates.base import Actor, Role

# The purpose recorded for ordinary casework reads; a compliance reviewer states theirs.
CASEWORK_PURPOSE = "casework"
# How long who-someone-is, as their session's check found it, stands for the request
# that check was for: long enough for one request, short enough that a role taken
# away is seen by the next.
KNOWN_FOR_SECONDS = 1.0


class AccessPoint(StrEnum):
    API = "api"
    PAGE = "page"
    CLI = "cli"
    # In-process callers: the demo builder, tests, maintenance jobs.
    SERVICE = "service"


class Principal(Actor):
    """An actor established by sign-in (or an in-process caller, with no session)."""

    __slots__ = ("_known", "access_point", "purpose", "session_id")

    def __init__(
        self,
        staff_id: UUID,
        role: Role,
        *,
        session_id: UUID | None = None,
        access_point: AccessPoint = AccessPoint.SERVICE,
        purpose: str = CASEWORK_PURPOSE,
        known_as: ActorContext | None = None,
    ) -> None:
        super().__init__(staff_id, role)
        self.session_id = session_id
        self.access_point = AccessPoint(access_point)
        self.purpose = purpose.strip() or CASEWORK_PURPOSE
        self._known = (time.monotonic(), known_as) if known_as is not None else None

    def known_as(self) -> ActorContext | None:
        """Who the organisation said this person is when their session was checked
        (`known_as`), if that was within `KNOWN_FOR_SECONDS`: the request's service-layer
        call need not load the staff record the check loaded a moment before. None
        otherwise, and the service layer asks the organisation again."""
        if self._known is None:
            return None
        at, context = self._known
        return context if time.monotonic() - at < KNOWN_FOR_SECONDS else None

    def __repr__(self) -> str:
        return (
            f"Principal({self.staff_id}, {self.role.value}, {self.access_point.value}, "
            f"session={self.session_id})"
        )

    def for_purpose(self, purpose: str) -> "Principal":
        """The same person in the same session, reading for a stated purpose (a
        compliance review states it once per review session)."""
        principal = Principal(
            self.staff_id,
            self.role,
            session_id=self.session_id,
            access_point=self.access_point,
            purpose=purpose,
        )
        principal._known = self._known
        return principal


def principal_of(actor: Actor) -> Principal:
    """Any actor as a principal: an in-process caller has no session."""
    return actor if isinstance(actor, Principal) else Principal(actor.staff_id, actor.role)
