"""The HTTP API under load (issue 12): requests/s, p50 and p99 with wrk.

Builds the demo centre (`--cases`, default 40) in a fresh store, SQLite and then
PostgreSQL (a schema of its own in the `test` database, dropped afterwards), catches
the views up, and serves it as `casework serve --workers N` does (granian with
`--workers` processes, default 1; on SQLite the views in a process beside them) with
two more routes: `GET /bench/bare?bytes=N`, a
bare Litestar handler answering N bytes, sized like the case read's answer, so each
figure has its baseline from the same server in the same run (the reader's bearer
token is sent, so it is authenticated as every API request is); and
`GET /bench/unrecorded/{id}`, the case read without its access record. For each of 1,
16 and 64 connections, for `--seconds` each:

- GET /api/v1/cases/{id}       a case, filtered and recorded in the access log
- GET /bench/unrecorded/{id}   the same read and answer, nothing recorded
- POST /api/v1/cases/{id}/notes a note (If-Match from each answer's ETag, spread over
                               the other open cases, each by its lead: the case read
                               keeps its size throughout)
- GET /api/v1/views/cases/{id}/plan    the case plan view (recorded)
- GET /api/v1/views/caseload           the caseload report (each visible case recorded)
- GET /bench/bare                      the baseline

Run:  python -m benchmarks.bench_http [--seconds 5] [--cases 40] [--backends sqlite,postgres]
      [--workers 1]
Needs wrk (`apt-get install -y wrk`). Targets: the case read ≥ 0.25× the bare handler's
requests/s; p99 at 16 connections ≤ 50 ms for reads, ≤ 100 ms for the note; printed
as measured ÷ target (reads/s: ≥ 1.00 is met; p99: ≤ 1.00 is met). The machine is
shared: keep `--seconds` short and give `uptime` with the figures.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import psycopg
from litestar import Litestar, Response, get
from litestar.params import FromPath, QueryParameter

from api.app import create_app_from_env
from api.cases import NO_STORE
from api.commands import etag
from api.dependencies import Asking, Service
from api.schemas.cases import CaseView, case_view
from casework.access import Decision
from casework.aggregates.access_record import AccessAction
from casework.aggregates.base import Role, now
from casework.aggregates.case import OPEN_STATUSES, Case
from casework.application import Casework
from casework.application.authorisation import case_as_seen
from casework.application.principal import AccessPoint
from casework.cli.views_beside import RUN_VIEWS, ViewsProcess
from casework.demo import build_demo
from casework.demo.accounts import DEMO_PASSWORD, demo_user_name, ensure_demo_accounts
from casework.projections import Projections
from casework.settings import Settings
from casework.store.key_files import create_key_files

WRK = shutil.which("wrk") or "wrk"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
CONNECTIONS = (1, 16, 64)
READ_P99_MS, WRITE_P99_MS, BARE_SHARE = 50.0, 100.0, 0.25


@get("/bench/bare", sync_to_thread=False, include_in_schema=False)
def bare(
    size: Annotated[int, QueryParameter(query="bytes", ge=0, le=1_000_000)],
) -> Response[bytes]:
    return Response(b"x" * size, media_type="application/json")


@get("/bench/unrecorded/{case_id:uuid}", sync_to_thread=True, include_in_schema=False)
def unrecorded(casework: Service, by: Asking, case_id: FromPath[uuid.UUID]) -> Response[CaseView]:
    """The case read with everything but its access record: the reader's session
    checked, the case loaded, the rule applied and its answer filtered and sent as
    `GET /api/v1/cases/{id}` sends it. What the issue's durability rule adds to a
    read is the difference between this line and the case read's."""
    case = casework.read(case_id, Case, "case")
    reading = case_as_seen(casework.context_of(by, AccessAction.READ, case_id), case, now())
    if isinstance(reading, Decision):
        # A 500, counted in the line's non-2xx: the benchmark's reader must see its case.
        raise RuntimeError(f"the benchmark's reader may not see its case: {reading.reason}")
    view = case_view(reading)
    return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})


def served() -> Litestar:
    """The API as `casework serve` makes it, with the bare handler and the unrecorded
    case read beside it."""
    app = create_app_from_env()
    app.register(bare)
    app.register(unrecorded)
    return app


@dataclass(frozen=True)
class Writer:
    case_id: uuid.UUID
    token: str
    version: int


