"""A district served as in production (issue 15): the API under a realistic command
mix over HTTP, next to bare eventsourcing on the same database.

Given a district store built by `casework demo --centres N --cases-per-centre M`
(CASEWORK_DATABASE_URL with `?schema=`, CASEWORK_DATA_DIR for its keys), this

1. starts a streaming standby of the local PostgreSQL server (pg_basebackup of the
   whole cluster, timed) and points the API at it with CASEWORK_READ_REPLICA_URL;
2. starts 2 `casework projections run` processes and waits for the views to be current;
3. serves the API with `granian --interface asgi --factory api.app:create_app_from_env
   --workers N` for N in `--workers` (1, then 4), and for 1, 4 and 16 concurrent
   clients drives the command mix for `--seconds`: notes, assessments and plan versions
   on a caseworker's own cases (If-Match from the case's ETag, a fresh Idempotency-Key
   each), a referral to another department of the centre and its head's answer, and a
   supervision session with its supervisor's note. A 412 reads the case again and
   retries; retries are counted apart. Each client is a process of its own with one
   keep-alive connection; their CPU per command is printed (what the driver costs);
4. runs bare eventsourcing (its Application, PostgreSQL recorder and AESCipher) in a
   schema of its own (dropped afterwards) from 1, 4 and 16 writer processes, each
   command loading an aggregate, recording as many events as a command of the mix
   wrote (or `--bare-events`) and saving it;
5. reads a case, its plan view and the caseload view, as a caseworker, a supervisor and
   a centre director, one client at a time;
6. samples the views' lag behind the log (on the primary and on the standby) under the
   write load, and the peak RSS (VmHWM) of the API workers and the runners.

Accounts: the district's administrator and first centre's director have the demo
password. The caseworkers, department heads and supervisors of the first `--centres`
centres get accounts the way staff do: the administrator opens them over the API and
`casework users set-password` sets the demo password with the one-time code (once; a
rerun finds them; each such command signs a ledger checkpoint as it exits, and the
first, in a store with none yet, hashes every event). Everything else written goes
through the API and the runners: the mix adds events to the district.

Run:  CASEWORK_DATABASE_URL='postgresql://postgres@127.0.0.1:5432/test?schema=district' \\
      CASEWORK_DATA_DIR=/work/district/data \\
      python -m benchmarks.bench_district_http [--seconds 20] [--workers 1,4] \\
          [--clients 1,4,16] [--reads 20] [--centres 2]

Targets, printed as measured ÷ target (≤ 1.00 is met): p99 ≤ 100 ms for a command and
≤ 50 ms for a read (issue 12); the views within a second of a write (the operators'
guide). Replay, verify and rebuild at 1M events are bench_scale's (`--parts
rebuild-verify`). The machine is shared: give `uptime` with the figures.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx
import psycopg

from benchmarks.bench_store import TEXT, Dossier, LibraryApp, fill, library_env, make_dossier
from casework.aggregates.base import Role
from casework.aggregates.case import OPEN_STATUSES
from casework.demo.accounts import DEMO_PASSWORD
from casework.demo.district import roster, user_name
from casework.settings import Settings
from casework.store.database import Database
from tests.deployment import Standby, standby_of, start_runners, stop_runners
from tests.faults.served import ROOT, Server, environment
from tests.faults.served import sign_in as served_sign_in

WRITE_P99_MS, READ_P99_MS, LAG_SECONDS = 100.0, 50.0, 1.0
# The mix: how often each command comes up (a referral and a supervision session bring
# their answer and their note with them).
MIX = {"note": 50, "assessment": 15, "plan": 10, "referral": 15, "supervision": 10}
CASES_EACH = 12  # of a caseworker's cases, the first this many are looked at


def uptime() -> str:
    answer = subprocess.run(["/usr/bin/uptime"], capture_output=True, text=True, check=False)
    return answer.stdout.strip()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a process, in MB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


# -- who works in the district ------------------------------------------------------


@dataclass
class Worker:
    """A caseworker with a session, the open cases they lead, their centre's other
    departments (each with its head's session) and their supervisor's session."""

    staff_id: str
    token: str
    case_ids: list[str]
    departments: dict[str, str]  # department id → its head's token
    supervisor_id: str
    supervisor_token: str


@dataclass
class Readers:
    caseworker: str
    supervisor: str
    director: str
    case_id: str  # the caseworker's case with the longest history


def sign_in(base: str, name: str, role: str) -> str:
    """A session token for a district account (the demo password)."""
    return served_sign_in(base, name, role, DEMO_PASSWORD)["Authorization"].removeprefix("Bearer ")


def open_account(base: str, admin: str, settings: Settings, staff_id: str, name: str) -> None:
    """As for real staff: the administrator opens the account over the API and the
    person sets the password with the one-time code (here: the demo password)."""
    opened = httpx.post(
        f"{base}/api/v1/accounts",
        json={"staff_id": staff_id, "user_name": name},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=60,
    )
    if opened.status_code == 409:  # opened by an earlier run
        return
    opened.raise_for_status()
    env = {**os.environ, **environment(settings), "CASEWORK_PASSWORD": DEMO_PASSWORD}
    command = ["users", "set-password", "--user-name", name, "--code", opened.json()["code"]]
    done = subprocess.run(  # noqa: S603 - the casework command line, fixed arguments
        [sys.executable, "-m", "casework", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"casework users set-password for {name}: {done.stderr}")


def district_people(base: str, settings: Settings, centres: int) -> tuple[list[Worker], Readers]:
    first = roster(0)
    admin_name = next(m[0] for m in first if Role.ADMINISTRATOR in m[1])
    admin = sign_in(base, user_name(0, admin_name), "administrator")
    auth = {"Authorization": f"Bearer {admin}"}
    staff = httpx.get(f"{base}/api/v1/staff", headers=auth, timeout=120).json()
    organisation = httpx.get(f"{base}/api/v1/organisation", headers=auth, timeout=60).json()
    centre_ids = [c["centre_id"] for c in organisation["centres"]][:centres]
    started = time.perf_counter()
    opened = 0
    workers: list[Worker] = []
    readers: Readers | None = None
    for k, centre_id in enumerate(centre_ids):
        mine = [s for s in staff if s["centre_id"] == centre_id and s["active"]]
        names = {s["staff_id"]: user_name(k, s["name"]) for s in mine}
        wanted = [
            s for s in mine if not s["external"] and {"caseworker", "supervisor"} & set(s["roles"])
        ]
        for person in wanted:
            open_account(base, admin, settings, person["staff_id"], names[person["staff_id"]])
            opened += 1
        heads = {
            s["department_id"]: sign_in(base, names[s["staff_id"]], "department_head")
            for s in wanted
            if "department_head" in s["roles"]
        }
        supervisor = next(s for s in wanted if "supervisor" in s["roles"])
        supervisor_token = sign_in(base, names[supervisor["staff_id"]], "supervisor")
        for person in wanted:
            if "caseworker" not in person["roles"] or not person["lead_case_ids"]:
                continue
            token = sign_in(base, names[person["staff_id"]], "caseworker")
            open_cases = _open_cases(base, token, person["lead_case_ids"][:CASES_EACH])
            if not open_cases:
                continue
            others = {d: t for d, t in heads.items() if d != person["department_id"]}
            workers.append(
                Worker(
                    person["staff_id"],
                    token,
                    [c for c, _ in open_cases],
                    others,
                    supervisor["staff_id"],
                    supervisor_token,
                )
            )
            if readers is None:
                readers = Readers(
                    token,
                    supervisor_token,
                    sign_in(base, user_name(0, first[0][0]), "centre_director"),
                    max(open_cases, key=lambda c: c[1])[0],
                )
    print(
        f"accounts: {opened} caseworkers, heads and supervisors of {len(centre_ids)} centres "
        f"(opened or found) and their sessions in {time.perf_counter() - started:.0f} s; "
        f"{len(workers)} caseworkers with open cases"
    )
    assert readers is not None, "no caseworker leads an open case"
    return workers, readers


def _open_cases(base: str, token: str, case_ids: list[str]) -> list[tuple[str, int]]:
    """The open ones among a caseworker's cases, with their versions."""
    found = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        for case_id in case_ids:
            answer = client.get(f"/api/v1/cases/{case_id}", timeout=60)
            if answer.status_code == 200 and answer.json()["status"] in OPEN_STATUSES:
                found.append((case_id, int(answer.headers["etag"].strip('"'))))
    return found


# -- the command mix ----------------------------------------------------------------


@dataclass
class Outcome:
    """What one client saw: each command's latency by kind, statuses, retries."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0  # 412s, each followed by a fresh read and another try
    consent_first: int = 0  # referrals refused until the client's consent was recorded
    other: list[str] = field(default_factory=list)
    cpu: float = 0.0

    @classmethod
    def of_all(cls, outcomes: list["Outcome"]) -> "Outcome":
        merged = cls()
        for o in outcomes:
            for kind, values in o.latencies.items():
                merged.latencies.setdefault(kind, []).extend(values)
            merged.statuses += o.statuses
            merged.retries += o.retries
            merged.consent_first += o.consent_first
            merged.other += o.other
            merged.cpu += o.cpu
        return merged

    @property
    def all_latencies(self) -> list[float]:
        return [v for values in self.latencies.values() for v in values]


class Client:
    def __init__(self, base: str, worker: Worker, case_ids: list[str], seed: int) -> None:
        self.http = httpx.Client(base_url=base, timeout=60)
        self.worker = worker
        self.case_ids = case_ids
        self.rng = random.Random(seed)
        self.versions: dict[str, int] = {}
        self.outcome = Outcome()

    def _as(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}

    def _command(
        self, kind: str, path: str, body: dict[str, Any], token: str, version: int | None
    ) -> httpx.Response:
        headers = self._as(token)
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        started = time.perf_counter()
        answer = self.http.post(path, json=body, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        self.outcome.statuses[answer.status_code] += 1
        if answer.status_code == 201:
            self.outcome.latencies.setdefault(kind, []).append(elapsed)
        elif answer.status_code == 412:
            self.outcome.retries += 1
        elif answer.status_code == 422 and answer.json().get("rule") == "consent_missing":
            self.outcome.consent_first += 1
        elif len(self.outcome.other) < 5:
            self.outcome.other.append(f"{kind} {answer.status_code} {answer.text[:300]}")
        return answer

    def _on_case(self, kind: str, case_id: str, suffix: str, body: dict[str, Any]) -> None:
        for _ in range(3):  # a 412: someone wrote the case first; read it and try again
            if case_id not in self.versions:
                read = self.http.get(
                    f"/api/v1/cases/{case_id}", headers=self._as(self.worker.token)
                )
                self.versions[case_id] = int(read.headers["etag"].strip('"'))
            answer = self._command(
                kind,
                f"/api/v1/cases/{case_id}/{suffix}",
                body,
                self.worker.token,
                self.versions.pop(case_id),
            )
            if answer.status_code == 201:
                self.versions[case_id] = int(answer.json()["version"])
            if answer.status_code != 412:
                return

    def _then(
        self, kind: str, first: httpx.Response, suffix: str, body: dict[str, Any], token: str
    ) -> None:
        """The command that follows one that created a record (its answer, its note)."""
        if first.status_code == 201:
            created = first.json()
            record = created["created_id"] or created["record_id"]
            self._command(kind, suffix.format(record), body, token, int(created["version"]))

    def one(self) -> None:
        kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        case_id = self.rng.choice(self.case_ids)
        me = self.worker.staff_id
        if kind == "note":
            body = {"kind": "phone", "narrative": TEXT, "duration_minutes": 15}
            self._on_case(kind, case_id, "notes", body)
        elif kind == "assessment":
            rating = {"domain": "family", "narrative": TEXT, "rating": self.rng.randint(1, 5)}
            body = {"discipline": "social_work", "domains": [rating], "summary": TEXT[:120]}
            self._on_case(kind, case_id, "assessments", body)
        elif kind == "plan":
            today = date.today()
            goal = {
                "title": "稳定住房 stable housing",
                "discipline": "social_work",
                "interventions": ["resource linking", "home visits"],
                "responsible_id": me,
                "target_date": str(today + timedelta(days=180)),
                "review_date": str(today + timedelta(days=60)),
            }
            self._on_case(kind, case_id, "plan-versions", {"goals": [goal]})
        elif kind == "referral" and self.worker.departments:
            department, head = self.rng.choice(sorted(self.worker.departments.items()))
            body = {
                "case_id": case_id,
                "reason": TEXT[:200],
                "receiver": {"kind": "department", "id": department},
                "urgency": "routine",
                "shared": ["case_summary"],
            }
            sent = self._command("referral", "/api/v1/referrals", body, self.worker.token, None)
            if sent.status_code == 422 and sent.json().get("rule") == "consent_missing":
                # As a caseworker would: record the client's consent, then refer.
                consent = {
                    "given": True,
                    "on": str(date.today()),
                    "department_ids": sorted(self.worker.departments),
                    "disciplines": ["social_work"],
                }
                self._on_case("consent", case_id, "consent", consent)
                sent = self._command("referral", "/api/v1/referrals", body, self.worker.token, None)
            self._then("referral answer", sent, "/api/v1/referrals/{}/acceptance", {}, head)
        elif kind == "supervision":
            session = {
                "supervisor_id": self.worker.supervisor_id,
                "supervisee_ids": [me],
                "duration_minutes": 60,
                "session_format": "individual",
                "topics": ["case_practice"],
            }
            token = self.worker.supervisor_token
            held = self._command(
                "supervision", "/api/v1/supervision-sessions", session, token, None
            )
            note = {"topic": "case_practice", "text": TEXT}
            path = "/api/v1/supervision-sessions/{}/notes"
            self._then("supervision note", held, path, note, token)


def drive(
    base: str, worker: Worker, case_ids: list[str], seed: int, begin: float, end: float
) -> Outcome:
    """One client's run (in a process of its own): commands one after another from
    `begin` until `end` (wall-clock)."""
    client = Client(base, worker, case_ids, seed)
    time.sleep(max(0.0, begin - time.time()))
    cpu = time.process_time()
    while time.time() < end:
        client.one()
    client.outcome.cpu = time.process_time() - cpu
    client.http.close()
    return client.outcome


def shares(workers: list[Worker], clients: int) -> list[tuple[Worker, list[str]]]:
    """Client i acts as caseworker i (round robin); a caseworker shared by several
    clients has their cases split between them, so clients seldom write one case."""
    found = []
    for i in range(clients):
        worker = workers[i % len(workers)]
        sharing = (clients - 1 - i % len(workers)) // len(workers) + 1
        mine = worker.case_ids[(i // len(workers)) % sharing :: sharing] or worker.case_ids
        found.append((worker, mine))
    return found


@dataclass
class Run:
    clients: int
    seconds: float
    outcome: Outcome
    events: int  # appended to the log meanwhile

    @property
    def commands(self) -> int:
        return len(self.outcome.all_latencies)

    @property
    def per_second(self) -> float:
        return self.commands / self.seconds


def run_clients(
    clients: int, seconds: float, job: Callable[..., Outcome], args: list[tuple[Any, ...]]
) -> tuple[list[Outcome], float]:
    with ProcessPoolExecutor(clients, mp_context=get_context("fork")) as pool:
        begin = time.time() + 1.0 + 0.05 * clients
        futures = [pool.submit(job, *a, begin, begin + seconds) for a in args]
        return [f.result() for f in futures], seconds


def mix(
    base: str, workers: list[Worker], clients: int, seconds: float, head: Callable[[], int]
) -> Run:
    before = head()
    args = [(base, w, c, n) for n, (w, c) in enumerate(shares(workers, clients))]
    outcomes, elapsed = run_clients(clients, seconds, drive, args)
    return Run(clients, elapsed, Outcome.of_all(outcomes), head() - before)


# -- bare eventsourcing -------------------------------------------------------------


def bare_writer(
    env: dict[str, str], ids: list[uuid.UUID], events: int, seed: int, begin: float, end: float
) -> Outcome:
    """One writer of bare eventsourcing: load an aggregate, record `events`, save."""
    app = LibraryApp(env=env)
    rng = random.Random(seed)
    outcome = Outcome()
    time.sleep(max(0.0, begin - time.time()))
    cpu = time.process_time()
    while time.time() < end:
        started = time.perf_counter()
        dossier: Dossier = app.repository.get(rng.choice(ids))
        fill(dossier, events + 1)
        app.save(dossier)
        outcome.latencies.setdefault("bare", []).append((time.perf_counter() - started) * 1000)
    outcome.cpu = time.process_time() - cpu
    app.close()
    return outcome


@contextmanager
def bare_store(primary: str) -> Iterator[dict[str, str]]:
    """A schema of its own on the same database, with the library's AES cipher."""
    schema = f"bench_bare_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(primary, autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield library_env("postgres", schema, cipher=True, sqlalchemy=False)
    finally:
        with psycopg.connect(primary, autocommit=True) as c:
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')


def bare(primary: str, clients: tuple[int, ...], seconds: float, events: int) -> dict[int, Run]:
    found = {}
    with bare_store(primary) as env:
        app = LibraryApp(env=env)
        dossiers = [fill(make_dossier(), 20) for _ in range(16 * 8)]
        app.save(*dossiers)
        app.close()
        ids = [d.id for d in dossiers]
        for n in clients:
            # The tables exist: the writers must not all try to create them at once.
            args = [({**env, "CREATE_TABLE": "n"}, ids[w::n], events, w) for w in range(n)]
            outcomes, elapsed = run_clients(n, seconds, bare_writer, args)
            merged = Outcome.of_all(outcomes)
            found[n] = Run(n, elapsed, merged, len(merged.all_latencies) * events)
    return found


# -- the views' lag -----------------------------------------------------------------


class LagSampler:
    """Every 0.25 s: the log's end on the primary and the lowest serving view position on
    the primary and on the standby. A view's lag in seconds is how long ago the log's end
    first passed the position the view has reached now."""

    def __init__(self, primary: str, standby: str, schema: str) -> None:
        self.urls = (primary, standby)
        self.schema = schema
        self.samples: list[tuple[float, int, int, int]] = []  # time, head, primary, standby
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def head(self) -> int:
        with psycopg.connect(self.urls[0]) as c:
            return int(c.execute(self._head_sql()).fetchone()[0] or 0)  # type: ignore[index]

    def _head_sql(self) -> str:
        return f'SELECT max(notification_id) FROM "{self.schema}".casework_events'

    def _views_sql(self) -> str:
        return (
            f"SELECT min(position) FROM \"{self.schema}\".cwv_generations WHERE status = 'serving'"
        )

    def _sample(self) -> None:
        with (
            psycopg.connect(self.urls[0], autocommit=True) as p,
            psycopg.connect(self.urls[1], autocommit=True) as s,
        ):
            while not self.stop.is_set():
                head = p.execute(self._head_sql()).fetchone()[0]  # type: ignore[index]
                views = p.execute(self._views_sql()).fetchone()[0]  # type: ignore[index]
                copy = s.execute(self._views_sql()).fetchone()[0]  # type: ignore[index]
                self.samples.append((time.monotonic(), head or 0, views or 0, copy or 0))
                self.stop.wait(0.25)

    def wait_current(self, timeout: float) -> float:
        """Until every view serves at least where the log ended half a second before
        (the runners create them first; the log may go on growing meanwhile)."""
        started = time.monotonic()
        with psycopg.connect(self.urls[0], autocommit=True) as p:
            before = p.execute(self._head_sql()).fetchone()[0]  # type: ignore[index]
            while time.monotonic() - started < timeout:
                time.sleep(0.5)
                try:
                    views = p.execute(self._views_sql()).fetchone()
                except psycopg.errors.UndefinedTable:
                    views = None
                if views and views[0] is not None and views[0] >= before:
                    return time.monotonic() - started
                before = p.execute(self._head_sql()).fetchone()[0]  # type: ignore[index]
        raise SystemExit(f"the views were not current after {timeout:.0f} s")

    @contextmanager
    def sampling(self) -> Iterator["LagSampler"]:
        self.samples.clear()
        self.stop.clear()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            self.thread.join()

    def lags(self, column: int) -> tuple[list[int], list[float]]:
        """Each sample's lag in events and in seconds (column 2: primary, 3: standby)."""
        events, seconds = [], []
        for t, head, *views in self.samples:
            position = views[column - 2]
            events.append(max(0, head - position))
            passed = next((t0 for t0, h0, *_ in self.samples if h0 > position), t)
            seconds.append(max(0.0, t - passed))
        return events, seconds


# -- reads --------------------------------------------------------------------------


def reads(base: str, readers: Readers, count: int) -> dict[str, list[float]]:
    """Each read `count` times, one after another, as the reader the district has."""
    case = f"/api/v1/cases/{readers.case_id}"
    asked = {
        "case (caseworker)": (readers.caseworker, case),
        "plan view (caseworker)": (
            readers.caseworker,
            f"/api/v1/views/cases/{readers.case_id}/plan",
        ),
        "caseload (caseworker)": (readers.caseworker, "/api/v1/views/caseload"),
        "caseload (supervisor)": (readers.supervisor, "/api/v1/views/caseload"),
        "case (director)": (readers.director, case),
        "caseload (director)": (readers.director, "/api/v1/views/caseload"),
    }
    found: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=120) as client:
        for label, (token, path) in asked.items():
            headers = {"Authorization": f"Bearer {token}"}
            found[label] = []
            for _ in range(count):
                started = time.perf_counter()
                answer = client.get(path, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 200:
                    print(f"  {label}: {answer.status_code} {answer.text[:300]}")
                    break
                found[label].append(elapsed)
            sizes = len(answer.content)
            print(f"  {label:<26}{_ms(found[label])}  {sizes:>9,} bytes")
    return found


def _ms(values: list[float]) -> str:
    if not values:
        return "   (none)"
    return f"p50 {statistics.median(values):7.1f} ms  p99 {percentile(values, 0.99):7.1f} ms"


def ratio(measured: float, target: float) -> str:
    verdict = "met" if measured <= target else "MISSED"
    return f"{measured:.1f} / {target:.0f} = {measured / target:.2f}x {verdict}"


# -- the whole run ------------------------------------------------------------------


def serve(settings: Settings, replica: dict[str, str], workers: int, logs: Path) -> Server:
    server = Server(settings, logs / f"granian-{workers}.log", workers, extra_env=replica)
    server.start()
    return server


def report_run(label: str, run: Run) -> None:
    o = run.outcome
    print(
        f"  {label} {run.clients:>2} clients: {run.per_second:7.1f} commands/s  "
        f"{_ms(o.all_latencies)}  412 retries {o.retries}  "
        f"events/command {run.events / max(1, run.commands):.2f}  "
        f"driver CPU {o.cpu / max(1, run.commands) * 1000:.1f} ms/command"
    )
    kinds = "  ".join(f"{k} {len(v)}" for k, v in sorted(o.latencies.items()))
    if len(o.latencies) > 1:
        print(f"      commands: {kinds}; consent recorded first {o.consent_first}")
    others = {s: n for s, n in o.statuses.items() if s != 201}
    if others:
        print(f"      answers other than 201: {dict(sorted(others.items()))} {o.other[:2]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", default="1,4")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--runners", type=int, default=2)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--centres", type=int, default=2, help="whose staff drive the mix")
    parser.add_argument(
        "--bare-events",
        type=int,
        default=0,
        help="events per bare command (default: as many as the mix wrote per command; "
        "give it when something else writes to the store meanwhile)",
    )
    args = parser.parse_args()
    clients = tuple(int(c) for c in args.clients.split(","))
    settings = Settings.from_env(dict(os.environ))
    database = Database.from_url(settings.database_url)
    schema = database.schema
    primary = settings.database_url.split("?")[0]
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {uptime()}")
    with TemporaryDirectory(prefix="bench-district-") as tmp, standby_of(primary) as standby:
        logs = Path(tmp)
        print(
            f"standby on port {standby.port}: pg_basebackup copied "
            f"{standby.backup_bytes / 2**20:,.0f} MB in {standby.backup_seconds:.1f} s"
        )
        bench(settings, schema, primary, standby, args, clients, logs)


