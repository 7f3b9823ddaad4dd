"""Views served from a streaming read replica: a real standby of the local PostgreSQL
server (pg_basebackup, started as the postgres OS user on another port), a district
built on the primary, its views read on the standby; a read that needs position P
waits until the standby has replayed P, and `casework doctor` reports the standby.
Then the deployment in small: two API workers and two projection runners on one
PostgreSQL, the views served from the standby over HTTP."""

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from casework.aggregates.base import Actor, Role
from casework.application import Casework
from casework.application.commands.organisation import AddDepartment
from casework.application.deployment_checks import Outcome, check_deployment
from casework.demo.district import DistrictBuild, Planned
from casework.projections import Projections
from casework.settings import Settings
from casework.store.key_files import create_key_files
from tests.api.test_case_story import note
from tests.conftest import POSTGRES_URL
from tests.deployment import Standby, StandbyFailed, standby_of, start_runners, stop_runners
from tests.faults.served import (
    WRITER,
    build_store,
    free_port,
    serving,
    sign_in,
    with_environment,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def standby() -> Iterator[Standby]:
    """A hot standby of the local server, streaming from it, on a port of its own."""
    try:
        with standby_of(POSTGRES_URL) as running:
            yield running
    except StandbyFailed as failed:
        pytest.fail(str(failed))


def _with_replica(settings: Settings, replica_url: str) -> Settings:
    schema = settings.database_url.partition("schema=")[2]
    env = {
        "CASEWORK_DATA_DIR": str(settings.data_dir),
        "CASEWORK_DATABASE_URL": settings.database_url,
        "CASEWORK_READ_REPLICA_URL": f"{replica_url}?schema={schema}",
    }
    return Settings.from_env(env)


def _case_index(projections: Projections) -> list[tuple[object, ...]]:
    with projections.read("case_index") as (view, connection):
        table = view.cases_table
        return [tuple(r) for r in connection.execute(select(table).order_by(table.c.case_id))]


@pytest.fixture
def district(postgres_settings: Settings) -> Iterator[Casework]:
    """A district of two centres on the primary, its views caught up, its keys on disk
    (for `casework doctor`)."""
    create_key_files(postgres_settings)
    app = Casework(postgres_settings)
    DistrictBuild(app, Planned(centres=2, cases_per_centre=5)).run()
    Projections(app).catch_up()
    yield app
    app.close()


def test_views_are_read_from_the_standby_once_it_has_replayed_them(
    district: Casework, standby: Standby
) -> None:
    primary = Projections(district)
    head = district.last_position()
    reading = Casework(_with_replica(district.settings, standby.url()))
    replica = Projections(reading)
    try:
        assert replica.reader is not replica.engine
        assert replica.wait_for(head, timeout=20), "the standby replays the views"
        assert _case_index(replica) == _case_index(primary)
        assert len(_case_index(replica)) == 10
    finally:
        replica.close()
        primary.close()
        reading.close()


def test_a_read_that_needs_a_position_waits_for_the_standby_to_replay_it(
    district: Casework, standby: Standby
) -> None:
    reading = Casework(_with_replica(district.settings, standby.url()))
    replica, primary = Projections(reading), Projections(district)
    try:
        assert replica.wait_for(district.last_position(), timeout=20)
        standby.replay(paused=True)
        try:
            centre_id = district.get_organisation().centres[0].centre_id
            administrator = next(s for s in district.list_staff() if Role.ADMINISTRATOR in s.roles)
            by = Actor(administrator.id, Role.ADMINISTRATOR)
            district.add_department(by, AddDepartment(centre_id=centre_id, name="社区部 Community"))
            written = district.last_position()
            primary.catch_up()
            assert primary.wait_for(written, timeout=0), "the primary's views have it"
            assert not replica.wait_for(written, timeout=1), "the paused standby has not"
            paused = {f.check: f for f in check_deployment(reading.settings)}["read replica"]
            assert paused.outcome is Outcome.WARN and "replay is paused" in paused.said
        finally:
            standby.replay(paused=False)
        assert replica.wait_for(written, timeout=20), "replayed: the read goes ahead"
        found = {f.check: f for f in check_deployment(reading.settings)}["read replica"]
        assert found.outcome is Outcome.OK, found
        assert f"127.0.0.1:{standby.port}" in found.said
    finally:
        replica.close()
        primary.close()
        reading.close()


def test_a_replica_that_cannot_be_reached_fails_the_doctor(district: Casework) -> None:
    settings = _with_replica(
        district.settings,
        f"postgresql://postgres@127.0.0.1:{free_port()}{urlsplit(POSTGRES_URL).path}",
    )
    found = {f.check: f for f in check_deployment(settings)}["read replica"]
    assert found.outcome is Outcome.FAILED and "cannot be read" in found.said
    assert "unset CASEWORK_READ_REPLICA_URL" in found.fix


def test_two_api_workers_and_two_runners_serve_the_views_from_the_standby(
    postgres_settings: Settings, standby: Standby, tmp_path: Path
) -> None:
    """The deployment of a district in small: granian with 2 worker processes and 2
    `casework projections run` processes on one PostgreSQL, the views read from the
    standby. A note's position read back through the API waits for the standby; with
    the standby's replay paused the same read is 503 views_behind, then 200 once it
    replays."""
    built = build_store(postgres_settings, cases=3)
    schema = built.settings.database_url.partition("schema=")[2]
    replica = {"CASEWORK_READ_REPLICA_URL": standby.url(schema)}
    runners: list[subprocess.Popen[bytes]] = []
    try:
        with serving(built.settings, tmp_path / "server.log", 2, extra_env=replica) as server:
            # Started once the workers answer: both lead views with them from then on.
            runners += start_runners(built.settings, replica, 2, tmp_path)
            base, writer = server.base, sign_in(server.base, WRITER, "caseworker")
            mine = f"{base}/api/v1/views/my-cases"

            def write_note(text: str) -> int:
                case = f"{base}/api/v1/cases/{built.case_ids[0]}"
                tag = httpx.get(case, headers=writer, timeout=30).headers["etag"]
                wrote = httpx.post(
                    f"{case}/notes",
                    json=note(text),
                    headers={**writer, "If-Match": tag},
                    timeout=30,
                )
                assert wrote.status_code == 201, wrote.text
                return int(wrote.json()["position"])

            first = write_note("备用库 on the standby")
            read = httpx.get(mine, params={"min_position": first}, headers=writer, timeout=30)
            assert read.status_code == 200, read.text
            assert {c["case_id"] for c in read.json()} == {str(c) for c in built.case_ids}

            standby.replay(paused=True)
            try:
                second = write_note("暂停回放 replay paused")
                behind = httpx.get(
                    mine, params={"min_position": second}, headers=writer, timeout=30
                )
                assert behind.status_code == 503 and behind.json()["rule"] == "views_behind"
                assert behind.headers["retry-after"] == "1"
            finally:
                standby.replay(paused=False)
            deadline = time.monotonic() + 30
            while True:
                again = httpx.get(mine, params={"min_position": second}, headers=writer, timeout=30)
                if again.status_code == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert again.status_code == 200, again.text

            app = Casework(with_environment(built.settings))
            projections = Projections(app)
            try:
                status = projections.status()
            finally:
                projections.close()
                app.close()
            assert all(s.runner for s in status), "every view has a runner"
            assert {s.health for s in status} <= {"current", "catching up"}
    finally:
        stop_runners(runners)
