"""A record type for store tests: every kind of field the mapper must round-trip."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from casework.aggregates.base import Record


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


class Dossier(Record):
    title: str
    due: date | None
    colour: Colour | None
    seen_at: datetime | None
    tags: list[str]
    related: list[UUID]

    class Opened(Record.Created):
        title: str

    class Marked(Record.Event):
        due: date
        colour: Colour
        seen_at: datetime
        tags: tuple[str, ...]
        related: list[UUID]

        def apply(self, dossier: "Dossier") -> None:
            dossier.due = self.due
            dossier.colour = self.colour
            dossier.seen_at = self.seen_at
            dossier.tags = list(self.tags)
            dossier.related = self.related

    class Retitled(Record.Event):
        """Version 2 added `reason`; version-1 events are upcast with a default."""

        class_version = 2
        title: str
        reason: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["reason"] = "(not recorded before version 2)"

        def apply(self, dossier: "Dossier") -> None:
            dossier.title = self.title

    def __init__(self, title: str) -> None:
        self.title = title
        self.due = None
        self.colour = None
        self.seen_at = None
        self.tags = []
        self.related = []

    def case_id_for_keys(self) -> UUID:
        return self.id


class Folder(Record):
    """Version 2 renamed `label` to `title`: older snapshots are upcast when read."""

    class_version = 2
    title: str
    opened_on: date

    class Opened(Record.Created):
        title: str
        opened_on: date

    def __init__(self, title: str, opened_on: date) -> None:
        self.title = title
        self.opened_on = opened_on

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state["title"] = state.pop("label")

    def case_id_for_keys(self) -> UUID:
        return self.id