def bench(
    settings: Settings,
    schema: str,
    primary: str,
    standby: Standby,
    args: argparse.Namespace,
    clients: tuple[int, ...],
    logs: Path,
) -> None:
    replica = {"CASEWORK_READ_REPLICA_URL": standby.url(schema)}
    lag = LagSampler(primary, standby.url(), schema)
    print(f"the district: {lag.head():,} events in schema {schema}")
    started = start_runners(settings, replica, args.runners, logs)
    mixes: dict[int, dict[int, Run]] = {}
    rss: dict[str, float] = {}
    lags: dict[str, float] = {}
    read_times: dict[int, dict[str, list[float]]] = {}
    try:
        waited = lag.wait_current(timeout=1800)
        print(f"{args.runners} runners: the views current after {waited:.1f} s")
        workers: list[Worker] = []
        for n in (int(w) for w in args.workers.split(",")):
            server = serve(settings, replica, n, logs)
            try:
                if not workers:
                    workers, readers = district_people(server.base, settings, args.centres)
                print(f"\n== {n} API worker(s), {args.runners} runners, views on the standby")
                mixes[n] = {}
                for c in clients:
                    with lag.sampling():
                        mixes[n][c] = mix(server.base, workers, c, args.seconds, lag.head)
                    report_run(f"{n} worker(s)", mixes[n][c])
                    for column, where in ((2, "primary"), (3, "standby")):
                        events, seconds = lag.lags(column)
                        print(
                            f"      view lag on the {where}: max {max(events, default=0)} "
                            f"events, p99 {percentile(seconds, 0.99):.2f} s, "
                            f"max {max(seconds, default=0.0):.2f} s"
                        )
                        lags[f"on the {where}, {n} worker(s), {c:>2} clients"] = percentile(
                            seconds, 0.99
                        )
                print("  reads, one client (views on the standby):")
                read_times[n] = reads(server.base, readers, args.reads)
                rss[f"an API worker of {n}"] = max(peak_rss_mb(p) for p in server.worker_pids())
            finally:
                server.stop()
        rss["a runner"] = max(peak_rss_mb(p.pid) for p in started)
    finally:
        stop_runners(started)
    heaviest = mixes[max(mixes)][max(clients)]
    events = args.bare_events or max(1, round(heaviest.events / max(1, heaviest.commands)))
    print(f"\n== bare eventsourcing (AESCipher, PostgreSQL), {events} events per command")
    bared = bare(primary, clients, args.seconds, events)
    for run in bared.values():
        report_run("bare", run)
    print("\n== casework ÷ bare eventsourcing, commands/s")
    for n, runs in mixes.items():
        cells = "  ".join(
            f"{c} clients {runs[c].per_second / bared[c].per_second:.2f}x" for c in clients
        )
        print(f"  {n} worker(s): {cells}")
    print("\n== targets (measured ÷ target; ≤ 1.00 is met)")
    for n, runs in mixes.items():
        for c in clients:
            p99 = percentile(runs[c].outcome.all_latencies, 0.99)
            print(f"  command p99, {n} worker(s), {c:>2} clients: {ratio(p99, WRITE_P99_MS)} ms")
        for label, values in read_times[n].items():
            if values:
                p99 = percentile(values, 0.99)
                print(f"  {label} p99, {n} worker(s): {ratio(p99, READ_P99_MS)} ms")
    for key, value in lags.items():
        print(f"  view lag p99 {key}: {ratio(value, LAG_SECONDS)} s")
    print("  replay, verify, rebuild at 1M events: bench_scale --parts rebuild-verify")
    print("\n== peak RSS (VmHWM)")
    for key, value in rss.items():
        print(f"  {key}: {value:,.0f} MB")
    print(f"\n{uptime()}")


if __name__ == "__main__":
    main()
