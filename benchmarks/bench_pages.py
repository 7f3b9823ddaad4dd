"""The case page, rendered server-side at demo size: p95 of a full GET /cases/{id}.

Builds the demo centre (`casework.demo.build_demo`, the same data `casework serve
--demo` serves) in a fresh SQLite store with its accounts, signs in as the lead worker
of the open case with the most notes, and requests that case's page through the whole
app in process (Litestar's test client: session cookie, CSRF middleware, the service
layer's filtered and recorded read, the reviews shown, the access log section, the
Jinja template in Chinese) `--pages` times after a warm-up. Each request is timed from
the request to the last byte of the response; no network is involved. The CPU time the
process spent on each render is printed too: on a loaded machine the wall time includes
waiting for a core.

Run:  python -m benchmarks.bench_pages [--pages 300] [--cases N]
Target: p95 ≤ 50 ms; printed as measured ÷ target (≤ 1.00 is met).
"""

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path
from uuid import UUID

from litestar.testing import TestClient

from api.app import create_app
from api.pages.signing_in import SESSION_COOKIE
from casework.aggregates.base import Role
from casework.aggregates.case import OPEN_STATUSES, Case
from casework.application import Casework
from casework.application.principal import AccessPoint
from casework.demo import build_demo
from casework.demo.accounts import DEMO_PASSWORD, demo_user_name, ensure_demo_accounts
from casework.demo.cases import CASES
from casework.settings import Settings
from casework.store.key_files import create_key_files

TARGET_MS = 50.0
WARM_UP = 20


def prepare(settings: Settings, cases: int) -> tuple[UUID, str, int]:
    """The demo store; returns (the case, its lead's session token, its notes)."""
    create_key_files(settings)
    app = Casework(settings)
    try:
        build_demo(app, cases)
        ensure_demo_accounts(app)
        open_cases = [app.load(i, Case, "case") for i in app.case_ids()]
        open_cases = [c for c in open_cases if c.status in OPEN_STATUSES]
        case = max(open_cases, key=lambda c: len(c.notes))
        lead = app.get_staff(case.lead_worker_id)
        role = Role.CASEWORKER if Role.CASEWORKER in lead.roles else lead.roles[0]
        signed_in = app.sign_in(
            demo_user_name(lead.name),
            DEMO_PASSWORD,
            None,
            role.value,
            "127.0.0.1",
            AccessPoint.PAGE,
        )
        return case.id, signed_in.token, len(case.notes)
    finally:
        app.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench(pages: int, cases: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"CASEWORK_DATA_DIR": str(Path(tmp) / "data"), "CASEWORK_REQUIRE_TOTP": "0"}
        settings = Settings.from_env(env)
        started = time.perf_counter()
        case_id, token, notes = prepare(settings, cases)
        print(f"demo built in {time.perf_counter() - started:.1f} s; the case has {notes} notes")
        app = create_app(settings, sign_checkpoints=False)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            client.cookies.set(SESSION_COOKIE, token)
            client.cookies.set("lang", "zh")
            timings, cpu = [], []
            for n in range(WARM_UP + pages):
                begun, cpu_begun = time.perf_counter(), time.process_time()
                response = client.get(f"/cases/{case_id}")
                elapsed = (time.perf_counter() - begun) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"the case page answered {response.status_code}")
                if n >= WARM_UP:
                    timings.append(elapsed)
                    cpu.append((time.process_time() - cpu_begun) * 1000)
        p95 = percentile(timings, 0.95)
        ratio = p95 / TARGET_MS
        print(
            f"case page: {len(timings)} renders, median {statistics.median(timings):.1f} ms, "
            f"p95 {p95:.1f} ms, max {max(timings):.1f} ms; "
            f"p95 ÷ target ({TARGET_MS:.0f} ms) = {ratio:.2f} ({'met' if ratio <= 1 else 'MISSED'})"
        )
        print(
            f"CPU per render (this process): median {statistics.median(cpu):.1f} ms, "
            f"p95 {percentile(cpu, 0.95):.1f} ms"
        )
        return ratio


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--cases", type=int, default=CASES)
    args = parser.parse_args()
    bench(args.pages, args.cases)


if __name__ == "__main__":
    main()