def prepare(settings: Settings, cases: int) -> tuple[uuid.UUID, str, list[Writer]]:
    """The demo store, its views caught up; returns the case read (the open case with
    the most notes), its lead's token, and a writer (lead, token) per other open case."""
    create_key_files(settings)
    app = Casework(settings)
    try:
        build_demo(app, cases)
        ensure_demo_accounts(app)
        tokens: dict[uuid.UUID, str] = {}
        writers = []
        open_cases = [app.load(i, Case, "case") for i in app.case_ids()]
        open_cases = [c for c in open_cases if c.status in OPEN_STATUSES]
        read = max(open_cases, key=lambda c: len(c.notes))
        # The notes go to the other open cases: the case read (and the bare handler,
        # sized like its answer) stay the same size from the first line to the last.
        for case in open_cases:
            lead = app.get_staff(case.lead_worker_id)
            if case.lead_worker_id not in tokens:
                role = Role.CASEWORKER if Role.CASEWORKER in lead.roles else lead.roles[0]
                signed = app.sign_in(
                    demo_user_name(lead.name),
                    DEMO_PASSWORD,
                    None,
                    role,
                    "127.0.0.1",
                    AccessPoint.API,
                )
                tokens[case.lead_worker_id] = signed.token
            if case is not read:
                writers.append(Writer(case.id, tokens[case.lead_worker_id], case.version))
        projections = Projections(app)
        projections.catch_up()
        projections.close()
        return read.id, tokens[read.lead_worker_id], writers
    finally:
        app.close()


# One wrk thread per connection, so each thread's answers come back in the order it
# asked and a 412 (two connections on one case, when there are more connections than
# open cases) gives the case it asked about the version its next try needs. Each
# thread writes its own share of the cases.
NOTE_SCRIPT = """
local cases = {%s}
local connections = %d
local threads = 0
function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end
local mine, asked = {}, nil
local i = 0
local body = '{"kind":"phone","narrative":"电话跟进 phone follow-up","duration_minutes":5}'
function init(args)
  for k, c in ipairs(cases) do
    if (connections <= #cases and (k - 1) %% connections == index) or
       (connections > #cases and k - 1 == index %% #cases) then
      table.insert(mine, c)
    end
  end
end
request = function()
  i = i %% #mine + 1
  asked = mine[i]
  return wrk.format("POST", "/api/v1/cases/" .. asked.id .. "/notes", {
    ["Authorization"] = "Bearer " .. asked.token, ["Content-Type"] = "application/json",
    ["If-Match"] = '"' .. asked.version .. '"'}, body)
end
response = function(status, headers, body)
  -- a 201 names the new version, a 412 the current one
  local version = string.match(body, '"version":(%%d+)') or
                  string.match(body, '"current_version":(%%d+)')
  if version ~= nil then asked.version = tonumber(version) end
end
"""


