"""Steps the identity stories share: a clock the tests move, a cheap Argon2id for
speed, and a worker with an account, a password and a second factor."""

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pyotp
from argon2 import PasswordHasher

from casework.aggregates.access_record import AccessRecord
from casework.application import Casework
from casework.application.credentials import Argon2Hasher
from casework.store.access_index import AccessQuery
from tests.builders.centre import FamilyCentre, family_centre

PASSWORD = "correct horse battery staple"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """Time as the tests say it is (nobody sleeps)."""

    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


def with_test_clock(app: Casework) -> Clock:
    clock = Clock()
    app.clock = clock  # type: ignore[method-assign]
    # Argon2id still, at the lowest cost, so the stories run quickly.
    app.secret_hasher = Argon2Hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    return clock


@dataclass(frozen=True)
class Worker:
    user_name: str
    totp: pyotp.TOTP


def worker_with_account(
    app: Casework, centre: FamilyCentre, user_name: str = "chen.jing"
) -> Worker:
    """The centre's caseworker, with an account opened by the administrator, a
    password set with the one-time code and a second factor enrolled."""
    code = app.open_account(centre.administrator, centre.worker.staff_id, user_name)
    app.set_password(user_name, code.code, PASSWORD)
    enrolment = app.enrol_second_factor(user_name, PASSWORD)
    return Worker(user_name, pyotp.TOTP(enrolment.secret))


def centre_with_worker(app: Casework) -> tuple[Clock, FamilyCentre, Worker]:
    clock = with_test_clock(app)
    centre = family_centre(app)
    return clock, centre, worker_with_account(app, centre)


def access_log(app: Casework) -> list[AccessRecord]:
    """Every access record, oldest first."""
    ids = app.access_index.find(AccessQuery(limit=100_000))
    return [app.load(i, AccessRecord, "access record") for i in reversed(ids)]


def actions(app: Casework) -> list[tuple[str, str]]:
    return [(r.action.value, r.outcome.value) for r in access_log(app)]


def raw_rows(app: Casework, table: str) -> list[tuple[Any, ...]]:
    """Every row of a store table, read straight from the database."""
    db = app.database
    if db.backend == "sqlite":
        with sqlite3.connect(db.sqlite_path) as conn:  # type: ignore[arg-type]
            return conn.execute(f"SELECT * FROM {table}").fetchall()
    with psycopg.connect(db.psycopg_conninfo()) as conn:
        return conn.execute(f'SELECT * FROM "{db.schema}".{table}').fetchall()  # type: ignore[arg-type]
