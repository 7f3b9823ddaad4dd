"""What the fault tests share: a store with the family centre, 20 cases and accounts,
the API served by a real granian on a loopback port (exactly as production runs
`api.app:create_app_from_env`), writer and reader clients over HTTP, a private
PostgreSQL instance that a test may stop and start (never the shared server), and the
checks that nothing was lost: every acknowledged note in the store exactly once,
every case loads, the views equal a rebuild, the ledger verifies, every served read
is in the access log."""

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
from sqlalchemy import select

from casework.aggregates.access_record import AccessAction, AccessOutcome, AccessRecord
from casework.aggregates.case import Case
from casework.application import Casework
from casework.projections import Projections
from casework.settings import Settings
from casework.store.access_index import AccessQuery
from casework.store.key_files import create_key_files
from tests.builders.centre import FamilyCentre, family_centre, family_client, open_family_case

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
WRITER = "chen.jing"  # the centre's caseworker: leads every case
READER = "huang.li"  # the family department's head: reads them
PG_BIN = Path("/usr/lib/postgresql/15/bin")
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
MARKER = "fault-marker"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the store -----------------------------------------------------------------------


def environment(settings: Settings) -> dict[str, str]:
    """The `CASEWORK_*` variables a server needs for this store (no second factor: the
    accounts have none; everything else as in production)."""
    env = {
        "CASEWORK_DATA_DIR": str(settings.data_dir),
        "CASEWORK_REQUIRE_TOTP": "0",
    }
    if not settings.database_url.startswith("sqlite"):
        env["CASEWORK_DATABASE_URL"] = settings.database_url
    return env


def with_environment(settings: Settings) -> Settings:
    """The settings the server will read, for the test's own connections."""
    return Settings.from_env(environment(settings))


@dataclass(frozen=True)
class Built:
    settings: Settings
    centre: FamilyCentre
    case_ids: list[UUID]


def build_store(settings: Settings, cases: int = 20) -> Built:
    """Keys, the family centre, `cases` family cases led by the caseworker, and
    accounts (password only) for the caseworker and the department head."""
    settings = with_environment(settings)
    create_key_files(settings)
    app = Casework(settings)
    try:
        centre = family_centre(app)
        case_ids = [
            open_family_case(app, centre, client=family_client(f"客户 Client {n}"))
            for n in range(cases)
        ]
        for user_name, person in ((WRITER, centre.worker), (READER, centre.head)):
            code = app.open_account(centre.administrator, person.staff_id, user_name)
            app.set_password(user_name, code.code, PASSWORD)
        app.checkpoint()
    finally:
        app.close()
    return Built(settings, centre, case_ids)


# -- the server ----------------------------------------------------------------------


class Server:
    """granian serving the API from `api.app:create_app_from_env` on a free loopback
    port; `workers` processes, dead ones respawned when asked."""

    def __init__(
        self,
        settings: Settings,
        log: Path,
        workers: int = 1,
        respawn: bool = False,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.env = {**os.environ, **environment(settings), **(extra_env or {})}
        self.workers = workers
        self.respawn = respawn
        self.log_path = log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--respawn-interval",
            "0.5",
            *(["--respawn-failed-workers"] if self.respawn else []),
            "api.app:create_app_from_env",
        ]
        with self.log_path.open("ab") as log:
            # A session of its own: granian and its workers are one process group, so
            # none outlives the test (a worker it had just respawned when killed did).
            self.process = subprocess.Popen(  # noqa: S603 - a fixed command
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_until_ready()

    def wait_until_ready(self, attempts: int = 600) -> None:
        """Until /health/ready says ready (each attempt at most ~0.1 s apart)."""
        for _ in range(attempts):
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"granian stopped:\n{self.log_path.read_text()[-4000:]}")
            try:
                answer = httpx.get(f"{self.base}/health/ready", timeout=2)
                if answer.status_code == 200 and answer.json().get("status") == "ready":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"granian not ready:\n{self.log_path.read_text()[-4000:]}")

    def worker_pids(self) -> list[int]:
        """The worker processes granian runs now (its children)."""
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def crash(self, rng: random.Random) -> None:
        """SIGKILL a random worker, then the others and granian itself (granian gives up
        on a worker that keeps dying, so the test plays the supervisor), and start the
        server again on the same port."""
        assert self.process is not None
        pids = self.worker_pids()
        assert pids, "granian runs no worker"
        rng.shuffle(pids)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        self._kill_group()
        for pid in pids:
            with contextlib.suppress(ChildProcessError, ProcessLookupError):
                os.waitpid(pid, 0)
        self.process = None
        self.start()

    def stop(self) -> None:
        """As an operator stops it: SIGTERM, so each worker signs a last checkpoint."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=60)
        self._kill_group()  # a worker still there once granian has gone, or granian
        self.process = None

    def _kill_group(self) -> None:
        """SIGKILL granian and every worker of its group, including one it started a
        moment ago, and wait for granian."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@contextmanager