def note_script(writers: list[Writer], connections: int, directory: Path) -> Path:
    entries = ",".join(
        f'{{id="{w.case_id}", token="{w.token}", version={w.version}}}' for w in writers
    )
    path = directory / f"notes-{connections}.lua"
    path.write_text(NOTE_SCRIPT % (entries, connections), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Measured:
    per_second: float
    p50_ms: float
    p99_ms: float
    not_2xx: int
    # wrk's socket errors: answers not back within its 2 s timeout, and broken
    # connections. Neither is in the latencies.
    timed_out: int
    broken: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(
    url: str,
    connections: int,
    seconds: int,
    headers: dict[str, str],
    script: Path | None,
    threads: int = 2,
) -> Measured:
    command = [
        WRK,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    # Our own arguments: the URL and headers are built here, not taken from anyone.
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    p50 = re.search(r"^\s+50%\s+(\S+)\s*$", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)\s*$", out, re.MULTILINE)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if not (rate and ((p50 and p99) or sockets)):
        raise SystemExit(f"wrk said:\n{out}")
    connect, read, write, timeout = (int(n) for n in sockets.groups()) if sockets else (0,) * 4
    return Measured(
        float(rate.group(1)),
        _ms(p50.group(1)) if p50 else 0.0,
        _ms(p99.group(1)) if p99 else 0.0,
        int(errors.group(1)) if errors else 0,
        timeout,
        connect + read + write,
    )


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    tree, total = {pid}, 0.0
    for stat in sorted(Path("/proc").glob("[0-9]*/stat"), key=lambda p: int(p.parent.name)):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        this, parent = int(stat.parent.name), int(fields[1])
        if this in tree or parent in tree:
            tree.add(this)
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def settle(pid: int, workers: int, longest: float = 30.0) -> float:
    """Wait until the server is idle, under 15% of a core a worker for 0.25 s (an idle
    worker on PostgreSQL uses about 9%, its views' runner waking every second): it goes
    on with the requests wrk had sent when it stopped, which would otherwise be the
    next line's load. Returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < longest:
        before = _cpu_seconds(pid)
        time.sleep(0.25)
        if _cpu_seconds(pid) - before < 0.25 * 0.15 * workers:
            break
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench(backend: str, env: dict[str, str], cases: int, seconds: int, workers: int) -> None:
    settings = Settings.from_env(env)
    started = time.perf_counter()
    case_id, token, writers = prepare(settings, cases)
    print(
        f"\n[{backend}] demo of {cases} cases built in {time.perf_counter() - started:.0f} s; "
        f"{len(writers)} open cases take the notes; {workers} granian worker(s)"
    )
    port = _free_port()
    # As `casework serve` runs it: on SQLite the views in a process beside the server.
    views = ViewsProcess({**os.environ, **env}) if backend == "sqlite" else None
    server = subprocess.Popen(  # noqa: S603 (this interpreter, our arguments)
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(workers),
            "benchmarks.bench_http:served",
        ],
        env={**os.environ, **env, **({RUN_VIEWS: "0"} if views is not None else {})},
    )
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    try:
        if views is not None:
            views.start()
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/v1/cases/{case_id}", headers=auth).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        size = len(httpx.get(f"{base}/api/v1/cases/{case_id}", headers=auth).content)
        with tempfile.TemporaryDirectory() as tmp:
            reads = {
                "bare handler": f"{base}/bench/bare?bytes={size}",
                "GET case": f"{base}/api/v1/cases/{case_id}",
                "GET case unrecorded": f"{base}/bench/unrecorded/{case_id}",
                "GET plan view": f"{base}/api/v1/views/cases/{case_id}/plan",
                "GET caseload view": f"{base}/api/v1/views/caseload",
            }
            print(f"[{backend}] the case's answer is {size} bytes; {seconds:g} s per line")
            columns = ("conns", "req/s", "p50 ms", "p99 ms", "non-2xx", "timeout", "broken")
            print(f"{'':19} {columns[0]:>5} " + " ".join(f"{c:>8}" for c in columns[1:]))
            for connections in CONNECTIONS:
                script = note_script(writers, connections, Path(tmp))
                lines = [(name, url, auth, None, 2) for name, url in reads.items()]
                lines.append(("POST note", f"{base}/", {}, script, connections))
                measured = {}
                for name, url, headers, lua, threads in lines:
                    waited = settle(server.pid, workers)
                    if views is not None and views.pid is not None:
                        waited += settle(views.pid, 1)
                    if waited > 1:
                        print(f"  (the server was busy {waited:.1f} s after the line before)")
                    measured[name] = wrk(url, connections, seconds, headers, lua, threads)
                bare_rate = measured["bare handler"].per_second
                for name, m in measured.items():
                    judged = ""
                    if name == "GET case":
                        share = m.per_second / bare_rate
                        judged = (
                            f"req/s {share:.2f}× bare ÷ {BARE_SHARE} = {share / BARE_SHARE:.2f}"
                        )
                    # The bare handler and the unrecorded read are judged too: what any
                    # read would get from this machine, with and without its record.
                    if connections == 16:
                        target = WRITE_P99_MS if name == "POST note" else READ_P99_MS
                        p99 = f"p99 ÷ {target:.0f} ms = {m.p99_ms / target:.2f}"
                        judged = f"{judged}; {p99}" if judged else p99
                    print(
                        f"{name:19} {connections:5} {m.per_second:8.1f} {m.p50_ms:8.1f} "
                        f"{m.p99_ms:8.1f} {m.not_2xx:8} {m.timed_out:8} {m.broken:8}  {judged}"
                    )
    finally:
        server.terminate()
        server.wait(timeout=30)
        if views is not None:
            views.stop()


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return (
        f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, load average {one:.2f} {five:.2f} {fifteen:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="granian worker processes, on either backend (1)",
    )
    args = parser.parse_args()
    print(_load())
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            env = {"CASEWORK_DATA_DIR": str(Path(tmp) / "data"), "CASEWORK_REQUIRE_TOTP": "0"}
            if backend == "sqlite":
                bench(backend, env, args.cases, args.seconds, args.workers)
                continue
            schema = f"bench_http_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(POSTGRES, autocommit=True) as c:
                c.execute(f"CREATE SCHEMA {schema}")
            try:
                bench(
                    backend,
                    {**env, "CASEWORK_DATABASE_URL": f"{POSTGRES}?schema={schema}"},
                    args.cases,
                    args.seconds,
                    args.workers,
                )
            finally:
                with psycopg.connect(POSTGRES, autocommit=True) as c:
                    c.execute(f"DROP SCHEMA {schema} CASCADE")
    print(_load())


if __name__ == "__main__":
    main()
