"""The pages in a real browser: the family centre with accounts (password and TOTP) in a
fresh SQLite store, served by granian exactly as `casework serve` runs the app
(`api.app:create_app_from_env`, its views kept fresh by a process beside it) on a
loopback port, driven by Playwright through Debian's chromium. Screenshots go to
`test-artefacts/screenshots/` (not committed); axe-core comes from npm into `.node/`
(not committed).

Without /usr/bin/chromium or npm these tests fail and say what to install; they
never skip."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from casework.aggregates.agency import AgencyKind
from casework.aggregates.base import Role
from casework.aggregates.case import NoteKind, ReferralSource, RiskLevel, TeamScope
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.commands.agencies import RegisterAgency
from casework.application.commands.cases import (
    OpenCase,
    RecordConsent,
)
from casework.cli.views_beside import RUN_VIEWS, ViewsProcess
from casework.settings import Settings
from casework.store.key_files import create_key_files
from tests.builders.centre import (
    FamilyCentre,
    enrol,
    family_centre,
    family_client,
    join_team,
    open_family_case,
    write_note,
)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artefacts" / "screenshots"
NODE_PREFIX = ROOT / ".node"
AXE = NODE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
INSTALL = "apt-get install -y chromium fonts-noto-cjk && npm install --prefix .node axe-core"

# The people the stories sign in as: user name → (the centre's person, role).
PEOPLE = {
    "chen.jing": ("worker", "caseworker"),
    "wu.xinyi": ("psychologist", "specialist"),
    "it.admin": ("administrator", "administrator"),
    "margaret.ho": ("supervisor", "supervisor"),
    "audit.office": ("reviewer", "compliance_reviewer"),
    "huang.li": ("head", "department_head"),
    "liang.zq": ("director", "centre_director"),
    "zhou.min": ("lawyer", "specialist"),
}
SOCIAL_WORK_NOTE = "首次家访：了解家庭情况 first home visit"
PSYCHOLOGY_NOTE = "心理评估面谈 psychology interview"
# Staff beyond the family centre: a caseworker of the youth department (answers
# referrals sent there) with an account, and two people without one (the
# administrator's story opens theirs, one per language).
YOUTH_WORKER = ("li.na", "李娜 Li Na")
WITHOUT_ACCOUNT = {"zh": "王芳 Wang Fang", "en": "赵强 Zhao Qiang"}
AGENCY = "海珠区法律援助处 Haizhu Legal Aid"
# The older case: opened three days ago; a note of two days ago, recorded late (today).
OLD_NOTE = "三天前的接案面谈 intake interview two days ago"


@dataclass
class Account:
    user_name: str
    role: str
    totp: pyotp.TOTP
    last_step: int = 0

    def next_code(self) -> str:
        """A code the server takes now: each sign-in uses a later time step than the
        one before (a step is never used twice), within the allowed drift."""
        now_step = self.totp.timecode(datetime.now(tz=UTC))
        step = max(now_step - 1, self.last_step + 1)
        while step > now_step + 1:
            time.sleep(1)
            now_step = self.totp.timecode(datetime.now(tz=UTC))
        self.last_step = step
        return self.totp.generate_otp(step)


@dataclass
class Site:
    base: str
    case_id: UUID
    old_case_id: UUID
    accounts: dict[str, Account]
    browser: Browser
    shots: list[Path] = field(default_factory=list)

    def page(self, locale: str) -> Page:
        # bypass_csp: the pages forbid inline scripts, and axe is injected as one.
        context = self.browser.new_context(
            locale=locale,
            viewport={"width": 1180, "height": 820},
            bypass_csp=True,
            extra_http_headers={"Accept-Language": locale},
        )
        return context.new_page()

    def sign_in(self, page: Page, user_name: str) -> None:
        """Sign in with the next one-time code. A story run straight after one that
        failed a sign-in from this computer meets the server's slow-down (a second or
        two): it is told so, waits as asked and tries again."""
        account = self.accounts[user_name]
        for _attempt in range(3):
            if "/sign-in" not in page.url:
                page.goto(f"{self.base}/sign-in")
            labels = _LABELS[_lang(page)]
            page.get_by_label(labels["user"]).fill(user_name)
            page.get_by_label(labels["password"]).fill(PASSWORD)
            page.get_by_label(labels["role"]).select_option(account.role)
            page.get_by_label(labels["code"]).fill(account.next_code())
            page.get_by_role("button", name=labels["sign_in"]).click()
            page.wait_for_load_state()
            refused = page.locator("#sign-in-error")
            if "/sign-in" not in page.url or refused.count() == 0:
                return
            if labels["retry"] not in refused.inner_text():
                pytest.fail(f"sign-in refused: {refused.inner_text()}")
            time.sleep(2)
        pytest.fail(f"{user_name} could not sign in")

    def screenshot(self, page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        return path

    def axe_violations(self, page: Page) -> list[dict[str, Any]]:
        """Serious and critical axe-core violations on the page as it is."""
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]],
            }
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]


_LABELS = {
    "en": {
        "user": "User name",
        "password": "Password",
        "role": "Sign in as",
        "code": "One-time code",
        "sign_in": "Sign in",
        "retry": "Try again in",
    },
    "zh": {
        "user": "用户名",
        "password": "密码",
        "role": "登录身份",
        "code": "动态验证码",
        "sign_in": "登录",
        "retry": "秒后重试",
    },
}


def _lang(page: Page) -> str:
    return "zh" if (page.locator("html").get_attribute("lang") or "").startswith("zh") else "en"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _require_tools() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"the page tests need Debian's chromium at {CHROMIUM}: {INSTALL}")
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"the page tests need npm to install axe-core: {INSTALL}")
        subprocess.run(  # noqa: S603 - a fixed command
            [npm, "install", "--silent", "--prefix", str(NODE_PREFIX), "axe-core"],
            check=True,
            cwd=ROOT,
        )


def _build_store(settings: Settings) -> tuple[UUID, UUID, dict[str, Account]]:
    """The family centre, one family case led by the caseworker with the psychologist on
    its team (summary scope), a social-work note and a psychology note; an older case
    whose intake occurred three days ago, with a note of two days ago entered late; and
    accounts."""
    create_key_files(settings)
    app = Casework(settings)
    try:
        centre: FamilyCentre = family_centre(app)
        case_id = open_family_case(
            app, centre, disciplines=(Discipline.SOCIAL_WORK, Discipline.LAW, Discipline.PSYCHOLOGY)
        )
        join_team(
            app,
            centre.worker,
            case_id,
            centre.psychologist,
            Discipline.PSYCHOLOGY,
            TeamScope.SUMMARY,
        )
        write_note(app, centre.worker, case_id, SOCIAL_WORK_NOTE, NoteKind.HOME_VISIT, 60)
        write_note(
            app,
            centre.psychologist,
            case_id,
            PSYCHOLOGY_NOTE,
            NoteKind.OFFICE_INTERVIEW,
            50,
            discipline=Discipline.PSYCHOLOGY,
        )
        today = datetime.now(tz=UTC)
        old_case_id = app.open_case(
            centre.worker,
            OpenCase(
                clients=[family_client("张敏 Zhang Min", "440105199001010023")],
                presenting_problem="经济困难 money trouble",
                referral_source=ReferralSource.SELF,
                department_id=centre.family_id,
                lead_worker_id=centre.worker.staff_id,
                risk_level=RiskLevel.LOW,
                consent=RecordConsent(
                    given=True, on=date(2026, 3, 1), disciplines=[Discipline.SOCIAL_WORK]
                ),
                occurred_at=today - timedelta(days=3),
            ),
        )
        write_note(
            app,
            centre.worker,
            old_case_id,
            OLD_NOTE,
            NoteKind.OFFICE_INTERVIEW,
            45,
            occurred_at=today - timedelta(days=2),
        )
        youth_id = enrol(app, centre, YOUTH_WORKER[1], centre.youth_id, Role.CASEWORKER)
        for name in WITHOUT_ACCOUNT.values():
            enrol(app, centre, name, centre.youth_id, Role.CASEWORKER)
        # The client agreed to referrals to the youth department and the legal-aid agency.
        agency_id = app.register_agency(
            centre.administrator,
            RegisterAgency(
                name=AGENCY, kind=AgencyKind.LEGAL_AID, contact="王主任", services=["legal aid"]
            ),
        )
        app.record_consent(
            centre.worker,
            case_id,
            RecordConsent(
                given=True,
                on=date(2026, 3, 1),
                disciplines=[Discipline.SOCIAL_WORK, Discipline.LAW, Discipline.PSYCHOLOGY],
                agency_ids=[agency_id],
                department_ids=[centre.youth_id],
            ),
        )
        accounts = {}
        people = {
            name: (getattr(centre, person).staff_id, role)
            for name, (person, role) in PEOPLE.items()
        }
        people[YOUTH_WORKER[0]] = (youth_id, "caseworker")
        for user_name, (staff_id, role) in people.items():
            code = app.open_account(centre.administrator, staff_id, user_name)
            app.set_password(user_name, code.code, PASSWORD)
            secret = app.enrol_second_factor(user_name, PASSWORD).secret
            accounts[user_name] = Account(user_name, role, pyotp.TOTP(secret))
    finally:
        app.close()
    return case_id, old_case_id, accounts


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _require_tools()
    data = tmp_path_factory.mktemp("pages") / "data"
    env = {"CASEWORK_DATA_DIR": str(data), "CASEWORK_REQUIRE_TOTP": "1"}
    case_id, old_case_id, accounts = _build_store(Settings.from_env(env))
    port = _free_port()
    log = (data.parent / "granian.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - a fixed command
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "api.app:create_app_from_env",
        ],
        cwd=ROOT,
        env={**os.environ, **env, RUN_VIEWS: "0"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    views = ViewsProcess({**os.environ, **env}, output=log)
    base = f"http://127.0.0.1:{port}"
    try:
        views.start()
        _wait_until_ready(base, server, data.parent / "granian.log")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                yield Site(base, case_id, old_case_id, accounts, browser)
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        views.stop()
        log.close()


def _wait_until_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"granian stopped before serving the pages:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("granian did not answer within 60 s")
