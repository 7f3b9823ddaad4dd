"""Fixtures: a fresh casework store on a temporary SQLite file, or on PostgreSQL in a
schema of its own (dropped afterwards). PostgreSQL tests fail, never skip, when the
server cannot be reached."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from casework.application import Casework
from casework.settings import Settings
from casework.store.master_key import MasterKey

POSTGRES_URL = os.environ.get(
    "CASEWORK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_schema() -> Iterator[str]:
    schema = f"cw_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL tests need {POSTGRES_URL}: {error}")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield schema
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def master_key() -> MasterKey:
    return MasterKey.generate("the test master key")


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def postgres_settings(tmp_path: Path) -> Iterator[Settings]:
    for schema in _postgres_schema():
        yield Settings.from_env(
            {
                "CASEWORK_DATA_DIR": str(tmp_path / "data"),
                "CASEWORK_DATABASE_URL": f"{POSTGRES_URL}?schema={schema}",
            }
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest) -> Settings:
    """Settings for a fresh store on each backend in turn."""
    return request.getfixturevalue(f"{request.param}_settings")


@pytest.fixture
def store(settings: Settings, master_key: MasterKey) -> Iterator[Casework]:
    """A casework application on each backend in turn."""
    app = Casework(settings, master_key)
    yield app
    app.close()


@pytest.fixture
def app(sqlite_settings: Settings, master_key: MasterKey) -> Iterator[Casework]:
    """A casework application on a temporary SQLite file (for domain stories)."""
    app = Casework(sqlite_settings, master_key)
    yield app
    app.close()


_postgres_outcomes: dict[str, int] = {"passed": 0, "skipped": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" in report.keywords and report.when == "call":
        if report.passed:
            _postgres_outcomes["passed"] += 1
        elif report.skipped:
            _postgres_outcomes["skipped"] += 1
    if "postgres" in report.keywords and report.when == "setup" and report.skipped:
        _postgres_outcomes["skipped"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that skipped PostgreSQL tests has not tested the production store."""
    if _postgres_outcomes["skipped"]:
        print(f"\n{_postgres_outcomes['skipped']} PostgreSQL tests were skipped: failing the run")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
