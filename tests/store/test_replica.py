"""Views served from a streaming read replica: a real standby of the local PostgreSQL
server (pg_basebackup, started as the postgres OS user on another port), a district
built on the primary, its views read on the standby; a read that needs position P
waits until the standby has replayed P, and `casework doctor` reports the standby.
Then the deployment in small: two API workers and two projection runners on one
PostgreSQL, the views served from the standby over HTTP."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
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
from tests.faults.served import (
    ROOT,
    WRITER,
    build_store,
    environment,
    serving,
    sign_in,
    with_environment,
)

pytestmark = pytest.mark.postgres
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
PRIMARY = urlsplit(POSTGRES_URL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the PostgreSQL tools, fixed arguments
        [RUNUSER, "-u", "postgres", "--", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def standby_port() -> Iterator[int]:
    """A hot standby of the local server, streaming from it, on a port of its own;
    stopped (its postmaster, by PID) and removed afterwards."""
    home = Path(tempfile.mkdtemp(prefix="casework-replica-"))
    data = home / "data"
    shutil.chown(home, "postgres")
    backup = _as_postgres(
        str(POSTGRES_BIN / "pg_basebackup"),
        f"--host={PRIMARY.hostname}",
        f"--port={PRIMARY.port or 5432}",
        "--username=postgres",
        f"--pgdata={data}",
        "--wal-method=stream",
        "--write-recovery-conf",
        "--checkpoint=fast",
    )
    if backup.returncode != 0:
        shutil.rmtree(home)
        pytest.fail(
            "pg_basebackup of the local server failed (it needs a pg_hba.conf line "
            "`host replication postgres 127.0.0.1/32 trust`, which tests/prepare-machine "
            f"adds): {backup.stderr}"
        )
    (data / "postgresql.conf").write_text("")  # Debian keeps the primary's in /etc
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    for name in ("postgresql.conf", "pg_hba.conf"):
        shutil.chown(data / name, "postgres")
    port = _free_port()
    postgres = [str(POSTGRES_BIN / "postgres"), "-D", str(data), "-p", str(port)]
    options = {
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": str(home),
        "hot_standby": "on",
        "logging_collector": "off",
    }
    for name, value in options.items():
        postgres += ["-c", f"{name}={value}"]
    server = subprocess.Popen(  # noqa: S603 - the PostgreSQL server, fixed arguments
        [RUNUSER, "-u", "postgres", "--", *postgres],
        stdout=subprocess.DEVNULL,
        stderr=(home / "log").open("w"),
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with psycopg.connect(_standby_url(port), connect_timeout=2) as c:
                    if c.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
                        break
            except psycopg.OperationalError:
                pass
            assert server.poll() is None, (home / "log").read_text()
            assert time.monotonic() < deadline, "the standby did not start"
            time.sleep(0.5)
        yield port
    finally:
        postmaster = data / "postmaster.pid"
        if postmaster.exists():
            os.kill(int(postmaster.read_text().split()[0]), signal.SIGINT)  # fast shutdown
        server.wait(timeout=60)
        shutil.rmtree(home)


def _standby_url(port: int, schema: str = "") -> str:
    url = f"postgresql://postgres@127.0.0.1:{port}{PRIMARY.path}"
    return f"{url}?schema={schema}" if schema else url


def _with_replica(settings: Settings, port: int) -> Settings:
    schema = settings.database_url.partition("schema=")[2]
    env = {
        "CASEWORK_DATA_DIR": str(settings.data_dir),
        "CASEWORK_DATABASE_URL": settings.database_url,
        "CASEWORK_READ_REPLICA_URL": _standby_url(port, schema),
    }
    return Settings.from_env(env)


def _replay(port: int, paused: bool) -> None:
    with psycopg.connect(_standby_url(port), autocommit=True) as c:
        c.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


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
    district: Casework, standby_port: int
) -> None:
    primary = Projections(district)
    head = district.last_position()
    reading = Casework(_with_replica(district.settings, standby_port))
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
    district: Casework, standby_port: int
) -> None:
    reading = Casework(_with_replica(district.settings, standby_port))
    replica, primary = Projections(reading), Projections(district)
    try:
        assert replica.wait_for(district.last_position(), timeout=20)
        _replay(standby_port, paused=True)
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
            _replay(standby_port, paused=False)
        assert replica.wait_for(written, timeout=20), "replayed: the read goes ahead"
        found = {f.check: f for f in check_deployment(reading.settings)}["read replica"]
        assert found.outcome is Outcome.OK, found
        assert f"127.0.0.1:{standby_port}" in found.said
    finally:
        replica.close()
        primary.close()
        reading.close()


def test_a_replica_that_cannot_be_reached_fails_the_doctor(district: Casework) -> None:
    settings = _with_replica(district.settings, _free_port())
    found = {f.check: f for f in check_deployment(settings)}["read replica"]
    assert found.outcome is Outcome.FAILED and "cannot be read" in found.said
    assert "unset CASEWORK_READ_REPLICA_URL" in found.fix


def test_two_api_workers_and_two_runners_serve_the_views_from_the_standby(
    postgres_settings: Settings, standby_port: int, tmp_path: Path
) -> None:
    """The deployment of a district in small: granian with 2 worker processes and 2
    `casework projections run` processes on one PostgreSQL, the views read from the
    standby. A note's position read back through the API waits for the standby; with
    the standby's replay paused the same read is 503 views_behind, then 200 once it
    replays."""
    built = build_store(postgres_settings, cases=3)
    schema = built.settings.database_url.partition("schema=")[2]
    replica = {"CASEWORK_READ_REPLICA_URL": _standby_url(standby_port, schema)}
    env = {**os.environ, **environment(built.settings), **replica}
    runners: list[subprocess.Popen[bytes]] = []
    try:
        with serving(built.settings, tmp_path / "server.log", 2, extra_env=replica) as server:
            # Started once the workers answer: both lead views with them from then on.
            runners += [
                subprocess.Popen(
                    [sys.executable, "-m", "casework", "projections", "run"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=(tmp_path / f"runner-{n}.log").open("w"),
                )
                for n in range(2)
            ]
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

            _replay(standby_port, paused=True)
            try:
                second = write_note("暂停回放 replay paused")
                behind = httpx.get(
                    mine, params={"min_position": second}, headers=writer, timeout=30
                )
                assert behind.status_code == 503 and behind.json()["rule"] == "views_behind"
                assert behind.headers["retry-after"] == "1"
            finally:
                _replay(standby_port, paused=False)
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
        for runner in runners:
            runner.send_signal(signal.SIGINT)
        for runner in runners:
            runner.wait(timeout=60)
