"""How often a staff member is to be supervised, and when they last were.

The default policy follows common practice: every 4 weeks, every 2 weeks in the
first 6 months after starting. One schedule per staff member (`schedule_id`).
"""

import calendar
from datetime import date, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from casework.aggregates.base import Actor, InvalidValue, Record


def schedule_id(staff_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"casework:supervision-schedule:{staff_id}")


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class SupervisionSchedule(Record):
    staff_id: UUID
    every_days: int
    new_staff_every_days: int
    new_staff_months: int
    started_on: date | None
    set_on: date
    last_supervised_on: date | None
    session_ids: list[UUID]

    class Set(Record.Created):
        staff_id: UUID
        every_days: int
        new_staff_every_days: int
        new_staff_months: int
        started_on: date | None

        def apply(self, schedule: "SupervisionSchedule") -> None:
            schedule.set_on = self.occurred_at.date()

    class PolicyChanged(Record.Event):
        every_days: int
        new_staff_every_days: int
        new_staff_months: int
        started_on: date | None

        def apply(self, schedule: "SupervisionSchedule") -> None:
            schedule.every_days = self.every_days
            schedule.new_staff_every_days = self.new_staff_every_days
            schedule.new_staff_months = self.new_staff_months
            schedule.started_on = self.started_on

    class Supervised(Record.Event):
        session_id: UUID
        on: date

        def apply(self, schedule: "SupervisionSchedule") -> None:
            schedule.session_ids.append(self.session_id)
            if schedule.last_supervised_on is None or self.on > schedule.last_supervised_on:
                schedule.last_supervised_on = self.on

    def __init__(
        self,
        staff_id: UUID,
        every_days: int,
        new_staff_every_days: int,
        new_staff_months: int,
        started_on: date | None,
    ) -> None:
        self.staff_id = staff_id
        self.every_days = every_days
        self.new_staff_every_days = new_staff_every_days
        self.new_staff_months = new_staff_months
        self.started_on = started_on
        self.last_supervised_on = None
        self.session_ids = []

    @classmethod
    def set_policy(
        cls,
        by: Actor,
        staff_id: UUID,
        every_days: int = 28,
        new_staff_every_days: int = 14,
        new_staff_months: int = 6,
        started_on: date | None = None,
        occurred_at: datetime | None = None,
    ) -> "SupervisionSchedule":
        _check_policy(every_days, new_staff_every_days, new_staff_months)
        return cls.start(
            cls.Set,
            by,
            occurred_at,
            id=schedule_id(staff_id),
            staff_id=staff_id,
            every_days=every_days,
            new_staff_every_days=new_staff_every_days,
            new_staff_months=new_staff_months,
            started_on=started_on,
        )

    def change_policy(
        self,
        by: Actor,
        every_days: int,
        new_staff_every_days: int,
        new_staff_months: int,
        started_on: date | None,
        occurred_at: datetime | None = None,
    ) -> None:
        _check_policy(every_days, new_staff_every_days, new_staff_months)
        self.record(
            self.PolicyChanged,
            by,
            occurred_at,
            every_days=every_days,
            new_staff_every_days=new_staff_every_days,
            new_staff_months=new_staff_months,
            started_on=started_on,
        )

    def record_supervision(
        self, by: Actor, session_id: UUID, on: date, occurred_at: datetime | None = None
    ) -> None:
        if session_id not in self.session_ids:
            self.record(self.Supervised, by, occurred_at, session_id=session_id, on=on)

    def interval_after(self, day: date) -> timedelta:
        """New staff are supervised more often for their first months."""
        is_new = self.started_on is not None and day < add_months(
            self.started_on, self.new_staff_months
        )
        return timedelta(days=self.new_staff_every_days if is_new else self.every_days)

    def due_on(self) -> date:
        since = self.last_supervised_on or self.started_on or self.set_on
        return since + self.interval_after(since)

    def is_overdue(self, on: date) -> bool:
        return on > self.due_on()


def _check_policy(every_days: int, new_staff_every_days: int, new_staff_months: int) -> None:
    if every_days <= 0:
        raise InvalidValue("every_days", "must be more than zero")
    if new_staff_every_days <= 0:
        raise InvalidValue("new_staff_every_days", "must be more than zero")
    if new_staff_months < 0:
        raise InvalidValue("new_staff_months", "must be zero or more")
