"""A district's deployment in small, for the replica tests and the district benchmark:
a hot standby of the local PostgreSQL server (pg_basebackup into a temporary directory,
then `postgres` on a free port streaming from the primary, both run as the postgres OS
user; the primary's pg_hba.conf needs `host replication postgres 127.0.0.1/32 trust`,
which tests/prepare-machine adds; stopped by its postmaster's PID and removed
afterwards), and projection runners as production starts them (`casework projections
run`). The API workers are tests/faults/served.py's granian."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from casework.settings import Settings
from tests.faults.served import PG_BIN, ROOT, RUNUSER, environment, free_port


class StandbyFailed(Exception):  # noqa: N818 - it names what happened
    """pg_basebackup or the standby's server did not get going."""


def as_postgres(*args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the PostgreSQL tools, fixed arguments
        [RUNUSER, "-u", "postgres", "--", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass(frozen=True)
class Standby:
    port: int
    dbname: str
    backup_seconds: float  # how long pg_basebackup took (the whole cluster is copied)
    backup_bytes: int

    def url(self, schema: str = "") -> str:
        url = f"postgresql://postgres@127.0.0.1:{self.port}/{self.dbname}"
        return f"{url}?schema={schema}" if schema else url

    def replay(self, paused: bool) -> None:
        with psycopg.connect(self.url(), autocommit=True) as c:
            c.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def _size(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())


@contextmanager
def standby_of(primary_url: str) -> Iterator[Standby]:
    """A streaming standby of the server `primary_url` names, ready for reads."""
    primary = urlsplit(primary_url)
    home = Path(tempfile.mkdtemp(prefix="casework-replica-"))
    data = home / "data"
    shutil.chown(home, "postgres")
    started = time.perf_counter()
    backup = as_postgres(
        str(PG_BIN / "pg_basebackup"),
        f"--host={primary.hostname}",
        f"--port={primary.port or 5432}",
        "--username=postgres",
        f"--pgdata={data}",
        "--wal-method=stream",
        "--write-recovery-conf",
        "--checkpoint=fast",
    )
    backup_seconds = time.perf_counter() - started
    if backup.returncode != 0:
        shutil.rmtree(home)
        raise StandbyFailed(
            "pg_basebackup of the local server failed (it needs a pg_hba.conf line "
            "`host replication postgres 127.0.0.1/32 trust`, which tests/prepare-machine "
            f"adds): {backup.stderr}"
        )
    (data / "postgresql.conf").write_text("")  # Debian keeps the primary's in /etc
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    for name in ("postgresql.conf", "pg_hba.conf"):
        shutil.chown(data / name, "postgres")
    standby = Standby(free_port(), primary.path.lstrip("/"), backup_seconds, _size(data))
    postgres = [str(PG_BIN / "postgres"), "-D", str(data), "-p", str(standby.port)]
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
        deadline = time.monotonic() + 300
        while True:
            try:
                with psycopg.connect(standby.url(), connect_timeout=2) as c:
                    if c.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
                        break
            except psycopg.OperationalError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise StandbyFailed(f"the standby did not start:\n{(home / 'log').read_text()}")
            time.sleep(0.5)
        yield standby
    finally:
        postmaster = data / "postmaster.pid"
        if postmaster.exists():
            os.kill(int(postmaster.read_text().split()[0]), signal.SIGINT)  # fast shutdown
        server.wait(timeout=120)
        shutil.rmtree(home)


def start_runners(
    settings: Settings, extra_env: dict[str, str], count: int, logs: Path
) -> list[subprocess.Popen[bytes]]:
    """`count` processes of `casework projections run` on the store, each logging to
    `logs/runner-N.log`."""
    env = {**os.environ, **environment(settings), **extra_env}
    return [
        subprocess.Popen(
            [sys.executable, "-m", "casework", "projections", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / f"runner-{n}.log").open("w"),
        )
        for n in range(count)
    ]


def stop_runners(runners: list[subprocess.Popen[bytes]]) -> None:
    """As Ctrl-C stops them (each lets its views go); a runner that hangs is killed."""
    for runner in runners:
        runner.send_signal(signal.SIGINT)
    for runner in runners:
        try:
            runner.wait(timeout=60)
        except subprocess.TimeoutExpired:
            runner.kill()
            runner.wait()
