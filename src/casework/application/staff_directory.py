"""The staff directory: who is on staff by name, role, discipline and place, kept between
reads and built again only once a staff or organisation record has changed.

Every form that picks a colleague shows the directory, and building it loads (and
decrypts) every staff record. The notification log's clear topics say whether any
staff or organisation event was stored since the directory was built, in one query
from that position and without decrypting anything; each process keeps its own copy
and asks the store, so a change made by another worker is seen on the next read.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from casework.aggregates.base import Record, Role
from casework.aggregates.discipline import Discipline
from casework.aggregates.organisation import Organisation
from casework.aggregates.staff import Staff


class Colleague(msgspec.Struct, kw_only=True, frozen=True):
    """A line of the staff directory: who someone is and where they work."""

    staff_id: UUID
    name: str
    roles: list[Role]
    disciplines: list[Discipline]
    centre_id: UUID
    department_id: UUID | None
    external: bool
    active: bool

    @classmethod
    def of(cls, staff: Staff) -> "Colleague":
        return cls(
            staff_id=staff.id,
            name=staff.name,
            roles=list(staff.roles),
            disciplines=list(staff.disciplines),
            centre_id=staff.centre_id,
            department_id=staff.department_id,
            external=staff.external,
            active=staff.active,
        )


def _event_topics(*records: type[Record]) -> list[str]:
    return [
        get_topic(event)
        for record in records
        for event in vars(record).values()
        if isinstance(event, type) and issubclass(event, Record.Event)
    ]


# Staff joining, changing role, department or supervision, leaving; the organisation
# enrolling them (a staff record's case leads change it too: rebuilt then, rarely).
_DIRECTORY_TOPICS = _event_topics(Staff, Organisation)


class KeptDirectory:
    """The directory as last built and the log position it was current at."""

    def __init__(self) -> None:
        self._kept: tuple[int, list[Colleague]] | None = None

    def colleagues(self, recorder: Any, build: Callable[[], list[Colleague]]) -> list[Colleague]:
        position = recorder.max_notification_id() or 0
        kept = self._kept
        if kept is None or self._changed_since(recorder, kept[0]):
            kept = (position, build())  # a change stored meanwhile is seen next time
        else:
            kept = (position, kept[1])
        self._kept = kept
        return list(kept[1])

    @staticmethod
    def _changed_since(recorder: Any, position: int) -> bool:
        return bool(
            recorder.select_notifications(
                start=position, limit=1, topics=_DIRECTORY_TOPICS, inclusive_of_start=False
            )
        )