def serving(
    settings: Settings,
    log: Path,
    workers: int = 1,
    respawn: bool = False,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    server = Server(settings, log, workers, respawn, extra_env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# The database out of reach (api/errors.py), a write whose connection was lost as it
# committed while the database stayed away, or a case read refused because its access
# could not be recorded (the service layer shows nothing it cannot log).
STORE_RULES = ("service_unavailable", "outcome_unknown", "access_not_recorded")


def wait_for(check: Callable[[], bool], attempts: int, every: float = 0.05) -> None:
    """Poll `check()` up to `attempts` times, `every` seconds apart (a bound, not an
    assertion on time)."""
    for _ in range(attempts):
        if check():
            return
        time.sleep(every)
    raise AssertionError("the condition was not met within its bound")


def is_clean_503(answer: "Answer") -> bool:
    """503 as a problem document with Retry-After, naming the store as the cause, and
    nothing of a traceback in it."""
    return (
        answer.status == 503
        and answer.content_type.startswith("application/problem+json")
        and answer.retry_after is not None
        and int(answer.retry_after) > 0
        and any(f'"rule":"{rule}"' in answer.body for rule in STORE_RULES)
        and "Traceback" not in answer.body
        and "psycopg" not in answer.body
    )


def sign_in(base: str, user_name: str, role: str, password: str = PASSWORD) -> dict[str, str]:
    for _ in range(20):
        answer = httpx.post(
            f"{base}/api/v1/sessions",
            json={"user_name": user_name, "password": password, "role": role},
            timeout=30,
        )
        if answer.status_code == 201:
            return {"Authorization": f"Bearer {answer.json()['token']}"}
        # A worker still starting, or the sign-in limit's slow-down: wait as told.
        time.sleep(float(answer.headers.get("retry-after", "0.5")))
    raise AssertionError(f"{user_name} could not sign in: {answer.status_code} {answer.text}")


# -- the load ------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """An answer other than 200, 201, 409 or 412, as the client saw it."""

    status: int
    content_type: str
    retry_after: str | None
    body: str

    @classmethod
    def of(cls, response: httpx.Response) -> "Answer":
        return cls(
            response.status_code,
            response.headers.get("content-type", ""),
            response.headers.get("retry-after"),
            response.text[:2000],
        )


@dataclass
class Tally:
    """What the clients were told, by narrative marker and by status."""

    acknowledged: dict[str, tuple[UUID, int]] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    unanswered: set[str] = field(default_factory=set)  # the connection broke
    statuses: Counter[int] = field(default_factory=Counter)
    other: list[Answer] = field(default_factory=list)
    reads_served: Counter[UUID] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1


def narrative(writer: int, n: int, run: str) -> str:
    return f"{MARKER} {run} w{writer} n{n} 电话跟进 phone follow-up"


def write_notes(
    base: str,
    headers: dict[str, str],
    case_ids: list[UUID],
    writer: int,
    count: int,
    tally: Tally,
    run: str,
    stop: threading.Event | None = None,
    seed: int = 0,
) -> None:
    """`count` notes on random cases: read a case for its ETag, then write with If-Match
    (the version a 201 answered is used for the next write on that case; a refusal
    reads again). A broken connection (a killed worker) leaves the outcome unknown."""
    rng = random.Random(seed * 1000 + writer)
    versions: dict[UUID, int] = {}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for n in range(count):
            if stop is not None and stop.is_set():
                return
            case_id = rng.choice(case_ids)
            text = narrative(writer, n, run)
            try:
                if case_id not in versions:
                    read = client.get(f"/api/v1/cases/{case_id}")
                    tally.saw(read.status_code)
                    if read.status_code != 200:
                        with tally.lock:
                            tally.other.append(Answer.of(read))
                        continue
                    versions[case_id] = int(read.headers["etag"].strip('"'))
                answer = client.post(
                    f"/api/v1/cases/{case_id}/notes",
                    json={"kind": "phone", "narrative": text, "duration_minutes": 10},
                    headers={
                        "If-Match": f'"{versions[case_id]}"',
                        "Idempotency-Key": str(uuid4()),
                    },
                )
            except httpx.TransportError:
                versions.pop(case_id, None)
                with tally.lock:
                    tally.unanswered.add(text)
                time.sleep(0.05)  # the server is down: do not spin
                continue
            tally.saw(answer.status_code)
            with tally.lock:
                if answer.status_code == 201:
                    version = answer.json()["version"]
                    tally.acknowledged[text] = (case_id, version)
                    versions[case_id] = version
                elif answer.status_code in (409, 412):
                    tally.refused[text] = answer.status_code
                    versions.pop(case_id, None)
                else:
                    tally.other.append(Answer.of(answer))
                    versions.pop(case_id, None)


def read_cases(
    base: str,
    headers: dict[str, str],
    case_ids: list[UUID],
    tally: Tally,
    stop: threading.Event,
    limit: int = 100_000,
) -> None:
    """The department head reads case pages until told to stop; each 200 is counted."""
    rng = random.Random(7)
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for _ in range(limit):
            if stop.is_set():
                return
            case_id = rng.choice(case_ids)
            try:
                answer = client.get(f"/api/v1/cases/{case_id}")
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            tally.saw(answer.status_code)
            with tally.lock:
                if answer.status_code == 200:
                    tally.reads_served[case_id] += 1
                else:
                    tally.other.append(Answer.of(answer))


# -- the checks ----------------------------------------------------------------------


def notes_in_store(app: Casework, case_ids: list[UUID], run: str) -> Counter[str]:
    """How many times each marked narrative of this run is in the store (every case
    loads, or this raises)."""
    found: Counter[str] = Counter()
    for case_id in case_ids:
        case: Case = app.load(case_id, Case, "case")
        for note in case.notes.values():
            if note.narrative.startswith(f"{MARKER} {run} "):
                found[note.narrative] += 1
    return found


def all_rows(projections: Projections) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every serving view, table by table, in a stable order."""
    found = {}
    for name, generation in sorted(projections.serving().items()):
        view = projections.view_classes[name](generation)
        with projections.engine.connect() as connection:
            for table in view.tables:
                key = f"{name}.{table.name.rsplit('_g', 1)[0]}"
                rows = connection.execute(select(table)).all()
                found[key] = sorted((tuple(r) for r in rows), key=repr)
    return found


def views_and_rebuild(app: Casework) -> tuple[dict[str, Any], dict[str, Any]]:
    """The views as the servers left them, caught up to the end of the log, and the
    same views rebuilt from zero."""
    projections = Projections(app)
    try:
        projections.catch_up()
        kept = all_rows(projections)
        projections.rebuild_all()
        return kept, all_rows(projections)
    finally:
        projections.close()


def reads_recorded(app: Casework, reader: UUID) -> Counter[UUID]:
    """Allowed READ access records of `reader`, by case."""
    found: Counter[UUID] = Counter()
    for record_id in app.access_index.find(AccessQuery(staff_id=reader, limit=1_000_000)):
        record: AccessRecord = app.load(record_id, AccessRecord, "access record")
        if record.action == AccessAction.READ and record.outcome == AccessOutcome.ALLOWED:
            found[record.case_id] += 1
    return found


# -- a private PostgreSQL ------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL 15 cluster of the test's own (initdb in a temporary directory, a
    free port, trust auth on 127.0.0.1), run as the `postgres` OS user: the test may
    stop and start it; the shared server on 5432 is never touched."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cw-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/test"
        shutil.chown(self.root, "postgres", "postgres")

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(  # noqa: S603 - fixed commands
            [RUNUSER, "-u", "postgres", "--", *command],
            check=True,
            capture_output=True,
            cwd=self.root,
        )

    def init(self) -> None:
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
        )
        self.start()
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE test")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "postgres.log"), "-w", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.destroy()
